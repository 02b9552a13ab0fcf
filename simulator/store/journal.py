"""The local journal: every session's JSON transcript in the data folder, written before the
database. `sync_journals` stores in the database whatever it is missing, so a choice made while
the database was locked or unreachable is never lost."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from simulator.content.model import Vignette
from simulator.errors import AttuneError, Problem
from simulator.play.transcript import Transcript, load_transcript
from simulator.store.database import Database
from simulator.store.schema import events, sessions


def vignette_for(t: Transcript, where: str) -> Vignette:
    """The vignette a transcript was played on (the one lookup: `find_vignette`)."""
    from simulator.content.library import find_vignette

    return find_vignette(t.vignette_id, t.vignette_path, t.vignette_sha256, where).vignette


def journal_files() -> list[Path]:
    from simulator.store.paths import sessions_dir

    folder = sessions_dir()
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def sync_journals(
    db: Database,
    files: list[Path] | None = None,
    tick: Callable[[], None] | None = None,
    owner: str | None = None,
) -> tuple[int, list[Problem]]:
    """Store every journalled session the database is missing (the data folder's sessions, or
    `files`). With an `owner`, only that trainee's sessions are stored (the others are refused
    as problems). Returns (sessions stored, problems)."""
    from scoring.rubric import default_rubric
    from simulator.store.dbstore import DbStore

    if files is None:
        files = journal_files()
    rubric = default_rubric()
    stored, problems = 0, []
    for path in files:
        if tick is not None:
            tick()
        try:
            t = load_transcript(path).transcript
            if owner is not None and t.trainee != owner:
                problems.append(
                    Problem(
                        str(path),
                        f"this session is {t.trainee or 'anonymous'}'s; you may store only your own",
                        field="trainee",
                        hint="log in as that trainee, or ask a course leader to sync it",
                    )
                )
                continue
            with db.read() as conn:
                top = conn.execute(
                    sa.select(sa.func.max(events.c.seq)).where(events.c.session_id == t.session_id)
                ).scalar()
                known = conn.execute(
                    sa.select(sessions.c.id).where(sessions.c.id == t.session_id)
                ).first()
            if known is not None and (top if top is not None else -1) >= len(t.events) - 1:
                continue
            DbStore(db, vignette_for(t, str(path)), rubric)(t)
            stored += 1
        except AttuneError as exc:
            problems.extend(exc.problems)
    return stored, problems
