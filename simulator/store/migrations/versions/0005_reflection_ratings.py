"""Reflection ratings: an assessor rates a session's check-ins and rationales.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reflection_ratings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "session_id",
            sa.String(36),
            sa.ForeignKey("sessions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("assessor", sa.String(100), nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("at", sa.String(32), nullable=False),
        sa.CheckConstraint("level BETWEEN 0 AND 2", name="reflection_ratings_level"),
    )


def downgrade() -> None:
    op.drop_table("reflection_ratings")
