"""compute: how each result was built (fit), its quintile and benchmark values; compute_state

``result`` gains ``fit`` (exact, best_fit or apportioned), ``quintile`` and
``benchmarks`` (JSON: each comparator's value for the same period and
breakdown). ``compute_state`` keeps a hash of each indicator's inputs so that
``jsna compute`` recomputes only what changed.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 11:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("result") as batch:
        batch.add_column(
            sa.Column(
                "benchmarks",
                sa.Text(),
                nullable=True,
                comment="JSON: comparator -> its value for the same period and breakdown",
            )
        )
        batch.add_column(
            sa.Column(
                "quintile",
                sa.Integer(),
                nullable=True,
                comment="1..5 within the area type and period",
            )
        )
        batch.add_column(
            sa.Column(
                "fit",
                sa.String(length=16),
                nullable=True,
                comment="exact, best_fit or apportioned: how the area's figure was built",
            )
        )
    op.create_table(
        "compute_state",
        sa.Column("indicator_id", sa.String(length=64), nullable=False),
        sa.Column(
            "inputs_hash",
            sa.String(length=64),
            nullable=False,
            comment="SHA-256 of definition, dataset versions, geography and disclosure rules",
        ),
        sa.Column(
            "input_versions",
            sa.Text(),
            nullable=False,
            comment="JSON list of dataset_version ids",
        ),
        sa.Column("result_rows", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("indicator_id", name=op.f("pk_compute_state")),
        comment="What each indicator's published results were computed from (incremental compute).",
    )


def downgrade() -> None:
    op.drop_table("compute_state")
    with op.batch_alter_table("result") as batch:
        batch.drop_column("fit")
        batch.drop_column("quintile")
        batch.drop_column("benchmarks")
