"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26 09:09:22.872334
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "area_type",
        sa.Column(
            "code",
            sa.String(length=64),
            nullable=False,
            comment="e.g. lsoa21, ward23, ltla24, locality",
        ),
        sa.Column("name", sa.String(length=200), nullable=False, comment="Name shown to readers"),
        sa.Column(
            "level", sa.Integer(), nullable=False, comment="0 = finest (LSOA) ... larger = coarser"
        ),
        sa.Column(
            "vintage", sa.String(length=16), nullable=False, comment="Boundary vintage, e.g. 2021"
        ),
        sa.Column("is_custom", sa.Boolean(), nullable=False, comment="Defined by the project"),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_area_type")),
        comment="Kinds of area, with their boundary vintage.",
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "actor",
            sa.String(length=200),
            nullable=False,
            comment="User, or 'cli' for the command line",
        ),
        sa.Column(
            "action", sa.String(length=64), nullable=False, comment="e.g. import, compute, publish"
        ),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False, comment="JSON"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        comment="Every change to the store, in order.",
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)

    op.create_table(
        "source",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("publisher", sa.String(length=200), nullable=False),
        sa.Column("licence", sa.String(length=200), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("declaration", sa.Text(), nullable=False, comment="The declaration as JSON"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source")),
        comment="A declared data source of the project.",
    )
    op.create_table(
        "area",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_type", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_type"], ["area_type.code"], name=op.f("fk_area_area_type_area_type")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area")),
        sa.UniqueConstraint("area_type", "code", name=op.f("uq_area_area_type_code")),
        comment="One area of one type (an LSOA, a ward, a GP practice, a locality).",
    )
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_area_code"), ["code"], unique=False)

    op.create_table(
        "dataset_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column(
            "checksum", sa.String(length=64), nullable=False, comment="SHA-256 of the imported file"
        ),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("retrieved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_dataset_version_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_version")),
        sa.UniqueConstraint(
            "source_id", "checksum", name=op.f("uq_dataset_version_source_id_checksum")
        ),
        comment="One imported file of a source: a vintage. Unchanged input creates none.",
    )
    op.create_table(
        "area_membership",
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False, comment="Share of the child in the parent"),
        sa.Column(
            "method",
            sa.String(length=32),
            nullable=False,
            comment="lookup, best_fit, apportioned, custom or point_in_polygon",
        ),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["area.id"],
            name=op.f("fk_area_membership_child_id_area"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["area.id"],
            name=op.f("fk_area_membership_parent_id_area"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["dataset_version.id"],
            name=op.f("fk_area_membership_version_id_dataset_version"),
        ),
        sa.PrimaryKeyConstraint("child_id", "parent_id", name=op.f("pk_area_membership")),
        comment="Which areas make up which (with the share when they do not nest).",
    )
    with op.batch_alter_table("area_membership", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_area_membership_parent_id"), ["parent_id"], unique=False
        )

    op.create_table(
        "boundary",
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("geojson", sa.Text(), nullable=False, comment="Simplified geometry for display"),
        sa.Column("min_x", sa.Float(), nullable=False),
        sa.Column("min_y", sa.Float(), nullable=False),
        sa.Column("max_x", sa.Float(), nullable=False),
        sa.Column("max_y", sa.Float(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["area_id"], ["area.id"], name=op.f("fk_boundary_area_id_area"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["dataset_version.id"],
            name=op.f("fk_boundary_version_id_dataset_version"),
        ),
        sa.PrimaryKeyConstraint("area_id", name=op.f("pk_boundary")),
        comment="Boundary of an area (WGS84), simplified for maps.",
    )
    op.create_table(
        "observation",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.String(length=64), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column(
            "area_type",
            sa.String(length=64),
            nullable=False,
            comment="Copied from area for the queries",
        ),
        sa.Column(
            "period", sa.String(length=16), nullable=False, comment="As published: 2019, 2019/20"
        ),
        sa.Column("period_start", sa.Integer(), nullable=False, comment="First year, for ordering"),
        sa.Column("sex", sa.String(length=16), nullable=False),
        sa.Column("age", sa.String(length=32), nullable=False),
        sa.Column("breakdown_type", sa.String(length=64), nullable=False),
        sa.Column("breakdown", sa.String(length=100), nullable=False),
        sa.Column("numerator", sa.Float(), nullable=True, comment="Count of events or people"),
        sa.Column("denominator", sa.Float(), nullable=True, comment="Population at risk"),
        sa.Column("value", sa.Float(), nullable=True, comment="The indicator value"),
        sa.Column("lower_95", sa.Float(), nullable=True, comment="Lower 95% confidence limit"),
        sa.Column("upper_95", sa.Float(), nullable=True, comment="Upper 95% confidence limit"),
        sa.Column("lower_99_8", sa.Float(), nullable=True, comment="Lower 99.8% confidence limit"),
        sa.Column("upper_99_8", sa.Float(), nullable=True, comment="Upper 99.8% confidence limit"),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_observation_area_id_area")),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["dataset_version.id"],
            name=op.f("fk_observation_version_id_dataset_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observation")),
        comment="An imported figure for one indicator, area, period and breakdown.",
    )
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.create_index("ix_observation_area", ["area_id", "indicator_id"], unique=False)
        batch_op.create_index(
            "ix_observation_indicator", ["indicator_id", "area_type", "period_start"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_observation_version_id"), ["version_id"], unique=False)

    op.create_table(
        "result",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("indicator_id", sa.String(length=64), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column(
            "area_type",
            sa.String(length=64),
            nullable=False,
            comment="Copied from area for the queries",
        ),
        sa.Column(
            "period", sa.String(length=16), nullable=False, comment="As published: 2019, 2019/20"
        ),
        sa.Column("period_start", sa.Integer(), nullable=False, comment="First year, for ordering"),
        sa.Column("sex", sa.String(length=16), nullable=False),
        sa.Column("age", sa.String(length=32), nullable=False),
        sa.Column("breakdown_type", sa.String(length=64), nullable=False),
        sa.Column("breakdown", sa.String(length=100), nullable=False),
        sa.Column("numerator", sa.Float(), nullable=True, comment="Count of events or people"),
        sa.Column("denominator", sa.Float(), nullable=True, comment="Population at risk"),
        sa.Column("value", sa.Float(), nullable=True, comment="The indicator value"),
        sa.Column("lower_95", sa.Float(), nullable=True, comment="Lower 95% confidence limit"),
        sa.Column("upper_95", sa.Float(), nullable=True, comment="Upper 95% confidence limit"),
        sa.Column("lower_99_8", sa.Float(), nullable=True, comment="Lower 99.8% confidence limit"),
        sa.Column("upper_99_8", sa.Float(), nullable=True, comment="Upper 99.8% confidence limit"),
        sa.Column("confidence", sa.String(length=16), nullable=True),
        sa.Column("statistic", sa.String(length=100), nullable=True),
        sa.Column("method", sa.String(length=100), nullable=True),
        sa.Column(
            "comparison",
            sa.Text(),
            nullable=True,
            comment="JSON: benchmark -> better/similar/worse",
        ),
        sa.Column("trend", sa.String(length=32), nullable=True),
        sa.Column("suppressed", sa.Boolean(), nullable=False),
        sa.Column("suppression_reason", sa.String(length=200), nullable=False),
        sa.Column(
            "input_versions", sa.Text(), nullable=False, comment="JSON list of dataset_version ids"
        ),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_result_area_id_area")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result")),
        comment="A computed figure, after disclosure control, ready to publish.",
    )
    with op.batch_alter_table("result", schema=None) as batch_op:
        batch_op.create_index("ix_result_area", ["area_id", "indicator_id"], unique=False)
        batch_op.create_index(
            "ix_result_indicator", ["indicator_id", "area_type", "period_start"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("result", schema=None) as batch_op:
        batch_op.drop_index("ix_result_indicator")
        batch_op.drop_index("ix_result_area")

    op.drop_table("result")
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_observation_version_id"))
        batch_op.drop_index("ix_observation_indicator")
        batch_op.drop_index("ix_observation_area")

    op.drop_table("observation")
    op.drop_table("boundary")
    with op.batch_alter_table("area_membership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_area_membership_parent_id"))

    op.drop_table("area_membership")
    op.drop_table("dataset_version")
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_area_code"))

    op.drop_table("area")
    op.drop_table("source")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
    op.drop_table("area_type")
