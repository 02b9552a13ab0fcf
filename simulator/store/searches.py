"""Search results kept in the course database (`schema.search_results`) for every machine that
shares it: a vignette's exact best and worst routes are searched once per course, not once per
machine. The key says everything a result depends on (`scoring.story.Story.search_key`)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from simulator.play.transcript import now
from simulator.store.database import Database
from simulator.store.schema import search_results


def recall(db: Database, key: str) -> str | None:
    """The body kept under `key`, or None."""
    with db.read() as conn:
        found = conn.execute(
            sa.select(search_results.c.body).where(search_results.c.key == key)
        ).scalar()
    return None if found is None else str(found)


def keep(db: Database, key: str, kind: str, body: str) -> None:
    """Keep `body` under `key`, in place of what is there: the same key is the same search, so
    another machine's result is the same one, and a row that did not check out is mended."""
    # each dialect's own INSERT ... ON CONFLICT DO UPDATE (SQLAlchemy builds it)
    insert = postgresql.insert if db.dialect == "postgresql" else sqlite.insert
    statement = insert(search_results).values(key=key, kind=kind, body=body, created_at=now())
    upsert = statement.on_conflict_do_update(
        index_elements=["key"],
        set_={"kind": statement.excluded.kind, "body": statement.excluded.body,
              "created_at": statement.excluded.created_at},
    )  # fmt: skip
    with db.begin() as conn:
        conn.execute(upsert)
