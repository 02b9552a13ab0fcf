"""The session engine: recording, durable saving, rewind, resume; and the plain player."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scoring.rubric import default_rubric
from scoring.scorer import score_route
from simulator.content.loader import load_vignette
from simulator.errors import AttuneError
from simulator.hosts.plain import Console, debrief, play
from simulator.play.session import Session, file_store
from simulator.play.transcript import load_transcript
from simulator.service.play import Play
from tests.conftest import MINI, ROOT

V = load_vignette(MINI)


def new_session(tmp_path: Path, mode: str = "practice") -> tuple[Session, Path]:
    path = tmp_path / "s.json"
    s = Session(V, rubric_version="test", mode=mode, store=file_store(path), in_order=True)
    return s, path


def test_choices_are_recorded_and_saved_as_made(tmp_path: Path) -> None:
    s, path = new_session(tmp_path)
    s.choose(1, rationale="testing advice", checkin="tight chest", elapsed_ms=1200)
    saved = load_transcript(path).transcript
    (event,) = saved.events
    assert (event.beat, event.choice, event.rationale, event.checkin, event.elapsed_ms) == (
        "ask",
        2,
        "testing advice",
        "tight chest",
        1200,
    )
    assert event.at and event.turn == 1
    assert s.node == "flooded" and s.state.get("arousal") == 8
    s.choose(1)
    saved = load_transcript(path).transcript
    assert [e.kind for e in saved.events] == [
        "choice",
        "choice",
        "end",
    ] and saved.ending == "dropout"
    with pytest.raises(AttuneError):
        s.choose(0)


def test_rewind_keeps_the_branch_and_scores_the_final_route(tmp_path: Path) -> None:
    s, path = new_session(tmp_path)
    s.choose(1)  # push
    s.rewind(0)
    assert s.node == "ask" and s.turn == 0
    s.choose(0)
    s.choose(0)
    t = load_transcript(path).transcript
    assert [(e.beat, e.choice) for e in t.rewound()] == [("ask", 2)]
    assert [(e.beat, e.choice) for e in t.route()] == [("ask", 1), ("softer", 1)]
    report = score_route(V, [(e.beat, e.choice - 1) for e in t.route()], default_rubric())
    assert report.band == "Attuned"


def test_no_rewind_in_assessment(tmp_path: Path) -> None:
    s, _ = new_session(tmp_path, mode="assessment")
    s.choose(0)
    with pytest.raises(AttuneError, match="practice"):
        s.rewind(0)


def test_resume_from_saved_transcript(tmp_path: Path) -> None:
    s, path = new_session(tmp_path)
    s.choose(2)
    resumed = Session.resume(V, load_transcript(path).transcript, file_store(path))
    assert resumed.node == s.node and resumed.state == s.state and resumed.turn == 1
    resumed.choose(0)
    # the rupture at 'ask' was never repaired, so the session ends stuck, not repaired
    assert load_transcript(path).transcript.ending == "stuck"


def _nowhere(transcript: object) -> None:
    """A store that keeps nothing (the test reads the session itself)."""


def test_plain_player_reaches_the_debrief(tmp_path: Path) -> None:
    s, _ = new_session(tmp_path)
    out = io.StringIO()
    con = Console(out, io.StringIO("c\ntight chest\n1\n1\n"))
    run = Play(s, default_rubric(), s.store or _nowhere)
    s.store = None  # the Play saves each choice
    assert play(run, con)
    assert [e.checkin for e in run.transcript.route()] == ["tight chest", None]
    text = debrief(run, con)
    best = run.story.bounds().best.overall
    assert "Debrief:" in text and f"Overall: {best}/100 — Attuned" in text
    assert "The client's inner experience:" in text
    assert f"An expert route through this vignette (overall {best}/100)" in text
    assert "feedback:" in out.getvalue()


def test_a_choice_number_is_never_taken_as_a_check_in_note(tmp_path: Path) -> None:
    s, _ = new_session(tmp_path)
    out = io.StringIO()
    run = Play(s, default_rubric(), _nowhere)
    assert V.beat_map[V.start].checkin  # the first beat asks for a check-in
    assert play(run, Console(out, io.StringIO("1\n1\n")))
    assert [(e.choice, e.checkin) for e in run.transcript.route()] == [(1, None), (1, None)]
    assert "Check-in (c):" in out.getvalue()


def test_plain_player_shows_markup_literally(tmp_path: Path) -> None:
    data = V.model_dump(by_alias=True)
    data["beats"][0]["client"] = "[bold]not bold[/bold] [@click=app.quit]x[/]"
    v = type(V).model_validate(data)
    out = io.StringIO()
    s = Session(v, rubric_version="t")
    play(Play(s, default_rubric(), _nowhere), Console(out, io.StringIO("")))
    assert "[bold]not bold[/bold] [@click=app.quit]x[/]" in out.getvalue()


def test_kill_between_choices_loses_nothing(tmp_path: Path) -> None:
    env = {**os.environ, "ATTUNE_DATA_DIR": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulator", "play", str(MINI), "--plain", "--in-order"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=env,
        text=True,
    )
    assert proc.stdin and proc.stdout
    proc.stdin.write("c\nnote\n3\n")  # a check-in note (c), then choice 3 at 'ask'
    proc.stdin.flush()
    sessions = tmp_path / "sessions"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        files = list(sessions.glob("*.json")) if sessions.is_dir() else []
        if files and '"choice": 3' in files[0].read_text():
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    (path,) = list(sessions.glob("*.json"))
    t = load_transcript(path).transcript
    assert [(e.beat, e.choice, e.checkin) for e in t.route()] == [("ask", 3, "note")]
    # resume and finish
    proc = subprocess.run(
        [sys.executable, "-m", "simulator", "play", str(MINI), "--plain", "--resume", "--in-order"],
        input="1\n",
        capture_output=True,
        cwd=ROOT,
        env=env,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Resuming session" in proc.stdout and "Debrief:" in proc.stdout
    t = load_transcript(path).transcript
    assert [(e.beat, e.choice) for e in t.route()] == [("ask", 3), ("agrees", 1)]
    assert json.loads(path.read_text())["events"][-1]["kind"] == "end"


def test_resume_finds_only_the_named_trainees_session(tmp_path: Path) -> None:
    """Two people share a data folder without logins: `--trainee` picks whose session resumes."""
    env = {**os.environ, "ATTUNE_DATA_DIR": str(tmp_path)}
    env.pop("ATTUNE_DB", None)
    play = [sys.executable, "-m", "simulator", "play", str(MINI), "--plain", "--in-order"]
    ben = subprocess.run(
        [*play, "--trainee", "ben"], input="1\n", capture_output=True, cwd=ROOT, env=env,
        text=True, timeout=120,
    )  # fmt: skip
    assert "Resume with" in ben.stdout, ben.stdout + ben.stderr
    amy = subprocess.run(
        [*play, "--resume", "--trainee", "amy"], input="1\n", capture_output=True, cwd=ROOT,
        env=env, text=True, timeout=120,
    )  # fmt: skip
    assert amy.returncode == 2 and "no unfinished session" in amy.stderr, amy.stderr
    again = subprocess.run(
        [*play, "--resume", "--trainee", "ben"], input="1\n" * 5, capture_output=True, cwd=ROOT,
        env=env, text=True, timeout=120,
    )  # fmt: skip
    assert again.returncode == 0 and "Resuming session" in again.stdout, again.stderr


def test_resume_without_a_session_is_a_clear_error(tmp_path: Path) -> None:
    env = {**os.environ, "ATTUNE_DATA_DIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "simulator", "play", str(MINI), "--plain", "--resume", "--in-order"],
        capture_output=True,
        cwd=ROOT,
        env=env,
        text=True,
        timeout=120,
    )
    assert (
        proc.returncode == 2
        and "no unfinished session" in proc.stderr
        and "Traceback" not in proc.stderr
    )


def test_latest_writer_is_incremental_and_ordered(tmp_path: Path) -> None:
    from simulator.play.session import LatestWriter

    path = tmp_path / "w.json"
    writer = LatestWriter(path)
    s = Session(V, rubric_version="t", mode="practice")
    s.choose(2)
    first = s.transcript
    s.choose(0)
    writer(s.transcript)
    writer(first)  # an older transcript arriving late must not overwrite the newer one
    saved = load_transcript(path).transcript
    assert saved == s.transcript
    s.rewind(1)
    writer(s.transcript)
    assert load_transcript(path).transcript == s.transcript


def test_a_damaged_journal_is_shown_not_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simulator.service.play import latest_unfinished, scan_journals

    monkeypatch.setenv("ATTUNE_DATA_DIR", str(tmp_path))
    (tmp_path / "sessions").mkdir()
    s, path = new_session(tmp_path / "sessions")
    s.choose(0)
    bad = tmp_path / "sessions" / "0b6a1e4e-0000-4000-8000-000000000000.json"
    bad.write_text('{"format": "attunement.transcript", "events": [', encoding="utf-8")
    unfinished, damaged = scan_journals()
    assert [u.transcript.session_id for u in unfinished] == [s.transcript.session_id]
    assert len(damaged) == 1 and damaged[0].path == str(bad)
    assert "damaged" in damaged[0].message and "attune verify" in (damaged[0].hint or "")
    path.unlink()  # with no session left to resume, the damaged one is named in the error
    with pytest.raises(AttuneError) as caught:
        latest_unfinished(V.id, "attune play")
    assert [p.path for p in caught.value.problems] == [str(bad), "attune play"]


def test_leaving_before_the_first_choice_leaves_nothing_to_resume(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simulator.service import play as service
    from simulator.service.play import scan_journals

    monkeypatch.setenv("ATTUNE_DATA_DIR", str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "simulator", "play", str(MINI), "--plain", "--in-order"],
        input="",  # end of input at the first prompt
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "ATTUNE_DATA_DIR": str(tmp_path)},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Resume with" not in result.stdout
    assert not list((tmp_path / "sessions").glob("*.json"))
    # and a journal that has no choice is never offered as unfinished
    run = service.start(MINI, V, default_rubric(), use_database=False, warm=False)
    assert run.journal is not None and run.journal.exists()
    assert scan_journals().unfinished == []


def test_journals_and_the_sqlite_file_are_private(tmp_path: Path) -> None:
    import stat

    from simulator.store.database import open_database

    s, path = new_session(tmp_path)
    s.choose(0)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    db_file = tmp_path / "course.db"
    open_database(f"sqlite:///{db_file}").close()
    assert stat.S_IMODE(db_file.stat().st_mode) == 0o600
    for side in tmp_path.glob("course.db-*"):
        assert stat.S_IMODE(side.stat().st_mode) & 0o077 == 0, side


def test_a_vignette_with_lint_errors_refuses_to_play(tmp_path: Path) -> None:
    data = V.model_dump(by_alias=True, exclude_none=True)
    data["beats"].append({"id": "dead-end-beat", "client": "..."})  # a dead end
    data["beats"][0]["choices"][0]["to"] = "dead-end-beat"
    broken = tmp_path / "broken.yaml"
    import yaml

    broken.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "simulator", "play", str(broken), "--plain"],
        input="1\n" * 5,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "ATTUNE_DATA_DIR": str(tmp_path)},
        timeout=120,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "cannot be played until its errors are fixed" in result.stderr
    assert "dead-end-beat" in result.stderr and "attune lint" in result.stderr
    assert not list(tmp_path.glob("sessions/*.json"))


def test_a_session_open_in_one_window_cannot_be_resumed_in_another(tmp_path: Path) -> None:
    """Two players on one session would interleave their choices: the second is refused."""
    from simulator.play.transcript import load_transcript as load
    from simulator.service import play as service

    journal = tmp_path / "s.json"
    first = service.start(MINI, V, default_rubric(), out=journal, use_database=False, warm=False)
    first.choose(0)
    with pytest.raises(AttuneError, match="already open in another window"):
        service.resume(V, load(journal), default_rubric())
    first.close()
    second = service.resume(V, load(journal), default_rubric())
    assert second.turn == 1
    second.close()


def test_a_second_resume_from_another_process_is_refused(tmp_path: Path) -> None:
    env = {**os.environ, "ATTUNE_DATA_DIR": str(tmp_path)}
    cmd = [sys.executable, "-m", "simulator", "play", str(MINI), "--plain", "--in-order"]
    first = subprocess.run(cmd, input="1\nq\n", capture_output=True, text=True, env=env, cwd=ROOT)
    assert "Saved. Resume with" in first.stdout, first.stdout + first.stderr
    holder = subprocess.Popen(
        [*cmd, "--resume"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert holder.stdout is not None
    try:
        for line in holder.stdout:  # wait until the first player holds the session
            if "Resuming session" in line:
                break
        second = subprocess.run(
            [*cmd, "--resume"], input="1\n", capture_output=True, text=True, env=env, cwd=ROOT
        )
        assert second.returncode == 2, second.stdout + second.stderr
        assert "already open in another window" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        holder.kill()
        holder.wait()


def test_assessment_mode_never_shows_move_codes(tmp_path: Path) -> None:
    env = {**os.environ, "ATTUNE_DATA_DIR": str(tmp_path)}
    env.pop("ATTUNE_DB", None)
    played = subprocess.run(
        [sys.executable, "-m", "simulator", "play", "ray", "--plain", "--in-order", "--mode",
         "assessment"], input="1\n" * 14, capture_output=True, cwd=ROOT, env=env, text=True,
        timeout=120,
    )  # fmt: skip
    assert played.returncode == 0 and "Debrief" in played.stdout, played.stderr
    debrief = played.stdout.split("Debrief", 1)[1]
    assert "complex_reflection" not in debrief and "Attuned move (" not in debrief
    assert "Attuned move." in debrief and "not shown in assessment mode" in debrief


def test_a_route_that_comes_round_again_is_marked(tmp_path: Path) -> None:
    """Choosing 'Sitting here is fine too.' keeps the client at the same moment: the plain
    player says the conversation has come round, and the service says since which turn."""
    from tests.conftest import LOOP

    env = {**os.environ, "ATTUNE_DATA_DIR": str(tmp_path)}
    env.pop("ATTUNE_DB", None)
    # in order: 1 at the opening leads to 'maybe' (see the fixture), then 2 stays there
    played = subprocess.run(
        [sys.executable, "-m", "simulator", "play", str(LOOP), "--plain", "--in-order"],
        input="1\n2\n2\nq\n", capture_output=True, cwd=ROOT, env=env, text=True, timeout=120,
    )  # fmt: skip
    out = played.stdout
    assert "You've been here before" in out, out
    assert out.count("You've been here before") >= 1
