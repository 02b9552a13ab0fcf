"""Logins: failed attempts, for the rate limit.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
    )
    op.create_index("login_failures_name", "login_failures", ["name", "at"])


def downgrade() -> None:
    op.drop_table("login_failures")
