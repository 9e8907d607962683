"""consultations on draft chapters: invitations, comments and responses

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _tz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "consultation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("chapter_id", sa.String(64), nullable=False),
        sa.Column(
            "title", sa.String(200), nullable=False, comment="The chapter's title when opened"
        ),
        sa.Column("introduction", sa.Text(), nullable=False, comment="Shown above the draft"),
        sa.Column("audience", sa.String(16), nullable=False, comment="public or invited"),
        sa.Column("opens_on", sa.Date(), nullable=False, comment="First day comments are taken"),
        sa.Column("closes_on", sa.Date(), nullable=False, comment="Last day comments are taken"),
        sa.Column(
            "body", sa.Text(), nullable=False, comment="The draft's Markdown as consulted on"
        ),
        sa.Column("closed_at", _tz(), nullable=True, comment="Closed early"),
        sa.Column("closed_by", sa.String(64), nullable=True),
        sa.Column("report_published_at", _tz(), nullable=True),
        sa.Column("report_published_by", sa.String(64), nullable=True),
        sa.Column("created_at", _tz(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["chapter_id"],
            ["chapter_state.chapter_id"],
            name="fk_consultation_chapter_id_chapter_state",
            ondelete="CASCADE",
        ),
        comment="A draft chapter shared for comment for a set period.",
    )
    op.create_index("ix_consultation_chapter_id", "consultation", ["chapter_id"])
    op.create_table(
        "consultation_invitee",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column(
            "label", sa.String(320), nullable=False, comment="E-mail address or organisation"
        ),
        sa.Column("token_hash", sa.String(64), nullable=False, comment="SHA-256 of the link"),
        sa.Column("created_at", _tz(), nullable=False),
        sa.Column("last_used_at", _tz(), nullable=True),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name="fk_consultation_invitee_consultation_id_consultation",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("token_hash", name="uq_consultation_invitee_token_hash"),
        comment="Who is invited to an invited consultation (only a hash of each link is kept).",
    )
    op.create_table(
        "consultation_comment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column(
            "section", sa.String(64), nullable=False, comment="Slug of the section commented on"
        ),
        sa.Column("section_title", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("organisation", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "consent", sa.Boolean(), nullable=False, comment="May be published in the report"
        ),
        sa.Column("invitee_id", sa.Integer(), nullable=True),
        sa.Column(
            "client_hash", sa.String(64), nullable=False, comment="Keyed hash of the address"
        ),
        sa.Column("created_at", _tz(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, comment="held, approved, rejected"),
        sa.Column("moderated_by", sa.String(64), nullable=True),
        sa.Column("moderated_at", _tz(), nullable=True),
        sa.Column("reject_reason", sa.Text(), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("changed", sa.Boolean(), nullable=True, comment="Whether the text was changed"),
        sa.Column("change_note", sa.Text(), nullable=False, comment="What was changed"),
        sa.Column("responded_by", sa.String(64), nullable=True),
        sa.Column("responded_at", _tz(), nullable=True),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name="fk_consultation_comment_consultation_id_consultation",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invitee_id"],
            ["consultation_invitee.id"],
            name="fk_consultation_comment_invitee_id_consultation_invitee",
            ondelete="SET NULL",
        ),
        comment="Comments on a consultation's sections, their moderation and the owner's response.",
    )
    op.create_index(
        "ix_consultation_comment_consultation_id_status",
        "consultation_comment",
        ["consultation_id", "status"],
    )
    op.create_index(
        "ix_consultation_comment_client_hash_created_at",
        "consultation_comment",
        ["client_hash", "created_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_consultation_comment_client_hash_created_at", "consultation_comment")
    op.drop_index("ix_consultation_comment_consultation_id_status", "consultation_comment")
    op.drop_table("consultation_comment")
    op.drop_table("consultation_invitee")
    op.drop_index("ix_consultation_chapter_id", "consultation")
    op.drop_table("consultation")
