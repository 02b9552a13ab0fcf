"""Tamper evidence: every single-byte and every single-field change to a transcript is found."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from scoring.rubric import default_rubric
from simulator.content.loader import load_vignette
from simulator.play.session import Session, file_store
from simulator.play.transcript import Transcript, load_transcript
from simulator.reach.integrity import verify_against_database, verify_file, verify_stored
from simulator.store.database import open_database
from simulator.store.dbstore import DbStore
from simulator.store.schema import events, sessions
from tests.conftest import MINI, run_attune


def _recorded(tmp_path: Path, store_db: Any = None) -> tuple[Path, Session]:
    v = load_vignette(MINI)
    path = tmp_path / "t.json"
    s = Session(v, rubric_version=default_rubric().version, trainee="amy", vignette_path=str(MINI))
    writer = file_store(path)
    db_store = DbStore(store_db, v, default_rubric()) if store_db is not None else None

    def store(t: Transcript) -> None:
        writer(t)
        if db_store is not None:
            db_store(t)

    s.store = store
    store(s.transcript)
    s.choose(1, rationale="try", elapsed_ms=900, checkin="tense")
    s.rewind(0)
    s.choose(0, rationale="slower", elapsed_ms=1200)
    while not s.ended:
        s.choose(0)
    return path, s


def test_an_untouched_transcript_is_intact(tmp_path: Path) -> None:
    path, s = _recorded(tmp_path)
    verdict = verify_file(path)
    assert verdict.intact, verdict.render()
    assert verdict.events == len(s.transcript.events) >= 4


def test_every_single_byte_change_is_detected(tmp_path: Path) -> None:
    path, _ = _recorded(tmp_path)
    original = path.read_bytes()
    target = tmp_path / "tampered.json"
    for i in range(len(original)):
        for new in {original[i] ^ 0x01, ord("x") if original[i] != ord("x") else ord("y")}:
            changed = original[:i] + bytes([new]) + original[i + 1 :]
            target.write_bytes(changed)
            verdict = verify_file(target)
            assert not verdict.intact, f"byte {i}: {original[i]!r} -> {new!r} went unnoticed"
            assert verdict.findings and verdict.findings[0].message


def _mutations(value: Any) -> list[Any]:
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1]
    if isinstance(value, str):
        return [value + "x", value[:-1] if value else "x"]
    if value is None:
        return ["x", 1]
    return []


def test_every_single_field_change_is_detected_and_located(tmp_path: Path) -> None:
    path, _ = _recorded(tmp_path)
    data = json.loads(path.read_text())
    target = tmp_path / "tampered.json"
    checked = 0
    fields: list[tuple[tuple[Any, ...], Any]] = [
        ((k,), v) for k, v in data.items() if k != "events"
    ] + [(("events", i, k), v) for i, e in enumerate(data["events"]) for k, v in e.items()]
    for where, value in fields:
        for new in _mutations(value):
            copy = json.loads(json.dumps(data))
            node = copy
            for key in where[:-1]:
                node = node[key]
            node[where[-1]] = new
            try:
                # the tamperer writes a well-formed file in attunement's own layout
                text = Transcript.model_validate(copy).to_json()
            except Exception:
                text = json.dumps(copy)  # the change breaks validation: written as plain JSON
            target.write_text(text)
            verdict = verify_file(target)
            assert not verdict.intact, f"{where} = {new!r} went unnoticed"
            if where[0] == "events" and where[2] not in ("seq", "kind"):
                problem = verdict.findings[0]
                assert problem.field == f"events[{where[1]}]" or "events" in (problem.field or "")
            checked += 1
    assert checked > 40


def test_removing_the_last_event_is_detected(tmp_path: Path) -> None:
    path, _ = _recorded(tmp_path)
    data = json.loads(path.read_text())
    data["events"] = data["events"][:-1]
    path.write_text(Transcript.model_validate(data).to_json())
    verdict = verify_file(path)
    assert not verdict.intact and "removed or added at the end" in verdict.findings[0].message


def test_a_recomputed_forgery_is_caught_by_the_database_copy(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'c.db'}")
    path, _ = _recorded(tmp_path, db)
    assert verify_against_database(db, path, load_transcript(path).transcript)[0] == []
    # a careful forger drops the ending and re-seals the file
    data = json.loads(path.read_text())
    data["events"] = data["events"][:-1]
    data["head"] = data["events"][-1]["hash"]
    path.write_text(Transcript.model_validate(data).to_json())
    assert verify_file(path).intact  # the file alone cannot tell
    found, _ = verify_against_database(db, path, load_transcript(path).transcript)
    assert found and "course database has" in found[0].message


def _edit_first_rationale(db: Any, sid: str) -> None:
    """Change the stored copy of a session's first event behind attunement's back."""
    with db.begin() as conn:
        body = conn.execute(
            sa.select(events.c.body).where(events.c.session_id == sid, events.c.seq == 0)
        ).scalar_one()
        conn.execute(
            events.update()
            .where(events.c.session_id == sid, events.c.seq == 0)
            .values(body=body.replace('"rationale":"try"', '"rationale":"tried"'))
        )


def test_a_changed_database_row_is_detected(db_url: str, tmp_path: Path) -> None:
    db = open_database(db_url)
    _, s = _recorded(tmp_path, db)
    sid = s.transcript.session_id
    assert verify_stored(db, sid).intact
    _edit_first_rationale(db, sid)
    verdict = verify_stored(db, sid)
    assert not verdict.intact and "event 0" in verdict.findings[0].message
    from simulator.course.review import load_review, summary_text

    shown = summary_text(load_review(db, sid, default_rubric()))
    assert "Integrity: NOT INTACT. Event 0" in shown  # what the review screen shows


def test_verify_command(tmp_path: Path) -> None:
    out = tmp_path / "a.json"
    env_args = {"env": {**__import__("os").environ, "ATTUNE_DATA_DIR": str(tmp_path / "d")}}
    assert (
        run_attune(
            "autoplay", "ray", "--strategy", "best", "--out", str(out), **env_args
        ).returncode
        == 0
    )
    ok = run_attune("verify", str(out), **env_args)
    assert ok.returncode == 0 and "intact" in ok.stdout
    text = out.read_text().replace('"choice":1', '"choice":3', 1)
    assert text != out.read_text()
    out.write_text(text)
    bad = run_attune("verify", str(out), **env_args)
    assert bad.returncode == 1 and "CHANGED" in bad.stdout and "event" in bad.stdout
    missing = run_attune("verify", str(tmp_path / "nope.json"), **env_args)
    assert missing.returncode == 2 and "not found" in missing.stderr


def test_old_unchained_transcripts_say_so(tmp_path: Path) -> None:
    path, _ = _recorded(tmp_path)
    data = json.loads(path.read_text())
    data["header_hash"] = data["head"] = None
    for e in data["events"]:
        e["hash"] = None
    path.write_text(Transcript.model_validate(data).to_json())
    verdict = verify_file(path)
    assert not verdict.intact and "no hash chain" in verdict.findings[0].message


def test_edited_bytes_with_the_same_content_are_located(tmp_path: Path) -> None:
    # the content still verifies (same JSON values, so the same chain), but the file is not the
    # one attunement wrote: an escaped letter, or spaces added inside a line
    path, s = _recorded(tmp_path)
    original = path.read_text(encoding="utf-8")
    say = s.transcript.route()[0].say
    escaped = f"\\u{ord(say[0]):04x}" + say[1:]
    assert json.loads(f'"{escaped}"') == say
    for edited in (
        original.replace(json.dumps(say)[1:-1], escaped, 1),
        original.replace('"kind":"choice"', '"kind": "choice"', 1),
    ):
        assert edited != original
        target = tmp_path / "edited.json"
        target.write_text(edited, encoding="utf-8")
        assert load_transcript(target).transcript == s.transcript  # the content is unchanged
        verdict = verify_file(target)
        assert not verdict.intact
        (problem,) = verdict.findings
        assert "bytes were edited" in problem.message
        first_difference = next(
            i for i, (a, b) in enumerate(zip(edited, original, strict=False)) if a != b
        )
        assert problem.line == edited[:first_difference].count("\n") + 1


def test_a_database_that_lags_the_journal_is_not_yet_synced(tmp_path: Path) -> None:
    """After a crash the journal can be ahead of the database: that is not a change."""
    db = open_database(f"sqlite:///{tmp_path / 'c.db'}")
    path, s = _recorded(tmp_path, db)
    sid = s.transcript.session_id
    with db.begin() as conn:  # the database lost its last event
        top = conn.execute(sa.select(sa.func.max(events.c.seq)).where(events.c.session_id == sid))
        conn.execute(
            events.delete().where(events.c.session_id == sid, events.c.seq == top.scalar())
        )
    found, note = verify_against_database(db, path, load_transcript(path).transcript)
    assert found == [] and "not yet synced" in note
    other = open_database(f"sqlite:///{tmp_path / 'empty.db'}")
    found, note = verify_against_database(other, path, load_transcript(path).transcript)
    assert found == [] and "no copy of this session" in note


def test_an_edited_database_copy_is_blamed_on_the_database(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'c.db'}")
    path, s = _recorded(tmp_path, db)
    sid = s.transcript.session_id
    _edit_first_rationale(db, sid)
    found, _ = verify_against_database(db, path, load_transcript(path).transcript)
    assert found and "the database was edited" in (found[0].hint or "")


def test_an_edited_stored_score_is_caught(db_url: str, tmp_path: Path) -> None:
    """Scores are derived from the events, so a score changed by hand does not verify."""
    db = open_database(db_url)
    _, s = _recorded(tmp_path, db)
    sid = s.transcript.session_id
    assert verify_stored(db, sid).intact
    with db.begin() as conn:
        conn.execute(sessions.update().where(sessions.c.id == sid).values(overall=5))
    verdict = verify_stored(db, sid)
    assert not verdict.intact and "stored score (5" in verdict.findings[0].message
    with db.begin() as conn:
        conn.execute(sessions.update().where(sessions.c.id == sid).values(overall=None))
        conn.execute(
            events.update()
            .where(events.c.session_id == sid, events.c.kind == "choice")
            .values(points=9)
        )
    verdict = verify_stored(db, sid)
    assert not verdict.intact and "stored points" in verdict.findings[0].message


def test_verify_takes_the_short_id_the_review_screen_shows(tmp_path: Path) -> None:
    import os

    url = f"sqlite:///{tmp_path / 'c.db'}"
    db = open_database(url)
    _, s = _recorded(tmp_path, db)
    sid = s.transcript.session_id
    env = {**os.environ, "ATTUNE_DB": url, "ATTUNE_DATA_DIR": str(tmp_path / "d")}
    env["ATTUNE_USER"] = "amy"  # her own session
    ok = run_attune("verify", "--session", sid[:8], env=env)
    assert ok.returncode == 0 and "intact" in ok.stdout and sid in ok.stdout, ok.stderr
    unknown = run_attune("verify", "--session", "ffffffff", env=env)
    assert unknown.returncode == 2 and "no such session" in unknown.stderr
    bad = run_attune("verify", "--session", "../../x", env=env)
    assert bad.returncode == 2 and "not a session id" in bad.stderr
    assert "Traceback" not in unknown.stderr + bad.stderr
