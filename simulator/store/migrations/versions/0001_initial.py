"""The first schema: people, cohorts, assignments, sessions and their events, and review.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

NAME = sa.String(100)
STAMP = sa.String(32)


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", NAME, nullable=False, unique=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(255)),
        sa.Column("created_at", STAMP, nullable=False),
        sa.CheckConstraint("role IN ('trainee', 'course_leader', 'assessor')", name="people_role"),
    )
    op.create_table(
        "cohorts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", NAME, nullable=False, unique=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("created_by", NAME),
    )
    op.create_table(
        "members",
        sa.Column(
            "cohort_id",
            sa.Integer,
            sa.ForeignKey("cohorts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "person_id",
            sa.Integer,
            sa.ForeignKey("people.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "cohort_id", sa.Integer, sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("vignette_id", NAME, nullable=False),
        sa.Column("mode", sa.String(12), nullable=False),
        sa.Column("due", sa.String(10)),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("rationale_required", sa.Boolean, nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("created_by", NAME),
        sa.UniqueConstraint("cohort_id", "vignette_id", name="assignments_once_per_cohort"),
        sa.CheckConstraint("attempts >= 1", name="assignments_attempts"),
        sa.CheckConstraint("mode IN ('practice', 'assessment')", name="assignments_mode"),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("vignette_id", NAME, nullable=False),
        sa.Column("trainee", NAME),
        sa.Column("mode", sa.String(12), nullable=False),
        sa.Column("source", sa.String(12), nullable=False),
        sa.Column("rubric_version", sa.String(40), nullable=False),
        sa.Column(
            "assignment_id", sa.Integer, sa.ForeignKey("assignments.id", ondelete="SET NULL")
        ),
        sa.Column("cohort_id", sa.Integer, sa.ForeignKey("cohorts.id", ondelete="SET NULL")),
        sa.Column("started_at", STAMP, nullable=False),
        sa.Column("updated_at", STAMP, nullable=False),
        sa.Column("ended_at", STAMP),
        sa.Column("ending", NAME),
        sa.Column("overall", sa.Integer),
        sa.Column("band", sa.String(40)),
        sa.Column("header", sa.Text, nullable=False),
    )
    op.create_index("sessions_trainee", "sessions", ["trainee", "vignette_id"])
    op.create_index("sessions_cohort", "sessions", ["cohort_id"])
    op.create_table(
        "events",
        sa.Column(
            "session_id",
            sa.String(36),
            sa.ForeignKey("sessions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("at", STAMP, nullable=False),
        sa.Column("vignette_id", NAME, nullable=False),
        sa.Column("cohort_id", sa.Integer),
        sa.Column("turn", sa.Integer),
        sa.Column("beat", NAME),
        sa.Column("choice", sa.Integer),
        sa.Column("valence", sa.String(1)),
        sa.Column("points", sa.Integer),
        sa.Column("pushed", sa.Boolean),
        sa.Column("unrepaired", sa.Boolean),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_index(
        "events_hotspots",
        "events",
        ["cohort_id", "kind", "vignette_id", "beat", "pushed", "unrepaired"],
    )
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "session_id",
            sa.String(36),
            sa.ForeignKey("sessions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("turn", sa.Integer),
        sa.Column("author", NAME, nullable=False),
        sa.Column("at", STAMP, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_table(
        "overrides",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "session_id",
            sa.String(36),
            sa.ForeignKey("sessions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("turn", sa.Integer, nullable=False),
        sa.Column("field", sa.String(12), nullable=False),
        sa.Column("original", sa.Text, nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("author", NAME, nullable=False),
        sa.Column("at", STAMP, nullable=False),
        sa.CheckConstraint("field IN ('moves', 'points')", name="overrides_field"),
    )
    op.create_table(
        "signoffs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "session_id",
            sa.String(36),
            sa.ForeignKey("sessions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("assessor", NAME, nullable=False),
        sa.Column("verdict", sa.String(12), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("at", STAMP, nullable=False),
        sa.CheckConstraint("verdict IN ('competent', 'not_yet')", name="signoffs_verdict"),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", STAMP, nullable=False),
        sa.Column("actor", NAME),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target", sa.String(200)),
        sa.Column("detail", sa.Text),
    )


def downgrade() -> None:
    for table in (
        "audit",
        "signoffs",
        "overrides",
        "comments",
        "events",
        "sessions",
        "assignments",
        "members",
        "cohorts",
        "people",
    ):
        op.drop_table(table)
