"""recommendations, community voices and assets

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _upgrade_recommendations()
    _upgrade_assets()


def downgrade() -> None:
    _downgrade_assets()
    _downgrade_recommendations()


# --- Recommendations and community assets (jsna.analysis.tracker, jsna.analysis.assets) -------


def _upgrade_recommendations() -> None:
    """Status updates of recommendations, with history (jsna.analysis.tracker)."""
    op.create_table(
        "recommendation_status",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "recommendation_id",
            sa.String(64),
            nullable=False,
            comment="Id in recommendations.yml",
        ),
        sa.Column(
            "status",
            sa.String(16),
            nullable=False,
            comment="not started, in progress, done, dropped",
        ),
        sa.Column("note", sa.Text(), nullable=False, comment="What changed, in the editor's words"),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_recommendation_status"),
        comment="Every status update of a recommendation (never updated; the latest wins).",
    )
    op.create_index(
        "ix_recommendation_status_recommendation_id_changed_at",
        "recommendation_status",
        ["recommendation_id", "changed_at"],
    )


def _downgrade_recommendations() -> None:
    op.drop_table("recommendation_status")


def _upgrade_assets() -> None:
    """Community assets of imported lists (jsna.analysis.assets)."""
    op.create_table(
        "community_asset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "list_name", sa.String(64), nullable=False, comment="Name of the imported asset list"
        ),
        sa.Column(
            "row_number",
            sa.Integer(),
            nullable=False,
            comment="Row in the imported file (header = 1)",
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("category", sa.String(100), nullable=False),
        sa.Column("postcode", sa.String(10), nullable=True, comment="As resolved, when given"),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column(
            "checksum", sa.String(64), nullable=False, comment="SHA-256 of the imported file"
        ),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_community_asset"),
        comment="Community assets (groups, venues, services) of a council's own imported lists.",
    )
    op.create_index("ix_community_asset_list_name", "community_asset", ["list_name"])


def _downgrade_assets() -> None:
    op.drop_table("community_asset")
