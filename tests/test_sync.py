"""`attune sync` takes nothing on trust: the chain must verify, the choices are replayed through
the engine, a stored session is never rewritten, and every import is audited."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from scoring.rubric import default_rubric
from simulator.content.library import bundled_path
from simulator.content.loader import load_vignette
from simulator.play.chain import extend, sealed
from simulator.play.session import Session, file_store
from simulator.play.transcript import ChoiceEvent, EndEvent, Transcript, now
from simulator.store.database import open_database
from simulator.store.journal import sync_journals
from simulator.store.schema import audit, events, sessions

RAY = load_vignette(bundled_path("ray"))


def _played(path: Path, choices: int = 3) -> Transcript:
    s = Session(RAY, rubric_version=default_rubric().version, trainee="amy", store=file_store(path))
    for _ in range(choices):
        if s.ended:
            break
        s.choose(0)
    return s.transcript


def _resealed(t: Transcript, extra: list[ChoiceEvent | EndEvent]) -> Transcript:
    """The record with events added and the chain recomputed: a forger who knows the scheme."""
    base = sealed(t.model_copy(update={"events": [], "header_hash": None, "head": None}))
    stripped = [e.model_copy(update={"hash": None}) for e in [*t.events, *extra]]
    return extend(base, stripped)


def _stored(db: object, session_id: str) -> list[str]:
    with db.read() as conn:  # type: ignore[attr-defined]
        return list(
            conn.execute(
                sa.select(events.c.body)
                .where(events.c.session_id == session_id)
                .order_by(events.c.seq)
            ).scalars()
        )


def test_an_honest_session_is_stored_and_audited(db_url: str, tmp_path: Path) -> None:
    db = open_database(db_url)
    path = tmp_path / "s.json"
    t = _played(path)
    stored, problems = sync_journals(db, [path], actor="amy")
    assert (stored, problems) == (1, [])
    assert len(_stored(db, t.session_id)) == len(t.events)
    with db.read() as conn:
        rows = conn.execute(
            sa.select(audit.c.actor, audit.c.target).where(audit.c.action == "import-session")
        ).all()
    assert [tuple(r) for r in rows] == [("amy", t.session_id)]


def test_a_choice_the_session_could_not_have_made_is_refused(db_url: str, tmp_path: Path) -> None:
    db = open_database(db_url)
    path = tmp_path / "s.json"
    t = _played(path, 2)
    wrong = ChoiceEvent(
        seq=len(t.events), at=now(), turn=3, beat="open", choice=1, say="forged"
    )  # the session is not at 'open' any more
    path.write_text(_resealed(t, [wrong]).to_json(), encoding="utf-8")
    stored, problems = sync_journals(db, [path], actor="amy")
    assert stored == 0 and any("does not fit" in p.message for p in problems), problems
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(sessions)).scalar() == 0


def test_an_ending_the_choices_do_not_reach_is_refused(db_url: str, tmp_path: Path) -> None:
    db = open_database(db_url)
    path = tmp_path / "s.json"
    t = _played(path, 2)
    end = EndEvent(seq=len(t.events), at=now(), ending="repaired")
    path.write_text(_resealed(t, [end]).to_json(), encoding="utf-8")
    stored, problems = sync_journals(db, [path], actor="amy")
    assert stored == 0 and any("ended at 'repaired'" in p.message for p in problems), problems


def test_an_edited_event_breaks_the_chain_and_is_refused(db_url: str, tmp_path: Path) -> None:
    db = open_database(db_url)
    path = tmp_path / "s.json"
    t = _played(path, 2)
    text = path.read_text(encoding="utf-8").replace('"elapsed_ms":null', '"elapsed_ms":1', 1)
    path.write_text(text, encoding="utf-8")
    stored, problems = sync_journals(db, [path], actor="amy")
    assert stored == 0 and problems
    assert not _stored(db, t.session_id)


def test_a_stored_session_is_never_rewritten(db_url: str, tmp_path: Path) -> None:
    db = open_database(db_url)
    path = tmp_path / "s.json"
    t = _played(path, 2)
    assert sync_journals(db, [path], actor="amy") == (1, [])
    before = _stored(db, t.session_id)
    # the same session id, with a different second choice and one more after it
    first = t.events[0]
    other = Session(RAY, rubric_version=t.rubric_version, trainee="amy")
    other.choose(first.choice - 1)
    other.choose(1)
    other.choose(0)
    forged = _resealed(
        t.model_copy(update={"events": []}),
        [e.model_copy(update={"seq": i}) for i, e in enumerate(other.transcript.events)],
    )
    path.write_text(forged.to_json(), encoding="utf-8")
    stored, problems = sync_journals(db, [path], actor="amy")
    assert stored == 0 and any(
        "already stored with different events" in p.message for p in problems
    )
    assert _stored(db, t.session_id) == before
