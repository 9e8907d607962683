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
    _upgrade_voices()


def downgrade() -> None:
    _downgrade_voices()
    _downgrade_assets()
    _downgrade_recommendations()


def _tz_voices() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _upgrade_voices() -> None:
    """Community voices: surveys and their responses (jsna.analysis.voices_store)."""
    op.create_table(
        "voice_survey",
        sa.Column("id", sa.String(64), nullable=False, comment="Survey id (voices/<id>.yml)"),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column(
            "participants", sa.Integer(), nullable=False, comment="How many took part (as reported)"
        ),
        sa.Column(
            "made_up", sa.Boolean(), nullable=False, comment="An illustrative, made-up dataset"
        ),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column(
            "checksum", sa.String(64), nullable=False, comment="SHA-256 of the imported file"
        ),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("stripped", sa.Integer(), nullable=False, comment="Personal data items removed"),
        sa.Column("imported_at", _tz_voices(), nullable=False),
        sa.Column("imported_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_voice_survey"),
        comment="Surveys and engagement events whose responses were imported (one version each).",
    )
    op.create_table(
        "voice_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.String(64), nullable=False),
        sa.Column("response_id", sa.String(64), nullable=False),
        sa.Column("response_date", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False, comment="Free text, personal data screened"),
        sa.Column("consent", sa.Boolean(), nullable=False, comment="consent_to_publish was yes"),
        sa.Column("anonymous", sa.Boolean(), nullable=False, comment="anonymity was anonymous"),
        sa.Column(
            "themes", sa.Text(), nullable=True, comment="Coded theme codes (;); empty: not coded"
        ),
        sa.Column("suggested", sa.Text(), nullable=False, comment="Keyword suggestions (;)"),
        sa.Column("indicators", sa.Text(), nullable=False, comment="Related indicator ids (;)"),
        sa.Column("age_band", sa.String(32), nullable=False),
        sa.Column("sex", sa.String(32), nullable=False),
        sa.Column("ethnic_group", sa.String(32), nullable=False),
        sa.Column("disability", sa.String(32), nullable=False),
        sa.Column("ward", sa.String(100), nullable=False),
        sa.Column(
            "coded_by",
            sa.String(64),
            nullable=True,
            comment="Who coded the themes (file: the file)",
        ),
        sa.Column("coded_at", _tz_voices(), nullable=True),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["voice_survey.id"],
            name="fk_voice_response_survey_id_voice_survey",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_voice_response"),
        sa.UniqueConstraint(
            "survey_id", "response_id", name="uq_voice_response_survey_id_response_id"
        ),
        comment="Responses of a survey: free text, consent, anonymity, themes and demographics.",
    )


def _downgrade_voices() -> None:
    op.drop_table("voice_response")
    op.drop_table("voice_survey")


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
