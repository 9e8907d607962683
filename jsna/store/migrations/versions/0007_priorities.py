"""priority rounds, criteria scores and moderation

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _tz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _round_fk(table: str) -> sa.ForeignKey:
    return sa.ForeignKey(
        "priority_round.id", ondelete="CASCADE", name=f"fk_{table}_round_id_priority_round"
    )


def upgrade() -> None:
    op.create_table(
        "priority_round",
        sa.Column("id", sa.String(64), primary_key=True, comment="e.g. 2026-illustrative"),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, comment="open, closed, published"),
        sa.Column("illustrative", sa.Boolean(), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False, comment="file (project) or web"),
        sa.Column("matrix", sa.Text(), nullable=False, comment="JSON: the scoring matrix used"),
        sa.Column("created_at", _tz(), nullable=False),
        sa.Column("updated_at", _tz(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        comment="Rounds of priority setting (a scoring workshop).",
    )
    op.create_table(
        "priority_candidate",
        sa.Column("round_id", sa.String(64), _round_fk("priority_candidate"), primary_key=True),
        sa.Column("candidate_id", sa.String(64), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "origin",
            sa.String(16),
            nullable=False,
            comment="finding, recommendation, request ...",
        ),
        sa.Column(
            "evidence", sa.Text(), nullable=False, comment="JSON list: kind, ref, label, note"
        ),
        comment="Candidate needs of a round, with their evidence trail.",
    )
    op.create_table(
        "priority_score",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.String(64), _round_fk("priority_score"), nullable=False),
        sa.Column("candidate_id", sa.String(64), nullable=False),
        sa.Column("scorer", sa.String(64), nullable=False),
        sa.Column("criterion", sa.String(32), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, comment="1, then +1 per change"),
        sa.Column("updated_at", _tz(), nullable=False),
        sa.UniqueConstraint(
            "round_id",
            "candidate_id",
            "scorer",
            "criterion",
            name="uq_priority_score_round_id_candidate_id_scorer_criterion",
        ),
        comment="The current score of each scorer, candidate and criterion (upserted).",
    )
    op.create_table(
        "priority_moderation",
        sa.Column("round_id", sa.String(64), _round_fk("priority_moderation"), primary_key=True),
        sa.Column("candidate_id", sa.String(64), primary_key=True),
        sa.Column("criterion", sa.String(32), primary_key=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("moderator", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", _tz(), nullable=False),
        comment="A moderator's override of the median score, with who and why.",
    )
    op.create_table(
        "priority_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.String(64), _round_fk("priority_event"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False, comment="score, moderation, status"),
        sa.Column("candidate_id", sa.String(64), nullable=True),
        sa.Column("scorer", sa.String(64), nullable=True),
        sa.Column("criterion", sa.String(32), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True, comment="Empty: a moderation withdrawn"),
        sa.Column("text", sa.Text(), nullable=False, comment="Comment, reason or new status"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", _tz(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("via", sa.String(16), nullable=False, comment="web, sheet, file, cli"),
        comment="Every version of every score, moderation and status change (never updated).",
    )
    op.create_index("ix_priority_event_round_id_at", "priority_event", ["round_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_priority_event_round_id_at", table_name="priority_event")
    for name in (
        "priority_event",
        "priority_moderation",
        "priority_score",
        "priority_candidate",
        "priority_round",
    ):
        op.drop_table(name)
