"""The course database's tables (SQLAlchemy Core). Alembic migrations in `simulator/migrations`
create and change them; `tests/test_database.py` checks that the migrations and these tables agree.

Timestamps are ISO 8601 strings in UTC, as in the JSON transcripts, so they sort and compare the
same on SQLite and PostgreSQL. Choice rows carry their vignette and cohort, so that the cohort
hot-spot report is one GROUP BY over one indexed table.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

ROLES = ("trainee", "course_leader", "assessor")
VERDICTS = ("competent", "not_yet")

metadata = MetaData()

Name = String(100)
Stamp = String(32)

people = Table(
    "people",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Name, nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    Column("password_hash", String(255)),
    Column("created_at", Stamp, nullable=False),
    CheckConstraint("role IN ('trainee', 'course_leader', 'assessor')", name="people_role"),
)

cohorts = Table(
    "cohorts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Name, nullable=False, unique=True),
    Column("created_at", Stamp, nullable=False),
    Column("created_by", Name),
)

members = Table(
    "members",
    metadata,
    Column("cohort_id", Integer, ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
)

assignments = Table(
    "assignments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("cohort_id", Integer, ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
    Column("vignette_id", Name, nullable=False),
    Column("mode", String(12), nullable=False),
    Column("due", String(10)),
    Column("attempts", Integer, nullable=False),
    Column("rationale_required", Boolean, nullable=False),
    Column("created_at", Stamp, nullable=False),
    Column("created_by", Name),
    Column("own_words", Boolean, nullable=False, server_default=false()),
    UniqueConstraint("cohort_id", "vignette_id", name="assignments_once_per_cohort"),
    CheckConstraint("attempts >= 1", name="assignments_attempts"),
    CheckConstraint("mode IN ('practice', 'assessment')", name="assignments_mode"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("vignette_id", Name, nullable=False),
    Column("trainee", Name),
    Column("mode", String(12), nullable=False),
    Column("source", String(12), nullable=False),
    Column("rubric_version", String(40), nullable=False),
    Column("assignment_id", Integer, ForeignKey("assignments.id", ondelete="SET NULL")),
    Column("cohort_id", Integer, ForeignKey("cohorts.id", ondelete="SET NULL")),
    Column("started_at", Stamp, nullable=False),
    Column("updated_at", Stamp, nullable=False),
    Column("ended_at", Stamp),
    Column("ending", Name),
    Column("overall", Integer),
    Column("band", String(40)),
    Column("header", Text, nullable=False),
    Index("sessions_trainee", "trainee", "vignette_id"),
    Index("sessions_cohort", "cohort_id"),
)

events = Table(
    "events",
    metadata,
    Column(
        "session_id", String(36), ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("kind", String(8), nullable=False),
    Column("at", Stamp, nullable=False),
    Column("vignette_id", Name, nullable=False),
    Column("cohort_id", Integer),
    Column("turn", Integer),
    Column("beat", Name),
    Column("choice", Integer),
    Column("valence", String(1)),
    Column("points", Integer),
    Column("pushed", Boolean),
    Column("unrepaired", Boolean),
    Column("body", Text, nullable=False),
    # covering the hot-spot report: it reads only the index
    Index("events_hotspots", "cohort_id", "kind", "vignette_id", "beat", "pushed", "unrepaired"),
)

comments = Table(
    "comments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(36), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("turn", Integer),
    Column("author", Name, nullable=False),
    Column("at", Stamp, nullable=False),
    Column("text", Text, nullable=False),
)

overrides = Table(
    "overrides",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(36), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("turn", Integer, nullable=False),
    Column("field", String(12), nullable=False),
    Column("original", Text, nullable=False),
    Column("value", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("author", Name, nullable=False),
    Column("at", Stamp, nullable=False),
    CheckConstraint("field IN ('moves', 'points')", name="overrides_field"),
)

signoffs = Table(
    "signoffs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(36), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("assessor", Name, nullable=False),
    Column("verdict", String(12), nullable=False),
    Column("summary", Text, nullable=False),
    Column("at", Stamp, nullable=False),
    CheckConstraint("verdict IN ('competent', 'not_yet')", name="signoffs_verdict"),
)

reflection_ratings = Table(
    "reflection_ratings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(36), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("assessor", Name, nullable=False),
    Column("level", Integer, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("at", Stamp, nullable=False),
    CheckConstraint("level BETWEEN 0 AND 2", name="reflection_ratings_level"),
)
"""An assessor's rating of a session's check-in notes and rationales (reflective practice is
rated by a person, not the scorer). The latest rating of each assessor counts."""

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Stamp, nullable=False),
    Column("actor", Name),
    Column("action", String(40), nullable=False),
    Column("target", String(200)),
    Column("detail", Text),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Name, nullable=False),
    Column("at", Stamp, nullable=False),
    Column("source", String(200), nullable=False, server_default=""),
    Index("login_failures_name", "name", "at"),
    Index("login_failures_source", "name", "source", "at"),
)

course_vignettes = Table(
    "course_vignettes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("vignette_id", Name, nullable=False),
    Column("version", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("title", String(200), nullable=False),
    Column("author", Name),
    Column("source", Text, nullable=False),
    Column("added_at", Stamp, nullable=False),
    Column("removed_at", Stamp),
    UniqueConstraint("vignette_id", "version", name="course_vignettes_version"),
    Index("course_vignettes_content", "vignette_id", "sha256"),
)
"""Course leaders' own vignettes, every version kept: a session scores against the version it
was played on (found by the sha256 its transcript records). Removing a vignette hides it from
the library and from new assignments; its versions stay for the transcripts."""

# ------------------------------------------------------------------ LTI 1.3 (attune serve as a tool)

lti_platforms = Table(
    "lti_platforms",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("issuer", String(255), nullable=False),
    Column("client_id", String(255), nullable=False),
    Column("auth_url", Text, nullable=False),
    Column("token_url", Text, nullable=False),
    Column("jwks_url", Text, nullable=False),
    Column("created_at", Stamp, nullable=False),
    Column("created_by", Name),
    UniqueConstraint("issuer", "client_id", name="lti_platforms_client"),
)
"""An LMS registered with `attune lti register`: where its logins, tokens and keys are."""


def _platform_key() -> Column[int]:
    """The platform a row belongs to, as the first part of its key."""
    return Column(
        "platform_id", Integer, ForeignKey("lti_platforms.id", ondelete="CASCADE"), primary_key=True
    )


lti_deployments = Table(
    "lti_deployments",
    metadata,
    _platform_key(),
    Column("deployment_id", String(255), primary_key=True),
)

lti_keys = Table(
    "lti_keys",
    metadata,
    Column("kid", String(64), primary_key=True),
    Column("private_pem", Text, nullable=False),
    Column("created_at", Stamp, nullable=False),
    Column("retired_at", Stamp),
)
"""The tool's own RSA key pairs. The newest unretired one signs; a retired key stays published
for a day, so tokens it signed just before a rotation still verify."""

lti_states = Table(
    "lti_states",
    metadata,
    Column("state", String(64), primary_key=True),
    Column("nonce", String(64), nullable=False, unique=True),
    Column("platform_id", Integer, ForeignKey("lti_platforms.id", ondelete="CASCADE")),
    Column("created_at", Stamp, nullable=False),
    Column("used_at", Stamp),
)
"""The login's state and nonce, kept on the server (no cookie: a browser that blocks
third-party cookies in the LMS's frame still launches). A nonce is used once."""

lti_users = Table(
    "lti_users",
    metadata,
    _platform_key(),
    Column("sub", String(255), primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
)

lti_contexts = Table(
    "lti_contexts",
    metadata,
    _platform_key(),
    Column("context_id", String(255), primary_key=True),
    Column("cohort_id", Integer, ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
)

lti_links = Table(
    "lti_links",
    metadata,
    _platform_key(),
    Column("resource_link_id", String(255), primary_key=True),
    Column(
        "assignment_id", Integer, ForeignKey("assignments.id", ondelete="CASCADE"), nullable=False
    ),
    Column("lineitems_url", Text),
    Column("lineitem_url", Text),
    Column("scopes", Text, nullable=False, server_default=""),
)
"""A resource link in the LMS and the assignment it opens, with where its grades go
(Assignment and Grade Services)."""

lti_link_people = Table(
    "lti_link_people",
    metadata,
    Column("platform_id", Integer, primary_key=True),
    Column("resource_link_id", String(255), primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
    ForeignKeyConstraint(
        ["platform_id", "resource_link_id"],
        ["lti_links.platform_id", "lti_links.resource_link_id"],
        ondelete="CASCADE",
    ),
)
"""Who launched through which resource link: their grades go to that link's line item only
(two activities in one LMS course may open the same assignment)."""

lti_tickets = Table(
    "lti_tickets",
    metadata,
    Column("ticket_sha256", String(64), primary_key=True),
    Column("kind", String(12), nullable=False),
    Column("detail", Text, nullable=False),
    Column("created_at", Stamp, nullable=False),
    Column("used_at", Stamp),
    CheckConstraint("kind IN ('play', 'deeplink')", name="lti_tickets_kind"),
)
"""A validated launch handed to the served app (or the deep-linking picker): used once, within
minutes. Only its SHA-256 is stored."""

lti_outbox = Table(
    "lti_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform_id", Integer, ForeignKey("lti_platforms.id", ondelete="CASCADE")),
    Column("session_id", String(36), nullable=False),
    Column("resource_link_id", String(255), nullable=False),
    Column("score", Text, nullable=False),
    Column("created_at", Stamp, nullable=False),
    Column("tries", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("sent_at", Stamp),
)
"""Scores for the LMS's gradebook. A score is written here first and sent at once; one the
platform refused or did not answer stays until `attune lti retry` sends it."""

search_results = Table(
    "search_results",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", Stamp, nullable=False),
)
"""Results of the exact search (`scoring.bounds`), as JSON, shared by every machine on the
course database: the key is the SHA-256 of the vignette's content, the rubric, the search's
code and the attunement version (`scoring.story.Story.search_key`), so a result is only ever
read for the very search that made it."""
