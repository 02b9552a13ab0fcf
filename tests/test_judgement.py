"""The assessor's judgement travels: overrides, comments, the reflection rating and the sign-off
reach the CSV, JSON, HTML and xAPI exports, the cohort report and progress (with the overridden
score, said so), and the trainee's own history."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

from scoring.rubric import default_rubric
from simulator.content.library import bundled_path
from simulator.content.loader import load_vignette
from simulator.course.courses import assign, attempt_for
from simulator.course.review import (
    add_comment,
    load_review,
    override_points,
    rate_reflection,
    sign_off,
)
from simulator.play.session import Session
from simulator.store.database import open_database
from simulator.store.dbstore import DbStore
from tests.conftest import run_attune
from tests.test_course_library import _course, _env

RAY = load_vignette(bundled_path("ray"))  # type: ignore[arg-type]


def _judged_session(db_url: str, shared: bool = True) -> tuple[str, int]:
    """amy plays her assignment; rao raises a turn's points, comments, rates the reflection and
    signs off 'not yet'. Returns the session id and the score after the override."""
    if shared:
        _course(db_url)
    else:  # the same course, without passwords
        from simulator.course.courses import add_members, create_cohort

        db = open_database(db_url)
        create_cohort(db, "C", "lead")
        add_members(db, "C", ["rao"], "assessor", "lead")
        add_members(db, "C", ["amy"], "trainee", "lead")
        db.close()
    db = open_database(db_url)
    assign(
        db, "C", "ray", mode="assessment", due=date(2099, 1, 1), attempts=2,
        rationale_required=False, actor="lead",
    )  # fmt: skip
    task = attempt_for(db, "amy", "ray")
    assert task is not None
    s = Session(
        RAY,
        rubric_version=default_rubric().version,
        trainee="amy",
        mode="assessment",
        assignment_id=task.assignment_id,
        cohort_id=task.cohort_id,
    )
    s.store = DbStore(db, RAY, default_rubric())
    s.choose(2, checkin="my chest went tight when he said it")
    while not s.ended:
        s.choose(2)
    sid = s.transcript.session_id
    review = load_review(db, sid, default_rubric())
    override_points(db, review, 1, 5, "rao", "a fair answer to a hard opening")
    add_comment(db, sid, 1, "rao", "You noticed your own reaction here.")
    rate_reflection(db, sid, "rao", 1, "names it; next, use it")
    sign_off(db, sid, "rao", "not_yet", "Pushed at turn 2; come back to it.")
    effective = load_review(db, sid, default_rubric()).effective_overall
    db.close()
    return sid, effective


def test_every_export_carries_the_judgement(db_url: str, tmp_path: Path) -> None:
    sid, effective = _judged_session(db_url)
    rao = _env(tmp_path / "rao", db_url, "rao")

    def export(fmt: str, out: Path, *extra: str) -> None:
        done = run_attune("export", *extra, "--format", fmt, "--out", str(out), env=rao)
        assert done.returncode == 0, done.stderr

    export("xapi", tmp_path / "x.json", "--session", sid[:8])
    statements = json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))
    last = statements[-1]
    assert last["verb"]["display"]["en-US"] == "failed"  # the verdict, whatever the score
    assert last["result"]["score"]["raw"] == effective
    export("csv", tmp_path / "x.csv", "--session", sid)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "x.csv").read_text(encoding="utf-8"))))
    first = next(r for r in rows if r["turn"] == "1")
    assert first["assessor_points"] == "5" and "own reaction" in first["assessor_comments"]
    assert first["overall_with_overrides"] == str(effective)
    assert first["signoff"].startswith("not yet (rao")
    assert first["reflection_rating"] == "1/2 names a reaction"
    export("json", tmp_path / "t.json", "--session", sid)
    side = json.loads((tmp_path / "t.review.json").read_text(encoding="utf-8"))
    assert side["status"] == "not yet" and side["overall_with_overrides"] == effective
    assert run_attune("verify", str(tmp_path / "t.json"), env=rao).returncode == 0  # still sealed
    export("html", tmp_path / "reports", "--cohort", "C")
    report = (tmp_path / "reports" / f"{sid}.html").read_text(encoding="utf-8")
    assert "Signed off: not yet" in report and f"{effective}/100" in report
    cohort = (tmp_path / "reports" / "cohort-C.html").read_text(encoding="utf-8")
    assert f"{effective} " in cohort and "with the assessor's overrides" in cohort
    progress = run_attune("progress", "C", "--json", env=_env(tmp_path / "l", db_url, "lead"))
    (row,) = [r for r in json.loads(progress.stdout) if r["trainee"] == "amy"]
    assert row["best"] == effective and row["best_with_overrides"] is True


def test_the_trainee_reads_the_judgement_in_their_history(db_url: str, tmp_path: Path) -> None:
    sid, effective = _judged_session(db_url)
    amy = _env(tmp_path / "amy", db_url, "amy")
    listed = run_attune("history", env=amy)
    assert listed.returncode == 0, listed.stderr
    assert sid[:8] in listed.stdout and "not yet" in listed.stdout
    assert f"{effective}/100 with overrides" in listed.stdout
    one = run_attune("history", "--session", sid[:8], env=amy)
    assert one.returncode == 0, one.stderr
    assert "Pushed at turn 2; come back to it." in one.stdout
    assert "You noticed your own reaction here." in one.stdout
    assert "Reflective practice (rao): 1/2 names a reaction" in one.stdout
    # amy cannot read anyone else's: her history never lists other trainees' sessions
    others = run_attune("history", "--trainee", "ben", env=amy)
    assert sid[:8] in others.stdout  # --trainee is for staff: amy still sees her own


async def test_my_sessions_in_the_player_shows_the_judgement(tmp_path: Path) -> None:
    from textual.widgets import DataTable

    from simulator.hosts.tui.app import make_app
    from simulator.hosts.tui.screens.history import HistoryScreen
    from tests.conftest import wait_until

    url = f"sqlite:///{tmp_path / 'c.db'}"
    _, effective = _judged_session(url, shared=False)
    app = make_app(db_url=url, trainee="amy")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: bool(app.screen.query("#vignettes")), "the library")
        await pilot.press("h")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen), "my sessions")
        table = app.screen.query_one(DataTable)
        await wait_until(pilot, lambda: table.row_count == 1, "the session listed")
        await pilot.press("enter")

        def shown() -> str:
            return str(app.screen.query_one("#history-text").render())

        await wait_until(pilot, lambda: "judgement" in shown(), "the session's judgement")
        assert "Pushed at turn 2; come back to it." in shown()
        assert f"With the assessor's overrides: {effective}/100" in shown()
        assert "You noticed your own reaction here." in shown()
