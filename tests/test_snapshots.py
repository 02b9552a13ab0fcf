"""A few snapshots per screen at a fixed size (pytest-textual-snapshot). Update with --snapshot-update."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simulator.content.loader import load_vignette
from simulator.hosts.tui.app import make_app
from tests.conftest import LOOP, MINI, wait_until

SIZE = (110, 36)


@pytest.fixture(autouse=True)
def fresh_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTUNE_DATA_DIR", str(tmp_path))


async def settle(pilot: Any) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def app_for(mode: str = "practice", start: bool = True) -> Any:
    v = load_vignette(MINI)
    return make_app(
        in_order=True, library_paths=[MINI, LOOP], start=(MINI, v) if start else None, mode=mode
    )


def test_library(snap_compare: Any) -> None:
    assert snap_compare(app_for(start=False), terminal_size=SIZE, run_before=settle)


def test_briefing(snap_compare: Any) -> None:
    assert snap_compare(app_for(), terminal_size=SIZE, run_before=settle)


def test_play_practice_after_a_choice(snap_compare: Any) -> None:
    async def run(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("enter", "2")
        await settle(pilot)

    assert snap_compare(app_for(), terminal_size=SIZE, run_before=run)


def test_play_assessment(snap_compare: Any) -> None:
    async def run(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("enter", "2")
        await settle(pilot)

    assert snap_compare(app_for("assessment"), terminal_size=SIZE, run_before=run)


def test_debrief(snap_compare: Any) -> None:
    async def run(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("enter", "2", "1")
        await settle(pilot)

    assert snap_compare(app_for(), terminal_size=SIZE, run_before=run)


def test_help(snap_compare: Any) -> None:
    async def run(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("enter", "f1")
        await settle(pilot)

    assert snap_compare(app_for(), terminal_size=SIZE, run_before=run)


def test_login(snap_compare: Any, tmp_path: Path) -> None:
    """The served app's login screen, after a wrong password."""
    from simulator.course.auth import set_password
    from simulator.course.courses import add_members, create_cohort
    from simulator.store.database import open_database

    url = f"sqlite:///{tmp_path / 'c.db'}"
    db = open_database(url)
    create_cohort(db, "C", "lead")
    add_members(db, "C", ["amy"], "trainee", "lead")
    set_password(db, "amy", "amy-passphrase-1", None)

    async def wrong_password(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press(*"amy", "enter", *"nope", "enter")
        # the password check (argon2) runs in a worker: wait for its answer, however long
        await wait_until(
            pilot,
            lambda: (
                str(pilot.app.screen.query_one("#login-error").render()) not in ("", "Checking…")
            ),
            "the login's answer",
        )

    app = make_app(in_order=True, db_url=url, require_login=True)
    assert snap_compare(app, terminal_size=SIZE, run_before=wrong_password)


def test_closing_scene(snap_compare: Any) -> None:
    async def run(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("enter", "2", "1", "1")  # mini: to the 'repaired' ending
        await settle(pilot)

    assert snap_compare(app_for(), terminal_size=SIZE, run_before=run)


SIZES = [(60, 20), (80, 24), (120, 40)]


async def _to_the_end(pilot: Any) -> None:
    """From the briefing, the first response at every beat until the session ends."""
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    app = pilot.app
    while app.session is not None and not app.session.ended:
        await pilot.press("1")
        await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_conversation_at(snap_compare: Any, size: tuple[int, int]) -> None:
    """The exchange so far above the client's line, the options (scrolling, with a cue, when
    they do not fit), the meters on one line in a short terminal."""

    async def run(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("enter", "2")
        await settle(pilot)

    assert snap_compare(app_for(), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_closing_scene_at(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(app_for(), terminal_size=size, run_before=_to_the_end)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_debrief_at(snap_compare: Any, size: tuple[int, int]) -> None:
    async def run(pilot: Any) -> None:
        await _to_the_end(pilot)
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: "Finding" not in str(pilot.app.screen.query_one("#expert-route").render()),
            "the expert route",
        )

    assert snap_compare(app_for(), terminal_size=size, run_before=run)
