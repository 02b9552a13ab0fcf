"""Course vignettes: a course leader's own vignettes, stored with every version.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "course_vignettes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("vignette_id", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("author", sa.String(100)),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("added_at", sa.String(32), nullable=False),
        sa.Column("removed_at", sa.String(32)),
        sa.UniqueConstraint("vignette_id", "version", name="course_vignettes_version"),
    )
    op.create_index("course_vignettes_content", "course_vignettes", ["vignette_id", "sha256"])


def downgrade() -> None:
    op.drop_table("course_vignettes")
