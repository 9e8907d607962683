"""wider breakdown_type (Fingertips category types reach 73 characters)

Real Fingertips data has category types such as "County & UA deprivation
deciles in England (IMD2019, 4/19 and 4/20 geog.)" (73 characters), longer
than the 64 the initial schema allowed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 09:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ("observation", "result")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "breakdown_type",
                existing_type=sa.String(length=64),
                type_=sa.String(length=200),
                existing_nullable=False,
            )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "breakdown_type",
                existing_type=sa.String(length=200),
                type_=sa.String(length=64),
                existing_nullable=False,
            )
