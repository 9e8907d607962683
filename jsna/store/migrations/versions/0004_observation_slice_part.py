"""observation_slice_part: the large column arrays of a slice, one per row

PostgreSQL sends one 18 MB ``bytea`` value about twice as slowly as the same
bytes split over a few rows (the server builds and sends one huge message),
so a slice keeps its header and small arrays in ``observation_slice.payload``
and each large array in a row of its own here. Slices written before this
revision have no parts and still read as they are.

On PostgreSQL the payload is stored EXTERNAL (out of line, never compressed):
the arrays are already compact and pglz would only slow the reads down.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 11:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "observation_slice_part",
        sa.Column("indicator_id", sa.String(length=64), nullable=False),
        sa.Column("area_type", sa.String(length=64), nullable=False),
        sa.Column("version_key", sa.Text(), nullable=False),
        sa.Column("part", sa.Integer(), autoincrement=False, nullable=False, comment="1, 2, ..."),
        sa.Column("payload", sa.LargeBinary(), nullable=False, comment="One large column array"),
        sa.ForeignKeyConstraint(
            ["indicator_id", "area_type", "version_key"],
            [
                "observation_slice.indicator_id",
                "observation_slice.area_type",
                "observation_slice.version_key",
            ],
            name=op.f("fk_observation_slice_part_indicator_id_observation_slice"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "indicator_id",
            "area_type",
            "version_key",
            "part",
            name=op.f("pk_observation_slice_part"),
        ),
        comment="The large column arrays of a slice, one per row (PostgreSQL sends one"
        " huge value about twice as slowly as the same bytes in a few rows).",
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE observation_slice_part ALTER COLUMN payload SET STORAGE EXTERNAL")


def downgrade() -> None:
    op.drop_table("observation_slice_part")
