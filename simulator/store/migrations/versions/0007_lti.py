"""LTI 1.3: platforms and deployments, the tool's keys, login states, the people, contexts and
resource links a launch maps (and who launched through each), one-time launch tickets, and the grade outbox.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

STAMP = sa.String(32)


def _platform_key() -> sa.Column[int]:
    return sa.Column(
        "platform_id",
        sa.Integer,
        sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"),
        primary_key=True,
    )


def upgrade() -> None:
    op.create_table(
        "lti_platforms",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("issuer", sa.String(255), nullable=False),
        sa.Column("client_id", sa.String(255), nullable=False),
        sa.Column("auth_url", sa.Text, nullable=False),
        sa.Column("token_url", sa.Text, nullable=False),
        sa.Column("jwks_url", sa.Text, nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("created_by", sa.String(100)),
        sa.UniqueConstraint("issuer", "client_id", name="lti_platforms_client"),
    )
    op.create_table(
        "lti_deployments",
        _platform_key(),
        sa.Column("deployment_id", sa.String(255), primary_key=True),
    )
    op.create_table(
        "lti_keys",
        sa.Column("kid", sa.String(64), primary_key=True),
        sa.Column("private_pem", sa.Text, nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("retired_at", STAMP),
    )
    op.create_table(
        "lti_states",
        sa.Column("state", sa.String(64), primary_key=True),
        sa.Column("nonce", sa.String(64), nullable=False, unique=True),
        sa.Column("platform_id", sa.Integer, sa.ForeignKey("lti_platforms.id", ondelete="CASCADE")),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("used_at", STAMP),
    )
    op.create_table(
        "lti_users",
        _platform_key(),
        sa.Column("sub", sa.String(255), primary_key=True),
        sa.Column(
            "person_id",
            sa.Integer,
            sa.ForeignKey("people.id", ondelete="CASCADE"),
            nullable=False,
        ),
    )
    op.create_table(
        "lti_contexts",
        _platform_key(),
        sa.Column("context_id", sa.String(255), primary_key=True),
        sa.Column(
            "cohort_id",
            sa.Integer,
            sa.ForeignKey("cohorts.id", ondelete="CASCADE"),
            nullable=False,
        ),
    )
    op.create_table(
        "lti_links",
        _platform_key(),
        sa.Column("resource_link_id", sa.String(255), primary_key=True),
        sa.Column(
            "assignment_id",
            sa.Integer,
            sa.ForeignKey("assignments.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("lineitems_url", sa.Text),
        sa.Column("lineitem_url", sa.Text),
        sa.Column("scopes", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "lti_link_people",
        sa.Column("platform_id", sa.Integer, primary_key=True),
        sa.Column("resource_link_id", sa.String(255), primary_key=True),
        sa.Column(
            "person_id",
            sa.Integer,
            sa.ForeignKey("people.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.ForeignKeyConstraint(
            ["platform_id", "resource_link_id"],
            ["lti_links.platform_id", "lti_links.resource_link_id"],
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "lti_tickets",
        sa.Column("ticket_sha256", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("used_at", STAMP),
        sa.CheckConstraint("kind IN ('play', 'deeplink')", name="lti_tickets_kind"),
    )
    op.create_table(
        "lti_outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("platform_id", sa.Integer, sa.ForeignKey("lti_platforms.id", ondelete="CASCADE")),
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("resource_link_id", sa.String(255), nullable=False),
        sa.Column("score", sa.Text, nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("tries", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
        sa.Column("sent_at", STAMP),
    )


def downgrade() -> None:
    for table in (
        "lti_outbox",
        "lti_tickets",
        "lti_link_people",
        "lti_links",
        "lti_contexts",
        "lti_users",
        "lti_states",
        "lti_keys",
        "lti_deployments",
        "lti_platforms",
    ):
        op.drop_table(table)
