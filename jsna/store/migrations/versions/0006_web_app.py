"""web app: accounts, sign-in attempts, chapter workflow and history, analysis requests

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 01:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _tz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, comment="Lower case"),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False, comment="argon2id"),
        sa.Column("roles", sa.String(200), nullable=False, comment="Comma-separated roles"),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("session_epoch", sa.Integer(), nullable=False, comment="Bumped to end sessions"),
        sa.Column("created_at", _tz(), nullable=False),
        sa.Column("last_login_at", _tz(), nullable=True),
        sa.UniqueConstraint("username", name="uq_app_user_username"),
        comment="People who sign in to the web app (the public needs no account).",
    )
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("client", sa.String(64), nullable=False, comment="Client address"),
        sa.Column("at", _tz(), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        comment="Sign-in attempts, for throttling repeated failures.",
    )
    op.create_index("ix_login_attempt_username_at", "login_attempt", ["username", "at"])
    op.create_index("ix_login_attempt_client_at", "login_attempt", ["client", "at"])
    op.create_table(
        "chapter_state",
        sa.Column("chapter_id", sa.String(64), primary_key=True),
        sa.Column(
            "status",
            sa.String(16),
            nullable=False,
            comment="draft, in_review, approved, published",
        ),
        sa.Column("owner", sa.String(64), nullable=True, comment="Username of the chapter owner"),
        sa.Column("reviewer", sa.String(64), nullable=True),
        sa.Column("review_due", sa.Date(), nullable=True),
        sa.Column(
            "publish_on", sa.Date(), nullable=True, comment="Embargo: not public before this day"
        ),
        sa.Column("published_at", _tz(), nullable=True),
        sa.Column(
            "body", sa.Text(), nullable=False, comment="The chapter's Markdown as last edited"
        ),
        sa.Column("updated_at", _tz(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        comment="Where each chapter is in its lifecycle, and its working text.",
    )
    op.create_table(
        "chapter_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("chapter_id", sa.String(64), nullable=False),
        sa.Column("at", _tz(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column(
            "action", sa.String(32), nullable=False, comment="edit, submit, approve, publish ..."
        ),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("diff", sa.Text(), nullable=False, comment="Unified diff of the text"),
        sa.ForeignKeyConstraint(
            ["chapter_id"],
            ["chapter_state.chapter_id"],
            name="fk_chapter_event_chapter_id_chapter_state",
            ondelete="CASCADE",
        ),
        comment="The full history of every chapter: who changed what, when.",
    )
    op.create_index("ix_chapter_event_chapter_id_at", "chapter_event", ["chapter_id", "at"])
    op.create_table(
        "analysis_request",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("requester", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("population", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column(
            "status", sa.String(16), nullable=False, comment="received, in_progress, answered ..."
        ),
        sa.Column("assigned_to", sa.String(64), nullable=True),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answer_file_name", sa.String(200), nullable=True),
        sa.Column("answer_file", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", _tz(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=True, comment="Username, if signed in"),
        sa.Column("updated_at", _tz(), nullable=False),
        comment="Requests for bespoke analysis or an in-depth needs assessment.",
    )
    op.create_index("ix_analysis_request_status", "analysis_request", ["status"])


def downgrade() -> None:
    op.drop_index("ix_analysis_request_status", "analysis_request")
    op.drop_table("analysis_request")
    op.drop_index("ix_chapter_event_chapter_id_at", "chapter_event")
    op.drop_table("chapter_event")
    op.drop_table("chapter_state")
    op.drop_index("ix_login_attempt_client_at", "login_attempt")
    op.drop_index("ix_login_attempt_username_at", "login_attempt")
    op.drop_table("login_attempt")
    op.drop_table("app_user")
