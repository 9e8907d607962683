"""observation_slice: packed copies of the current observations for the dashboards

One row per indicator x area type x set of dataset versions, holding every
current observation as raw numpy columns, so the indicator query reads one
blob instead of 337,550 rows at national scale.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 10:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "observation_slice",
        sa.Column("indicator_id", sa.String(length=64), nullable=False),
        sa.Column("area_type", sa.String(length=64), nullable=False),
        sa.Column(
            "version_key",
            sa.Text(),
            nullable=False,
            comment="Sorted ids of the current versions of its sources, e.g. 3,7",
        ),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False, comment="Columns as numpy arrays"),
        sa.PrimaryKeyConstraint(
            "indicator_id", "area_type", "version_key", name=op.f("pk_observation_slice")
        ),
        comment="The current observations of one indicator and area type, packed for fast reads.",
    )


def downgrade() -> None:
    op.drop_table("observation_slice")
