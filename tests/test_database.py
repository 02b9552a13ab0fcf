"""The course database on SQLite and on a real PostgreSQL server: schema, sessions, courses,
bad conditions and concurrency. Nothing is mocked."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from scoring.rubric import default_rubric
from simulator.content.library import bundled_path
from simulator.content.loader import load_vignette
from simulator.course.courses import (
    add_members,
    assign,
    assigned_to,
    attempt_for,
    cohort_info,
    create_cohort,
    progress,
)
from simulator.errors import AttuneError
from simulator.play.session import Session
from simulator.store.database import HEAD, current_revision, open_database
from simulator.store.dbstore import DbStore, load_transcript_from_db
from simulator.store.schema import audit, events, metadata, sessions
from tests.conftest import MINI, ROOT, run_attune

RAY = load_vignette(bundled_path("ray"))  # type: ignore[arg-type]


def test_migrations_build_exactly_the_declared_schema(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    db = open_database(db_url)
    assert current_revision(db) == HEAD
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_a_database_from_a_newer_version_is_refused_and_left_alone(db_url: str) -> None:
    db = open_database(db_url)
    create_cohort(db, "keep me", "lead")
    with db.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9001'"))
    with pytest.raises(AttuneError) as info:
        open_database(db_url)
    (problem,) = info.value.problems
    assert "newer version of attunement" in problem.message and "9001" in problem.message
    assert "upgrade attunement" in (problem.hint or "")
    with db.read() as conn:
        assert conn.execute(sa.text("SELECT name FROM cohorts")).scalar() == "keep me"


def _play(db_url: str, choices: list[int], rewind_to: int | None = None) -> Session:
    db = open_database(db_url)
    session = Session(RAY, rubric_version=default_rubric().version, trainee="amy")
    session.store = DbStore(db, RAY, default_rubric())
    session.store(session.transcript)
    for i, c in enumerate(choices):
        session.choose(c, rationale=f"because {i}", elapsed_ms=100 + i)
        if rewind_to is not None and i == 1:
            session.rewind(rewind_to)
    return session


def test_each_choice_is_committed_and_the_transcript_comes_back_whole(db_url: str) -> None:
    session = _play(db_url, [1, 1, 0, 0], rewind_to=1)
    db = open_database(db_url)
    back = load_transcript_from_db(db, session.transcript.session_id)
    assert back == session.transcript
    with db.read() as conn:
        rows = conn.execute(
            sa.select(events.c.seq, events.c.kind, events.c.valence, events.c.pushed).order_by(
                events.c.seq
            )
        ).all()
    assert [r.seq for r in rows] == list(range(len(session.transcript.events)))
    kinds = [r.kind for r in rows]
    assert kinds.count("rewind") == 1 and kinds.count("choice") == 4
    # a persuading choice is recorded as a push; the rewound one too
    assert any(r.pushed for r in rows if r.kind == "choice")
    assert all(r.valence in "ANPW" for r in rows if r.kind == "choice")


def test_the_finished_session_records_its_score(db_url: str) -> None:
    from scoring.bounds import compute_bounds

    best = compute_bounds(RAY, default_rubric()).best
    session = _play(db_url, [i for _, i in best.route])
    assert session.ended
    with open_database(db_url).read() as conn:
        row = conn.execute(sa.select(sessions.c.overall, sessions.c.ending)).one()
    assert (row.overall, row.ending) == (best.overall, best.ending)


def test_storing_again_changes_nothing(db_url: str) -> None:
    session = _play(db_url, [0, 0])
    db = open_database(db_url)
    DbStore(db, RAY, default_rubric())(session.transcript)  # a second store, e.g. `attune sync`
    with db.read() as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(events)).scalar()
    assert n == len(session.transcript.events)


def test_cohorts_assignments_and_progress(db_url: str) -> None:
    today = datetime.now(UTC).date()  # sessions are stamped in UTC
    db = open_database(db_url)
    create_cohort(db, "Autumn", "lead")
    with pytest.raises(AttuneError, match="already exists"):
        create_cohort(db, "Autumn", "lead")
    assert add_members(db, "Autumn", ["amy", "ben", "cas"], "trainee", "lead") == 3
    assert add_members(db, "Autumn", ["amy"], "trainee", "lead") == 0
    add_members(db, "Autumn", ["dr-rao"], "assessor", "lead")
    with pytest.raises(AttuneError, match="already registered as trainee"):
        add_members(db, "Autumn", ["amy"], "assessor", "lead")
    assign(
        db,
        "Autumn",
        "ray",
        mode="assessment",
        due=today + timedelta(days=8),
        attempts=1,
        rationale_required=True,
        actor="lead",
    )
    assign(
        db,
        "Autumn",
        "sophie",
        mode="practice",
        due=today - timedelta(days=21),
        attempts=2,
        rationale_required=False,
        actor="lead",
    )
    info = cohort_info(db, "Autumn")
    assert ("dr-rao", "assessor") in info.people and len(info.assignments) == 2

    # amy finishes ray; ben starts ray and stops; cas does nothing
    for trainee, finish in (("amy", True), ("ben", False)):
        task = attempt_for(db, trainee, "ray")
        assert task is not None and task.rationale_required and task.mode == "assessment"
        s = Session(
            RAY,
            rubric_version=default_rubric().version,
            trainee=trainee,
            mode=task.mode,
            assignment_id=task.assignment_id,
            cohort_id=task.cohort_id,
        )
        s.store = DbStore(db, RAY, default_rubric())
        s.store(s.transcript)
        s.choose(0)
        while finish and not s.ended:
            s.choose(0)
    with pytest.raises(AttuneError, match="attempt"):
        attempt_for(db, "amy", "ray")  # one attempt allowed, one used

    rows = {(r.trainee, r.vignette_id): r for r in progress(db, "Autumn", today)}
    assert len(rows) == 6  # three trainees, two assignments; the assessor is not listed
    assert rows[("amy", "ray")].status == "done" and rows[("amy", "ray")].best is not None
    assert rows[("ben", "ray")].status == "in progress"
    assert rows[("cas", "ray")].status == "not started"
    assert rows[("cas", "sophie")].status == "overdue"
    # the trainee's own list: soonest due first
    assert [a.vignette_id for a in assigned_to(db, "cas", today)] == ["sophie", "ray"]
    with db.read() as conn:
        actions = set(conn.execute(sa.select(audit.c.action)).scalars())
    assert {"cohort.create", "person.add", "cohort.add", "assign"} <= actions


def test_unknown_cohort_suggests_the_nearest(db_url: str) -> None:
    db = open_database(db_url)
    create_cohort(db, "Autumn 2026", "lead")
    with pytest.raises(AttuneError) as info:
        progress(db, "Autum 2026")
    assert "did you mean 'Autumn 2026'" in (info.value.problems[0].hint or "")


# ------------------------------------------------------------------ the command line


def _env(db_url: str, tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "ATTUNE_DB": db_url, "ATTUNE_DATA_DIR": str(tmp_path / "data")}


def test_course_commands_end_to_end(db_url: str, tmp_path: Path) -> None:
    env = _env(db_url, tmp_path)
    if db_url.startswith("postgresql"):
        # a shared database: a course leader sets the first password, and everyone logs in
        for args in (
            ("user", "add", "lead", "--role", "course_leader"),
            ("user", "passwd", "lead"),
        ):
            result = run_attune(*args, env={**env, "ATTUNE_NEW_PASSWORD": "lead-passphrase-1"})
            assert result.returncode == 0, result.stderr
        env = {**env, "ATTUNE_USER": "lead", "ATTUNE_PASSWORD": "lead-passphrase-1"}
    for args in (
        ["cohort", "create", "Spring", "--as", "lead"],
        ["cohort", "add", "Spring", "amy", "ben"],
        ["assign", "Spring", "ray", "--due", "2026-12-01", "--attempts", "2"],
        ["autoplay", "ray", "--strategy", "best", "--out", str(tmp_path / "a.json")],
    ):
        result = run_attune(*args, env=env)
        assert result.returncode == 0, result.stderr
    result = run_attune("progress", "Spring", "--json", "--today", "2026-11-22", env=env)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert {(r["trainee"], r["status"]) for r in rows} >= {
        ("amy", "not started"),
        ("ben", "not started"),
    }
    shown = run_attune("cohort", "show", "Spring", env=env).stdout
    assert "ray (assessment, due 2026-12-01, 2 attempt(s))" in shown


def test_a_shared_database_without_passwords_says_what_to_do(
    tmp_path: Path, pg_server: object
) -> None:
    url = pg_server.new_database()  # type: ignore[attr-defined]
    result = run_attune("cohort", "create", "X", env=_env(url, tmp_path))
    assert result.returncode == 2 and "nobody has a password yet" in result.stderr
    assert "attune user passwd" in result.stderr


@pytest.mark.parametrize(
    ("url", "message", "hint"),
    [
        ("nonsense", "this is not a database URL", "sqlite:///"),
        ("mysql://u@localhost/x", "'mysql' databases are not supported", "postgresql://"),
        ("sqlite://", "in-memory SQLite database", "file path"),
        ("postgresql://u:secret@127.0.0.1:9/x", "cannot reach the database server", "running"),
    ],
)
def test_bad_database_urls_get_a_clear_answer(
    url: str, message: str, hint: str, tmp_path: Path
) -> None:
    result = run_attune("cohort", "list", "--db", url, env=_env(url, tmp_path))
    assert result.returncode == 2
    assert message in result.stderr and hint in result.stderr
    assert "Traceback" not in result.stderr and "secret" not in result.stderr


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    junk = tmp_path / "notes.db"
    junk.write_bytes(b"these are my private notes, not a database" * 100)
    url = f"sqlite:///{junk}"
    result = run_attune("cohort", "list", env=_env(url, tmp_path))
    assert result.returncode == 2 and "not an attunement database" in result.stderr
    assert junk.read_bytes().startswith(b"these are my private notes")


def test_a_locked_database_loses_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'course.db'}"
    open_database(url).close()
    out = tmp_path / "session.json"
    holder = sqlite3.connect(tmp_path / "course.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        env = {**_env(url, tmp_path), "ATTUNE_DB_BUSY_TIMEOUT": "0.3"}
        result = run_attune("autoplay", "ray", "--strategy", "best", "--out", str(out), env=env)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == 2, result.stderr
    assert "locked" in result.stderr and "nothing was lost" in result.stderr
    saved = json.loads(out.read_text())
    assert saved["events"][-1]["kind"] == "end"  # the journal kept every choice
    result = run_attune("sync", str(out), env=_env(url, tmp_path))
    assert result.returncode == 0, result.stderr
    db = open_database(url)
    assert load_transcript_from_db(db, saved["session_id"]).model_dump(mode="json") == saved


def test_the_library_reports_a_database_problem_and_still_plays(tmp_path: Path) -> None:
    """The plain player with an unreachable database: the journal keeps the choices."""
    url = "postgresql://u@127.0.0.1:9/x"
    env = _env(url, tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "simulator", "play", "ray", "--plain"],
        input="1\n" * 14,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "the database could not be written" in result.stdout
    journals = list((tmp_path / "data" / "sessions").glob("*.json"))
    assert len(journals) == 1 and json.loads(journals[0].read_text())["events"]


# ------------------------------------------------------------------ concurrency


def test_fifty_processes_play_at_once_and_nothing_is_lost(db_url: str, tmp_path: Path) -> None:
    from simulator.course.auth import set_password
    from simulator.course.courses import add_members, create_cohort

    course = open_database(db_url)  # an existing, shared course database, as in a real course
    create_cohort(course, "C", "lead")
    add_members(course, "C", ["lead"], "course_leader", "lead")
    set_password(course, "lead", "lead-passphrase-1", None)
    course.close()
    # the course leader plays for fifty trainees (the write gate lets only a course leader do so)
    env = {**_env(db_url, tmp_path), "ATTUNE_USER": "lead", "ATTUNE_PASSWORD": "lead-passphrase-1"}
    procs = []
    for i in range(50):
        out = tmp_path / f"s{i}.json"
        procs.append(
            (
                out,
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "simulator",
                        "autoplay",
                        "ray",
                        "--strategy",
                        "random",
                        "--seed",
                        str(i),
                        "--trainee",
                        f"t{i}",
                        "--out",
                        str(out),
                    ],
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                ),
            )
        )
    for _, p in procs:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
    db = open_database(db_url)
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(sessions)).scalar() == 50
    for out, _ in procs:
        saved = json.loads(out.read_text())
        back = load_transcript_from_db(db, saved["session_id"])
        assert back.model_dump(mode="json") == saved  # every event, in order, byte for byte


def test_concurrent_writers_in_one_process(db_url: str) -> None:
    """Threads sharing one database, as the TUI's save workers do."""
    db = open_database(db_url)
    errors: list[BaseException] = []

    def run(seed: int) -> None:
        try:
            s = Session(RAY, rubric_version=default_rubric().version, trainee=f"th{seed}")
            s.store = DbStore(db, RAY, default_rubric())
            s.store(s.transcript)
            k = seed
            while not s.ended:
                s.choose(k % len(s.offered()))
                k += 1
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(sessions)).scalar() == 8


def test_fixture_vignettes_store_too(db_url: str) -> None:
    v = load_vignette(MINI)
    s = Session(v, rubric_version=default_rubric().version)
    s.store = DbStore(open_database(db_url), v, default_rubric())
    s.choose(0)
    assert load_transcript_from_db(open_database(db_url), s.transcript.session_id) == s.transcript


def test_an_unreachable_database_is_not_retried_on_every_choice(tmp_path: Path) -> None:
    """After a failure the journal carries on alone for a while, then the database gets it all."""
    from simulator.play.session import file_store
    from simulator.store.dbstore import SessionSaver

    now = [0.0]
    saver = SessionSaver(
        file_store(tmp_path / "j.json"),
        "postgresql://u@127.0.0.1:9/x",
        RAY,
        default_rubric(),
        clock=lambda: now[0],
    )
    s = Session(RAY, rubric_version=default_rubric().version, trainee="amy")
    s.store = saver
    s.choose(0)
    assert saver.db_error is not None
    good = f"sqlite:///{tmp_path / 'c.db'}"
    saver.db_url = good  # the database comes back; within the back-off it is not tried
    s.choose(0)
    with open_database(good).read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(events)).scalar() == 0
    now[0] = SessionSaver.RETRY_AFTER_S + 1
    s.choose(0)
    assert saver.db_error is None
    assert load_transcript_from_db(open_database(good), s.transcript.session_id) == s.transcript


def test_serve_on_a_busy_port_says_so(tmp_path: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_attune(
            "serve", "--port", str(port), env=_env(f"sqlite:///{tmp_path / 'c.db'}", tmp_path)
        )
    assert result.returncode == 2 and "choose another with --port" in result.stderr
    assert "Traceback" not in result.stderr


def test_sessions_started_at_once_cannot_share_the_last_attempt(
    db_url: str, tmp_path: Path
) -> None:
    """Eight starts at the same moment for an assignment with two attempts: two begin, six are
    told that every attempt has been used (the count and the session's row are written together)."""
    from concurrent.futures import ThreadPoolExecutor

    from simulator.content.library import bundled_path
    from simulator.course.courses import add_members, assign, create_cohort
    from simulator.service import play as service

    db = open_database(db_url)
    create_cohort(db, "C", "lead")
    add_members(db, "C", ["amy"], "trainee", "lead")
    assign(
        db, "C", "ray", mode="assessment", due=None, attempts=2, rationale_required=False,
        actor="lead",
    )  # fmt: skip
    path = bundled_path("ray")
    v = load_vignette(path)

    def begin(i: int) -> str:
        try:
            run = service.start(
                path, v, default_rubric(), trainee="amy", db_url=db_url,
                out=tmp_path / f"s{i}.json", warm=False,
            )  # fmt: skip
        except AttuneError as exc:
            return exc.problems[0].message
        run.close()
        return "started"

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(begin, range(8)))
    assert answers.count("started") == 2, answers
    assert sum("allowed attempt(s) have been used" in a for a in answers) == 6
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(sessions)).scalar() == 2


@pytest.mark.parametrize("older", ["0003", "0004", "0005", "0006"])
def test_a_database_from_an_older_version_upgrades_with_its_data(db_url: str, older: str) -> None:
    """Every earlier schema revision is known: its database upgrades, it is not refused as newer."""
    from alembic import command
    from alembic.config import Config

    from simulator.store import database

    db = open_database(db_url)
    create_cohort(db, "keep me", "lead")
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(database.__file__).parent / "migrations"))
    with db.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, older)
    assert current_revision(db) == older
    upgraded = open_database(db_url)
    assert current_revision(upgraded) == HEAD
    with upgraded.read() as conn:
        assert conn.execute(sa.text("SELECT name FROM cohorts")).scalar() == "keep me"
