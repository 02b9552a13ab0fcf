"""Logins and roles, enforced in the core: argon2 hashes, a rate limit, idle expiry, and no way
for a trainee to read another trainee's transcript or change a score. Plus the schema upgrade
that added logins, on a database holding a course's data."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from scoring.rubric import default_rubric
from simulator.content.library import bundled_path
from simulator.content.loader import load_vignette
from simulator.course.auth import (
    MAX_FAILURES,
    WINDOW,
    Identity,
    LoginSession,
    login,
    logins_enabled,
    set_password,
)
from simulator.course.courses import add_members, create_cohort
from simulator.course.review import list_transcripts, load_review, override_points
from simulator.errors import AttuneError
from simulator.play.session import Session
from simulator.store.database import HEAD, current_revision, open_database
from simulator.store.dbstore import DbStore
from simulator.store.schema import people
from tests.conftest import run_attune

RAY = load_vignette(bundled_path("ray"))  # type: ignore[arg-type]
PASSWORDS = {"lead": "lead-passphrase-1", "amy": "amy-passphrase-1", "ben": "ben-passphrase-1",
             "rao": "rao-passphrase-1"}  # fmt: skip


def _shared(db_url: str) -> tuple[object, dict[str, str]]:
    """A course with passwords: a leader, an assessor, two trainees who each played once."""
    db = open_database(db_url)
    create_cohort(db, "C", "lead")
    add_members(db, "C", ["lead"], "course_leader", "lead")
    add_members(db, "C", ["rao"], "assessor", "lead")
    add_members(db, "C", ["amy", "ben"], "trainee", "lead")
    set_password(db, "lead", PASSWORDS["lead"], None)  # the first password turns logins on
    lead = login(db, "lead", PASSWORDS["lead"])
    for name in ("rao", "amy", "ben"):
        set_password(db, name, PASSWORDS[name], lead)
    sessions = {}
    for name in ("amy", "ben"):
        s = Session(RAY, rubric_version=default_rubric().version, trainee=name, cohort_id=1)
        s.store = DbStore(db, RAY, default_rubric())
        while not s.ended:
            s.choose(0)
        sessions[name] = s.transcript.session_id
    return db, sessions


def test_passwords_are_argon2_hashes_and_logins_turn_on(db_url: str) -> None:
    db, _ = _shared(db_url)
    assert logins_enabled(db)  # type: ignore[arg-type]
    with db.read() as conn:  # type: ignore[attr-defined]
        hashes = list(conn.execute(sa.select(people.c.password_hash)).scalars())
    assert all(h.startswith("$argon2id$") for h in hashes if h)
    assert not any(p in h for h in hashes if h for p in PASSWORDS.values())
    assert login(db, "amy", PASSWORDS["amy"]).role == "trainee"  # type: ignore[arg-type]
    with pytest.raises(AttuneError, match="wrong name or password"):
        login(db, "amy", "not her password")  # type: ignore[arg-type]
    with pytest.raises(AttuneError, match="wrong name or password"):
        login(db, "nobody", "whatever")  # type: ignore[arg-type]
    with pytest.raises(AttuneError, match="shorter than"):
        set_password(db, "amy", "short", login(db, "lead", PASSWORDS["lead"]))  # type: ignore[arg-type]
    # a trainee cannot set someone else's password
    with pytest.raises(AttuneError, match="only a course leader"):
        set_password(db, "ben", "a-long-new-password", login(db, "amy", PASSWORDS["amy"]))  # type: ignore[arg-type]


def test_wrong_passwords_are_rate_limited(db_url: str) -> None:
    db, _ = _shared(db_url)
    start = time.time()
    for _ in range(MAX_FAILURES):
        with pytest.raises(AttuneError, match="wrong name or password"):
            login(db, "ben", "guess", clock=start)  # type: ignore[arg-type]
    with pytest.raises(AttuneError, match="too many wrong passwords"):
        login(db, "ben", PASSWORDS["ben"], clock=start + 1)  # type: ignore[arg-type]
    later = start + WINDOW.total_seconds() + 5
    assert login(db, "ben", PASSWORDS["ben"], clock=later).name == "ben"  # type: ignore[arg-type]


def test_an_idle_login_expires() -> None:
    session = LoginSession(Identity("amy", "trainee", True), last_seen=0.0)
    session.touch(60.0)
    with pytest.raises(AttuneError, match="expired after 30 minutes"):
        session.touch(60.0 + 31 * 60)


def test_a_trainee_reads_only_their_own_transcripts(db_url: str) -> None:
    db, sessions = _shared(db_url)
    amy = login(db, "amy", PASSWORDS["amy"])  # type: ignore[arg-type]
    seen = list_transcripts(db, trainee="ben", viewer=amy)  # type: ignore[arg-type]
    assert {t.trainee for t in seen} == {"amy"}  # the filter cannot widen what she sees
    assert load_review(db, sessions["amy"], default_rubric(), amy)  # type: ignore[arg-type]
    with pytest.raises(AttuneError, match="only their own transcripts"):
        load_review(db, sessions["ben"], default_rubric(), amy)  # type: ignore[arg-type]
    own = load_review(db, sessions["amy"], default_rubric(), amy)  # type: ignore[arg-type]
    with pytest.raises(AttuneError, match="only assessors and course leaders"):
        override_points(db, own, 1, 3, "amy", "I deserve more")  # type: ignore[arg-type]
    rao = login(db, "rao", PASSWORDS["rao"])  # type: ignore[arg-type]
    assert {t.trainee for t in list_transcripts(db, viewer=rao)} == {"amy", "ben"}  # type: ignore[arg-type]


def test_no_command_lets_a_trainee_see_or_change_others(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    _, sessions = _shared(url)
    env = {**os.environ, "ATTUNE_DB": url, "ATTUNE_DATA_DIR": str(tmp_path / "d")}
    as_amy = {**env, "ATTUNE_USER": "amy", "ATTUNE_PASSWORD": PASSWORDS["amy"]}
    refused = [
        ("export", "--session", sessions["ben"], "--format", "json"),
        ("export", "--cohort", "C", "--format", "html"),
        ("verify", "--session", sessions["ben"]),
        ("review",),
        ("progress", "C"),
        ("hotspots", "C"),
        ("scores",),
        ("cohort", "create", "Mine"),
        ("assign", "C", "ray", "--attempts", "9"),
        ("user", "passwd", "ben"),
    ]
    for args in refused:
        result = run_attune(*args, env={**as_amy, "ATTUNE_NEW_PASSWORD": "a-long-new-password"})
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "amy" in result.stderr or "only a course leader" in result.stderr
        assert "Traceback" not in result.stderr
    own = run_attune("export", "--session", sessions["amy"], "--format", "csv", env=as_amy)
    assert own.returncode == 0 and sessions["amy"] in own.stdout
    wrong = run_attune(
        "progress", "C", env={**env, "ATTUNE_USER": "lead", "ATTUNE_PASSWORD": "nope"}
    )
    assert wrong.returncode == 2 and "wrong name or password" in wrong.stderr
    right = run_attune(
        "progress", "C", env={**env, "ATTUNE_USER": "lead", "ATTUNE_PASSWORD": PASSWORDS["lead"]}
    )
    assert right.returncode == 0, right.stderr


def test_an_older_course_database_is_upgraded_with_its_data(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    db = open_database(url, migrate=False)
    with db.begin() as conn:
        cfg = Config()
        cfg.set_main_option(
            "script_location", str(Path(__file__).parents[1] / "simulator" / "store" / "migrations")
        )
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    assert current_revision(db) == "0001"
    create_cohort(db, "From last year", "lead")
    add_members(db, "From last year", ["amy"], "trainee", "lead")
    db = open_database(url)  # a newer attunement opens it
    assert current_revision(db) == HEAD
    with db.read() as conn:
        assert conn.execute(sa.text("SELECT name FROM cohorts")).scalar() == "From last year"
        assert conn.execute(sa.text("SELECT count(*) FROM login_failures")).scalar() == 0


async def test_the_served_app_logs_in_and_expires(tmp_path: Path) -> None:
    import time as clock

    from textual.widgets import Input, Static

    from simulator.hosts.tui.app import make_app
    from simulator.hosts.tui.screens.library import LibraryScreen
    from simulator.hosts.tui.screens.login import LoginScreen

    url = f"sqlite:///{tmp_path / 'c.db'}"
    _shared(url)
    app = make_app(db_url=url, require_login=True)
    async with app.run_test(size=(110, 34)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        app.screen.query_one("#login-name", Input).value = "amy"
        app.screen.query_one("#login-password", Input).value = "wrong password"
        app.screen.query_one("#login-password", Input).focus()
        await pilot.press("enter")
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        assert "wrong name or password" in str(
            app.screen.query_one("#login-error", Static).render()
        )
        app.screen.query_one("#login-password", Input).value = PASSWORDS["amy"]
        await pilot.press("enter")
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        assert isinstance(app.screen, LibraryScreen) and app.trainee == "amy"
        assert app.login is not None
        app.login.last_seen = clock.monotonic() - 31 * 60  # half an hour passes, untouched
        await pilot.press("down")
        await pilot.pause(0.2)
        assert isinstance(app.screen, LoginScreen) and app.trainee is None
        assert "expired" in str(app.screen.query_one("#login-notice", Static).render())


def test_the_served_apps_never_carry_the_database_password_in_their_arguments() -> None:
    from simulator.hosts.cli_trust import served_command

    url = "postgresql://attune:s3cret-pass@127.0.0.1:5432/course"
    command, env = served_command(url, {"PATH": "/usr/bin"})
    assert not any("s3cret" in part for part in command)
    assert env["ATTUNE_DB"] == url and env["PATH"] == "/usr/bin"


def _stored_trainees(db: object) -> list[str | None]:
    from simulator.store.schema import sessions

    with db.read() as conn:  # type: ignore[attr-defined]
        return sorted(conn.execute(sa.select(sessions.c.trainee)).scalars(), key=str)


def test_play_writes_only_the_logged_in_trainees_record(db_url: str, tmp_path: Path) -> None:
    db, _ = _shared(db_url)
    before = _stored_trainees(db)
    env = {
        **os.environ,
        "ATTUNE_DATA_DIR": str(tmp_path),
        "ATTUNE_DB": db_url,
        "ATTUNE_USER": "amy",
    }
    env.pop("ATTUNE_PASSWORD", None)
    # amy, without her password, as ben: refused, and nothing is written
    result = run_attune(
        "play", "--plain", "--in-order", "ray", "--trainee", "ben", input="1\n" * 3, env=env
    )
    assert result.returncode == 2 and "wrong name or password" in result.stderr, result.stderr
    # amy, with her password, as ben: refused
    env["ATTUNE_PASSWORD"] = PASSWORDS["amy"]
    result = run_attune(
        "play", "--plain", "--in-order", "ray", "--trainee", "ben", input="1\n" * 3, env=env
    )
    assert result.returncode == 2 and "may write only their own record" in result.stderr
    assert _stored_trainees(db) == before
    # amy as herself: the session is hers
    result = run_attune("play", "--plain", "--in-order", "ray", input="1\n" * 14, env=env)
    assert result.returncode == 0, result.stderr
    assert _stored_trainees(db) == sorted([*before, "amy"], key=str)
    # a course leader may act for a trainee, and the audit trail says so
    env.update(ATTUNE_USER="lead", ATTUNE_PASSWORD=PASSWORDS["lead"])
    result = run_attune(
        "play", "--plain", "--in-order", "ray", "--trainee", "ben", input="1\n" * 14, env=env
    )
    assert result.returncode == 0, result.stderr
    from simulator.store.schema import audit

    with db.read() as conn:  # type: ignore[attr-defined]
        acted = conn.execute(
            sa.select(audit.c.actor, audit.c.target).where(audit.c.action == "act_for")
        ).all()
    assert [tuple(r) for r in acted] == [("lead", "ben")]


def test_resume_continues_only_the_logged_in_trainees_session(db_url: str, tmp_path: Path) -> None:
    """A shared data folder holds ben's unfinished session: amy, logged in, cannot resume it, as
    herself or as ben; ben can."""
    db, _ = _shared(db_url)
    env = {**os.environ, "ATTUNE_DATA_DIR": str(tmp_path), "ATTUNE_DB": db_url}
    env.update(ATTUNE_USER="ben", ATTUNE_PASSWORD=PASSWORDS["ben"])
    started = run_attune("play", "--plain", "--in-order", "ray", input="1\n", env=env)
    assert "Resume with" in started.stdout, started.stdout + started.stderr
    before = _stored_trainees(db)
    env.update(ATTUNE_USER="amy", ATTUNE_PASSWORD=PASSWORDS["amy"])
    mine = run_attune("play", "--plain", "--in-order", "ray", "--resume", input="1\n", env=env)
    assert mine.returncode == 2 and "no unfinished session" in mine.stderr, mine.stderr
    as_ben = run_attune(
        "play", "--plain", "--in-order", "ray", "--resume", "--trainee", "ben", input="1\n",
        env=env,
    )  # fmt: skip
    assert as_ben.returncode == 2 and "may write only their own record" in as_ben.stderr
    assert _stored_trainees(db) == before
    env.update(ATTUNE_USER="ben", ATTUNE_PASSWORD=PASSWORDS["ben"])
    own = run_attune("play", "--plain", "--in-order", "ray", "--resume", input="1\n" * 14, env=env)
    assert own.returncode == 0 and "Resuming session" in own.stdout, own.stderr


def test_a_session_is_resumed_only_for_its_owner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The service refuses to carry on another person's session, whichever host asks."""
    from simulator.play.session import file_store
    from simulator.service.play import LoadedTranscript, resume

    journal = tmp_path / "s.json"
    s = Session(
        RAY, rubric_version=default_rubric().version, trainee="ben", store=file_store(journal)
    )
    s.choose(0)
    loaded = LoadedTranscript(s.transcript, str(journal), {})
    with pytest.raises(AttuneError) as caught:
        resume(RAY, loaded, default_rubric(), acting="amy")
    assert "belongs to ben, not to amy" in caught.value.problems[0].message
    resume(RAY, loaded, default_rubric(), acting="ben").close()


def test_sync_stores_only_the_logged_in_trainees_sessions(db_url: str, tmp_path: Path) -> None:
    from simulator.play.session import file_store

    db, _ = _shared(db_url)
    before = _stored_trainees(db)
    forged = tmp_path / "forged.json"
    s = Session(
        RAY, rubric_version=default_rubric().version, trainee="ben", store=file_store(forged)
    )
    s.store(s.transcript)  # type: ignore[misc]
    while not s.ended:
        s.choose(0)
    env = {**os.environ, "ATTUNE_DATA_DIR": str(tmp_path / "data"), "ATTUNE_DB": db_url}
    env.update(ATTUNE_USER="amy", ATTUNE_PASSWORD=PASSWORDS["amy"])
    result = run_attune("sync", str(forged), env=env)
    assert result.returncode == 1 and "you may store only your own" in result.stderr
    assert _stored_trainees(db) == before


def test_shared_database_opens_none_to_find_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simulator.service.courses import shared_database

    monkeypatch.setenv("ATTUNE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ATTUNE_DB", raising=False)
    assert not shared_database(None)  # no course database yet: nothing to log in to
    assert not (tmp_path / "data" / "attune.db").exists()  # and none was created for asking
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    _shared(url)
    assert shared_database(url)
    assert not shared_database(f"sqlite:///{tmp_path / 'own.db'}")


async def test_the_terminal_player_asks_for_a_login_on_a_shared_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simulator.hosts.tui.app import make_app
    from simulator.hosts.tui.screens.login import LoginScreen
    from simulator.store.schema import sessions
    from tests.conftest import MINI, wait_until

    monkeypatch.setenv("ATTUNE_DATA_DIR", str(tmp_path / "data"))
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    db, _ = _shared(url)
    with db.read() as conn:  # type: ignore[attr-defined]
        before = conn.execute(sa.select(sa.func.count()).select_from(sessions)).scalar()
    v = load_vignette(MINI)
    app = make_app(start=(MINI, v), trainee="ben", db_url=url, check_shared=True)
    async with app.run_test(size=(110, 36)) as pilot:
        # the briefing may be up before the check answers; starting waits for it
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), "the login screen")
        assert app.session is None and app.trainee is None
        # amy logs in: her library, and sessions are hers
        from textual.widgets import Input

        from simulator.hosts.tui.screens.library import LibraryScreen

        app.screen.query_one("#login-name", Input).value = "amy"
        app.screen.query_one("#login-password", Input).value = PASSWORDS["amy"]
        app.screen.query_one("#login-password", Input).focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.login is not None, "the login")
        assert isinstance(app.screen, LibraryScreen) and app.trainee == "amy"
        assert len(app.screen_stack) == 2  # the login screen is gone, the library refreshed
    with db.read() as conn:  # type: ignore[attr-defined]
        assert conn.execute(sa.select(sa.func.count()).select_from(sessions)).scalar() == before


def _register(db_url: str) -> object:
    db = open_database(db_url)
    create_cohort(db, "C", "lead")
    add_members(db, "C", ["lead"], "course_leader", "lead")
    add_members(db, "C", ["amy"], "trainee", "lead")
    set_password(db, "lead", PASSWORDS["lead"], None)
    set_password(db, "amy", PASSWORDS["amy"], login(db, "lead", PASSWORDS["lead"]))
    return db


def test_parallel_guesses_all_count(db_url: str) -> None:
    """Each attempt is counted before its password is checked, in one transaction: eight
    simultaneous wrong guesses get the limit's worth of checks, and the rest are refused."""
    from concurrent.futures import ThreadPoolExecutor

    _register(db_url)

    def guess(i: int) -> str:
        try:
            login(open_database(db_url), "amy", f"guess-{i}", source="attacker")  # type: ignore[arg-type]
        except AttuneError as exc:
            return exc.problems[0].message
        return "logged in"

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(guess, range(8)))
    assert answers.count("wrong name or password") == MAX_FAILURES, answers
    assert sum("too many" in a for a in answers) == 8 - MAX_FAILURES


def test_wrong_guesses_from_elsewhere_never_lock_the_owner_out(db_url: str) -> None:
    db = _register(db_url)
    for i in range(MAX_FAILURES + 2):
        with pytest.raises(AttuneError):
            login(db, "amy", f"guess-{i}", source="someone@elsewhere")  # type: ignore[arg-type]
    with pytest.raises(AttuneError, match="too many"):
        login(db, "amy", PASSWORDS["amy"], source="someone@elsewhere")  # type: ignore[arg-type]
    assert login(db, "amy", PASSWORDS["amy"], source="amy@laptop").name == "amy"  # type: ignore[arg-type]


def test_an_unknown_name_is_checked_against_a_hash_too(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Verification runs whether or not the name exists, so timing does not tell names apart."""
    import simulator.course.auth as auth

    db = _register(db_url)
    real = auth._hasher()
    checked: list[str] = []

    class Counting:
        def verify(self, stored: str, password: str) -> bool:
            checked.append(stored)
            return bool(real.verify(stored, password))

        def hash(self, password: str) -> str:
            return str(real.hash(password))

    monkeypatch.setattr(auth, "_hasher", Counting)
    with pytest.raises(AttuneError, match="wrong name or password"):
        login(db, "nobody-here", "whatever")  # type: ignore[arg-type]
    assert len(checked) == 1 and checked[0].startswith("$argon2")


async def test_a_served_app_without_logins_keeps_each_browsers_sessions_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without passwords, a browser visitor is not offered the terminal user's unfinished
    session, and what they play is kept in a folder of their own."""
    from simulator.hosts.cli import served_app
    from simulator.hosts.tui.screens.library import LibraryScreen
    from tests.conftest import wait_until

    data = tmp_path / "data"
    monkeypatch.setenv("ATTUNE_DATA_DIR", str(data))
    # served_app sets it for its process: recorded here, so it is restored after the test
    monkeypatch.setenv("ATTUNE_SESSIONS_DIR", "")
    monkeypatch.delenv("ATTUNE_SESSIONS_DIR")
    url = f"sqlite:///{tmp_path / 'own.db'}"
    mine = run_attune(
        "play", "--plain", "--in-order", "ray", "--db", url, input="1\n",
        env={**os.environ, "ATTUNE_DATA_DIR": str(data)},
    )  # fmt: skip
    assert "Resume with" in mine.stdout, mine.stderr  # the terminal user's unfinished session
    app = served_app(url)
    browser_dir = Path(os.environ["ATTUNE_SESSIONS_DIR"])
    assert browser_dir.parent == data / "sessions" / "served"
    async with app.run_test(size=(110, 36)) as pilot:
        await wait_until(pilot, lambda: bool(app.screen.query("#vignettes")), "the library")
        assert isinstance(app.screen, LibraryScreen)
        assert not app.screen.unfinished  # nothing of the terminal user's to resume
        assert not app.screen.query_one("#resume-hint").display
    assert served_app(url) is not app and Path(os.environ["ATTUNE_SESSIONS_DIR"]) != browser_dir
