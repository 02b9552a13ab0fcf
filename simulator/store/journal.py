"""The local journal: every session's JSON transcript in the data folder, written before the
database. `sync_journals` stores in the database whatever it is missing, so a choice made while
the database was locked or unreachable is never lost."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from simulator.content.model import Vignette
from simulator.errors import AttuneError, Problem
from simulator.play.chain import check_chain
from simulator.play.transcript import Transcript, load_transcript, now
from simulator.store.database import Database
from simulator.store.schema import audit, events, sessions


def vignette_for(t: Transcript, where: str, db: Database | None = None) -> Vignette:
    """The vignette a transcript was played on (the one lookup: `store.vignettes.locate`)."""
    from simulator.store.vignettes import locate

    return locate(t, where, db=db).vignette


def journal_files() -> list[Path]:
    from simulator.store.paths import sessions_dir

    folder = sessions_dir()
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def sync_journals(
    db: Database,
    files: list[Path] | None = None,
    tick: Callable[[], None] | None = None,
    owner: str | None = None,
    actor: str | None = None,
    on_stored: Callable[[Transcript], object] | None = None,
) -> tuple[int, list[Problem]]:
    """Store every journalled session the database is missing (the data folder's sessions, or
    `files`). With an `owner`, only that trainee's sessions are stored (the others are refused
    as problems). Nothing is taken on trust: the hash chain must verify, the choices are replayed
    through the engine (a route that does not fit the vignette, or an ending it does not reach,
    is refused), scores are derived afresh, and a session the database already holds with other
    events is refused rather than appended to. Each import writes an audit row naming `actor`,
    then calls `on_stored` with the session. Returns (sessions stored, problems)."""
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
            loaded = load_transcript(path)
            t = loaded.transcript
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
            chain = check_chain(t, str(path), loaded.event_lines)
            if chain:
                problems.extend(chain)
                continue
            v = vignette_for(t, str(path), db)
            _replay(t, v, str(path))
            if known is not None:
                _same_events(db, t, str(path))
            DbStore(db, v, rubric)(t)
            with db.begin() as conn:
                conn.execute(
                    audit.insert().values(
                        at=now(),
                        actor=actor or owner,
                        action="import-session",
                        target=t.session_id,
                        detail=json.dumps(
                            {"file": str(path), "events": len(t.events), "trainee": t.trainee},
                            sort_keys=True,
                        ),
                    )
                )
            stored += 1
            if on_stored is not None:
                on_stored(t)
        except AttuneError as exc:
            problems.extend(exc.problems)
    return stored, problems


def _replay(t: Transcript, v: Vignette, where: str) -> None:
    """Play the record's choices through the engine: every choice must be one the session could
    have made, and a recorded ending must be the one the engine reaches."""
    from simulator.play.session import Session

    session = Session.resume(v, t)  # refuses a route that does not fit, with the turn
    if t.ending is not None and (not session.ended or t.ending != (session.ending or "")):
        raise AttuneError.single(
            where,
            f"the record says the session ended at '{t.ending}', but its choices lead "
            f"{'to ' + repr(session.ending) if session.ended else 'to no ending'}",
            field="events",
            hint="the file has been edited or belongs to another version of the vignette; "
            "it was not stored",
        )


def _same_events(db: Database, t: Transcript, where: str) -> None:
    """A session the database already holds may only be extended, never rewritten."""
    with db.read() as conn:
        rows = conn.execute(
            sa.select(events.c.seq, events.c.body)
            .where(events.c.session_id == t.session_id)
            .order_by(events.c.seq)
        ).all()
    mine = {e.seq: json.loads(e.model_dump_json()) for e in t.events}
    for seq, body in rows:
        if mine.get(seq) != json.loads(body):
            raise AttuneError.single(
                where,
                f"session {t.session_id} is already stored with different events (from event "
                f"{seq})",
                field="events",
                hint="a session is never rewritten: if this file is a copy that was edited, keep "
                "the stored one; if both are real, ask a course leader",
            )
