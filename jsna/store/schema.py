"""The tables of the jsna store (SQLAlchemy Core), one place for the whole schema.

::

    area_type ──< area ──< area_membership >── area      (child -> parent, weight)
                    │  └── boundary                       (simplified GeoJSON per area)
    source ──< dataset_version ──< observation >── area  (imported figures)
                                   result        >── area (computed, published figures)
    compute_state                                         (inputs hash of each indicator's results)
    observation_slice ──< observation_slice_part          (packed copy of observation)
    audit_log                                             (who did what, when)
    app_user ──< login_attempt                            (web accounts, login throttling)
    chapter_state ──< chapter_event                       (editorial workflow and history)
    analysis_request                                      (bespoke analysis asked for)
    consultation ──< consultation_comment, _invitee       (comments on draft chapters)

Every imported file is a ``dataset_version`` (checksum, retrieval time, row
count); observations point at the version they came from, so old vintages stay
queryable and "what changed" is a comparison of two versions. Alembic
migrations in ``jsna/store/migrations`` create exactly these tables (a test
compares the migrated database with this metadata).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

CODE = String(32)
"""Area codes (ONS nine-character codes, practice codes, custom codes)."""
LABEL = String(64)

area_type = Table(
    "area_type",
    metadata,
    Column("code", LABEL, primary_key=True, comment="e.g. lsoa21, ward23, ltla24, locality"),
    Column("name", String(200), nullable=False, comment="Name shown to readers"),
    Column("level", Integer, nullable=False, comment="0 = finest (LSOA) ... larger = coarser"),
    Column("vintage", String(16), nullable=False, comment="Boundary vintage, e.g. 2021"),
    Column("is_custom", Boolean, nullable=False, default=False, comment="Defined by the project"),
    comment="Kinds of area, with their boundary vintage.",
)

area = Table(
    "area",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("area_type", LABEL, ForeignKey("area_type.code"), nullable=False),
    Column("code", CODE, nullable=False),
    Column("name", String(200), nullable=False),
    UniqueConstraint("area_type", "code"),
    Index(None, "code"),
    comment="One area of one type (an LSOA, a ward, a GP practice, a locality).",
)

area_membership = Table(
    "area_membership",
    metadata,
    Column("child_id", Integer, ForeignKey("area.id", ondelete="CASCADE"), primary_key=True),
    Column("parent_id", Integer, ForeignKey("area.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "weight", Float, nullable=False, default=1.0, comment="Share of the child in the parent"
    ),
    Column(
        "method",
        String(32),
        nullable=False,
        comment="lookup, best_fit, apportioned, custom or point_in_polygon",
    ),
    Column("version_id", Integer, ForeignKey("dataset_version.id"), nullable=True),
    Index(None, "parent_id"),
    comment="Which areas make up which (with the share when they do not nest).",
)

boundary = Table(
    "boundary",
    metadata,
    Column("area_id", Integer, ForeignKey("area.id", ondelete="CASCADE"), primary_key=True),
    Column("geojson", Text, nullable=False, comment="Simplified geometry for display"),
    Column("min_x", Float, nullable=False),
    Column("min_y", Float, nullable=False),
    Column("max_x", Float, nullable=False),
    Column("max_y", Float, nullable=False),
    Column("version_id", Integer, ForeignKey("dataset_version.id"), nullable=True),
    comment="Boundary of an area (WGS84), simplified for maps.",
)

source = Table(
    "source",
    metadata,
    Column("id", LABEL, primary_key=True),
    Column("title", String(300), nullable=False),
    Column("publisher", String(200), nullable=False),
    Column("licence", String(200), nullable=False),
    Column("url", Text, nullable=True),
    Column("format", String(32), nullable=False),
    Column("declaration", Text, nullable=False, comment="The declaration as JSON"),
    comment="A declared data source of the project.",
)

dataset_version = Table(
    "dataset_version",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", LABEL, ForeignKey("source.id"), nullable=False),
    Column("checksum", String(64), nullable=False, comment="SHA-256 of the imported file"),
    Column("file_name", Text, nullable=False),
    Column("retrieved_at", DateTime(timezone=True), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("row_count", Integer, nullable=False),
    Column("is_current", Boolean, nullable=False, default=True),
    UniqueConstraint("source_id", "checksum"),
    comment="One imported file of a source: a vintage. Unchanged input creates none.",
)

_FIGURES = (
    ("numerator", "Count of events or people"),
    ("denominator", "Population at risk"),
    ("value", "The indicator value"),
    ("lower_95", "Lower 95% confidence limit"),
    ("upper_95", "Upper 95% confidence limit"),
    ("lower_99_8", "Lower 99.8% confidence limit"),
    ("upper_99_8", "Upper 99.8% confidence limit"),
)


def _keys() -> list[Column[object]]:
    """Columns that say which figure a row is: indicator, area, period, breakdown."""
    return [
        Column("indicator_id", LABEL, nullable=False),
        Column("area_id", Integer, ForeignKey("area.id"), nullable=False),
        Column("area_type", LABEL, nullable=False, comment="Copied from area for the queries"),
        Column("period", String(16), nullable=False, comment="As published: 2019, 2019/20"),
        Column("period_start", Integer, nullable=False, comment="First year, for ordering"),
        Column("sex", String(16), nullable=False, default="persons"),
        Column("age", String(32), nullable=False, default="all ages"),
        Column("breakdown_type", String(200), nullable=False, default=""),
        Column("breakdown", String(100), nullable=False, default=""),
    ]


def _figures() -> list[Column[object]]:
    return [Column(name, Float, nullable=True, comment=text) for name, text in _FIGURES]


observation = Table(
    "observation",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("version_id", Integer, ForeignKey("dataset_version.id"), nullable=False),
    *_keys(),
    *_figures(),
    Index("ix_observation_indicator", "indicator_id", "area_type", "period_start"),
    Index("ix_observation_area", "area_id", "indicator_id"),
    Index(None, "version_id"),
    comment="An imported figure for one indicator, area, period and breakdown.",
)

result = Table(
    "result",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    *_keys(),
    *_figures(),
    Column("confidence", String(16), nullable=True),
    Column("statistic", String(100), nullable=True),
    Column("method", String(100), nullable=True),
    Column("comparison", Text, nullable=True, comment="JSON: benchmark -> better/similar/worse"),
    Column("trend", String(32), nullable=True),
    Column(
        "benchmarks",
        Text,
        nullable=True,
        comment="JSON: comparator -> its value for the same period and breakdown",
    ),
    Column("quintile", Integer, nullable=True, comment="1..5 within the area type and period"),
    Column(
        "fit",
        String(16),
        nullable=True,
        comment="exact, best_fit or apportioned: how the area's figure was built",
    ),
    Column("suppressed", Boolean, nullable=False, default=False),
    Column("suppression_reason", String(200), nullable=False, default=""),
    Column("input_versions", Text, nullable=False, comment="JSON list of dataset_version ids"),
    Column("computed_at", DateTime(timezone=True), nullable=False),
    Index("ix_result_indicator", "indicator_id", "area_type", "period_start"),
    Index("ix_result_area", "area_id", "indicator_id"),
    comment="A computed figure, after disclosure control, ready to publish.",
)

compute_state = Table(
    "compute_state",
    metadata,
    Column("indicator_id", LABEL, primary_key=True),
    Column(
        "inputs_hash",
        String(64),
        nullable=False,
        comment="SHA-256 of definition, dataset versions, geography and disclosure rules",
    ),
    Column("input_versions", Text, nullable=False, comment="JSON list of dataset_version ids"),
    Column("result_rows", Integer, nullable=False),
    Column("computed_at", DateTime(timezone=True), nullable=False),
    comment="What each indicator's published results were computed from (incremental compute).",
)

observation_slice = Table(
    "observation_slice",
    metadata,
    Column("indicator_id", LABEL, primary_key=True),
    Column("area_type", LABEL, primary_key=True),
    Column(
        "version_key",
        Text,
        primary_key=True,
        comment="Sorted ids of the current versions of its sources, e.g. 3,7",
    ),
    Column("row_count", Integer, nullable=False),
    Column("built_at", DateTime(timezone=True), nullable=False),
    Column("payload", LargeBinary, nullable=False, comment="Columns as numpy arrays"),
    comment="The current observations of one indicator and area type, packed for fast reads.",
)

observation_slice_part = Table(
    "observation_slice_part",
    metadata,
    Column("indicator_id", LABEL, primary_key=True),
    Column("area_type", LABEL, primary_key=True),
    Column("version_key", Text, primary_key=True),
    Column("part", Integer, primary_key=True, autoincrement=False, comment="1, 2, ..."),
    Column("payload", LargeBinary, nullable=False, comment="One large column array"),
    ForeignKeyConstraint(
        ["indicator_id", "area_type", "version_key"],
        [
            observation_slice.c.indicator_id,
            observation_slice.c.area_type,
            observation_slice.c.version_key,
        ],
        ondelete="CASCADE",
    ),
    comment="The large column arrays of a slice, one per row (PostgreSQL sends one"
    " huge value about twice as slowly as the same bytes in a few rows).",
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False, comment="User, or 'cli' for the command line"),
    Column("action", String(64), nullable=False, comment="e.g. import, compute, publish"),
    Column("entity", String(64), nullable=False),
    Column("entity_id", String(200), nullable=False),
    Column("detail", Text, nullable=False, default="{}", comment="JSON"),
    Index(None, "at"),
    comment="Every change to the store, in order.",
)

app_user = Table(
    "app_user",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True, comment="Lower case"),
    Column("display_name", String(200), nullable=False),
    Column("email", String(320), nullable=False, default=""),
    Column("password_hash", String(200), nullable=False, comment="argon2id"),
    Column("roles", String(200), nullable=False, default="", comment="Comma-separated roles"),
    Column("active", Boolean, nullable=False, default=True),
    Column("session_epoch", Integer, nullable=False, default=0, comment="Bumped to end sessions"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_login_at", DateTime(timezone=True), nullable=True),
    comment="People who sign in to the web app (the public needs no account).",
)

login_attempt = Table(
    "login_attempt",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False),
    Column("client", String(64), nullable=False, comment="Client address"),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("succeeded", Boolean, nullable=False),
    Index(None, "username", "at"),
    Index(None, "client", "at"),
    comment="Sign-in attempts, for throttling repeated failures.",
)

chapter_state = Table(
    "chapter_state",
    metadata,
    Column("chapter_id", LABEL, primary_key=True),
    Column("status", String(16), nullable=False, comment="draft, in_review, approved, published"),
    Column("owner", String(64), nullable=True, comment="Username of the chapter owner"),
    Column("reviewer", String(64), nullable=True),
    Column("review_due", Date, nullable=True),
    Column("publish_on", Date, nullable=True, comment="Embargo: not public before this day"),
    Column("published_at", DateTime(timezone=True), nullable=True),
    Column("body", Text, nullable=False, comment="The chapter's Markdown as last edited"),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(64), nullable=False),
    comment="Where each chapter is in its lifecycle, and its working text.",
)

chapter_event = Table(
    "chapter_event",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "chapter_id",
        LABEL,
        ForeignKey("chapter_state.chapter_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(32), nullable=False, comment="edit, submit, approve, publish ..."),
    Column("from_status", String(16), nullable=True),
    Column("to_status", String(16), nullable=True),
    Column("comment", Text, nullable=False, default=""),
    Column("diff", Text, nullable=False, default="", comment="Unified diff of the text"),
    Index(None, "chapter_id", "at"),
    comment="The full history of every chapter: who changed what, when.",
)

analysis_request = Table(
    "analysis_request",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("requester", String(200), nullable=False),
    Column("email", String(320), nullable=False),
    Column("question", Text, nullable=False),
    Column("population", Text, nullable=False),
    Column("deadline", Date, nullable=True),
    Column("status", String(16), nullable=False, comment="received, in_progress, answered ..."),
    Column("assigned_to", String(64), nullable=True),
    Column("answer", Text, nullable=False, default=""),
    Column("answer_file_name", String(200), nullable=True),
    Column("answer_file", LargeBinary, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(64), nullable=True, comment="Username, if signed in"),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index(None, "status"),
    comment="Requests for bespoke analysis or an in-depth needs assessment.",
)

# --- Consultations on draft chapters (jsna.store.consultation, jsna.web.consultation) --------
# consultation ──< consultation_invitee
#              └─< consultation_comment >── consultation_invitee (when an invitee wrote it)

consultation = Table(
    "consultation",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "chapter_id",
        LABEL,
        ForeignKey("chapter_state.chapter_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("title", String(200), nullable=False, comment="The chapter's title when opened"),
    Column("introduction", Text, nullable=False, default="", comment="Shown above the draft"),
    Column("audience", String(16), nullable=False, comment="public or invited"),
    Column("opens_on", Date, nullable=False, comment="First day comments are taken"),
    Column("closes_on", Date, nullable=False, comment="Last day comments are taken"),
    Column("body", Text, nullable=False, comment="The draft's Markdown as consulted on"),
    Column("closed_at", DateTime(timezone=True), nullable=True, comment="Closed early"),
    Column("closed_by", String(64), nullable=True),
    Column("report_published_at", DateTime(timezone=True), nullable=True),
    Column("report_published_by", String(64), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(64), nullable=False),
    Index(None, "chapter_id"),
    comment="A draft chapter shared for comment for a set period.",
)

consultation_invitee = Table(
    "consultation_invitee",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "consultation_id",
        Integer,
        ForeignKey("consultation.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("label", String(320), nullable=False, comment="E-mail address or organisation"),
    Column("token_hash", String(64), nullable=False, unique=True, comment="SHA-256 of the link"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True), nullable=True),
    comment="Who is invited to an invited consultation (only a hash of each link is kept).",
)

consultation_comment = Table(
    "consultation_comment",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "consultation_id",
        Integer,
        ForeignKey("consultation.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("section", LABEL, nullable=False, comment="Slug of the section commented on"),
    Column("section_title", String(200), nullable=False),
    Column("name", String(200), nullable=False, default=""),
    Column("organisation", String(200), nullable=False, default=""),
    Column("body", Text, nullable=False),
    Column("consent", Boolean, nullable=False, comment="May be published in the report"),
    Column(
        "invitee_id",
        Integer,
        ForeignKey("consultation_invitee.id", ondelete="SET NULL"),
        nullable=True,
    ),
    Column("client_hash", String(64), nullable=False, comment="Keyed hash of the address"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False, comment="held, approved, rejected"),
    Column("moderated_by", String(64), nullable=True),
    Column("moderated_at", DateTime(timezone=True), nullable=True),
    Column("reject_reason", Text, nullable=False, default=""),
    Column("response", Text, nullable=False, default=""),
    Column("changed", Boolean, nullable=True, comment="Whether the text was changed"),
    Column("change_note", Text, nullable=False, default="", comment="What was changed"),
    Column("responded_by", String(64), nullable=True),
    Column("responded_at", DateTime(timezone=True), nullable=True),
    Index(None, "consultation_id", "status"),
    Index(None, "client_hash", "created_at"),
    comment="Comments on a consultation's sections, their moderation and the owner's response.",
)


# --- Priority setting (issue 8; jsna.store.priorities, migration 0007) -------------------

priority_round = Table(
    "priority_round",
    metadata,
    Column("id", LABEL, primary_key=True, comment="e.g. 2026-illustrative"),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("status", String(16), nullable=False, comment="open, closed, published"),
    Column("illustrative", Boolean, nullable=False, default=False),
    Column("origin", String(16), nullable=False, comment="file (project) or web"),
    Column("matrix", Text, nullable=False, comment="JSON: the scoring matrix used"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(64), nullable=False),
    comment="Rounds of priority setting (a scoring workshop).",
)

priority_candidate = Table(
    "priority_candidate",
    metadata,
    Column(
        "round_id",
        LABEL,
        ForeignKey("priority_round.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("candidate_id", LABEL, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("origin", String(16), nullable=False, comment="finding, recommendation, request ..."),
    Column("evidence", Text, nullable=False, comment="JSON list: kind, ref, label, note"),
    comment="Candidate needs of a round, with their evidence trail.",
)

priority_score = Table(
    "priority_score",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("round_id", LABEL, ForeignKey("priority_round.id", ondelete="CASCADE"), nullable=False),
    Column("candidate_id", LABEL, nullable=False),
    Column("scorer", String(64), nullable=False),
    Column("criterion", String(32), nullable=False),
    Column("score", Integer, nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Column("version", Integer, nullable=False, comment="1, then +1 per change"),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("round_id", "candidate_id", "scorer", "criterion"),
    comment="The current score of each scorer, candidate and criterion (upserted).",
)

priority_moderation = Table(
    "priority_moderation",
    metadata,
    Column(
        "round_id",
        LABEL,
        ForeignKey("priority_round.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("candidate_id", LABEL, primary_key=True),
    Column("criterion", String(32), primary_key=True),
    Column("score", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("moderator", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    comment="A moderator's override of the median score, with who and why.",
)

priority_event = Table(
    "priority_event",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("round_id", LABEL, ForeignKey("priority_round.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False, comment="score, moderation, status"),
    Column("candidate_id", LABEL, nullable=True),
    Column("scorer", String(64), nullable=True),
    Column("criterion", String(32), nullable=True),
    Column("score", Integer, nullable=True, comment="Empty: a moderation withdrawn"),
    Column("text", Text, nullable=False, default="", comment="Comment, reason or new status"),
    Column("version", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("via", String(16), nullable=False, comment="web, sheet, file, cli"),
    Index(None, "round_id", "at"),
    comment="Every version of every score, moderation and status change (never updated).",
)

# --- Community voices (issue 8; jsna.analysis.voices_store, migration 0008 _upgrade_voices) ---

voice_survey = Table(
    "voice_survey",
    metadata,
    Column("id", LABEL, primary_key=True, comment="Survey id (voices/<id>.yml)"),
    Column("title", String(200), nullable=False),
    Column("method", String(32), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("participants", Integer, nullable=False, comment="How many took part (as reported)"),
    Column("made_up", Boolean, nullable=False, comment="An illustrative, made-up dataset"),
    Column("file_name", String(200), nullable=False),
    Column("checksum", String(64), nullable=False, comment="SHA-256 of the imported file"),
    Column("row_count", Integer, nullable=False),
    Column("stripped", Integer, nullable=False, comment="Personal data items removed"),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("imported_by", String(64), nullable=False),
    comment="Surveys and engagement events whose responses were imported (one version each).",
)

voice_response = Table(
    "voice_response",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("survey_id", LABEL, ForeignKey("voice_survey.id", ondelete="CASCADE"), nullable=False),
    Column("response_id", LABEL, nullable=False),
    Column("response_date", Date, nullable=False),
    Column("text", Text, nullable=False, comment="Free text, personal data screened"),
    Column("consent", Boolean, nullable=False, comment="consent_to_publish was yes"),
    Column("anonymous", Boolean, nullable=False, comment="anonymity was anonymous"),
    Column("themes", Text, nullable=True, comment="Coded theme codes (;); empty: not coded"),
    Column("suggested", Text, nullable=False, default="", comment="Keyword suggestions (;)"),
    Column("indicators", Text, nullable=False, default="", comment="Related indicator ids (;)"),
    Column("age_band", String(32), nullable=False),
    Column("sex", String(32), nullable=False),
    Column("ethnic_group", String(32), nullable=False),
    Column("disability", String(32), nullable=False),
    Column("ward", String(100), nullable=False),
    Column("coded_by", String(64), nullable=True, comment="Who coded the themes (file: the file)"),
    Column("coded_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("survey_id", "response_id"),
    comment="Responses of a survey: free text, consent, anonymity, themes and demographics.",
)

# --- Recommendations and community assets (issue 8; jsna.analysis.tracker, jsna.analysis.assets;
# --- migration 0008 _upgrade_recommendations / _upgrade_assets) -------------------------------

recommendation_status = Table(
    "recommendation_status",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("recommendation_id", LABEL, nullable=False, comment="Id in recommendations.yml"),
    Column("status", String(16), nullable=False, comment="not started, in progress, done, dropped"),
    Column("note", Text, nullable=False, default="", comment="What changed, in the editor's words"),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("changed_by", String(64), nullable=False),
    Index(None, "recommendation_id", "changed_at"),
    comment="Every status update of a recommendation (never updated; the latest wins).",
)

community_asset = Table(
    "community_asset",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("list_name", LABEL, nullable=False, comment="Name of the imported asset list"),
    Column("row_number", Integer, nullable=False, comment="Row in the imported file (header = 1)"),
    Column("name", String(200), nullable=False),
    Column("category", String(100), nullable=False),
    Column("postcode", String(10), nullable=True, comment="As resolved, when given"),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("file_name", String(200), nullable=False),
    Column("checksum", String(64), nullable=False, comment="SHA-256 of the imported file"),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("imported_by", String(64), nullable=False),
    Index(None, "list_name"),
    comment="Community assets (groups, venues, services) of a council's own imported lists.",
)
