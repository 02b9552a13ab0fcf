"""Logins: where each failed attempt came from, so the rate limit works per name and source.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("login_failures") as batch:
        batch.add_column(sa.Column("source", sa.String(200), nullable=False, server_default=""))
    op.create_index("login_failures_source", "login_failures", ["name", "source", "at"])


def downgrade() -> None:
    op.drop_index("login_failures_source", "login_failures")
    with op.batch_alter_table("login_failures") as batch:
        batch.drop_column("source")
