"""`attune serve` in a real browser: log in, play a vignette to its debrief, take a screenshot.

Debian's chromium, driven by Playwright with `executable_path` (no browser download). `make test`
installs the chromium package if it is missing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from simulator.course.auth import login, set_password
from simulator.course.courses import add_members, create_cohort
from simulator.store.database import open_database
from simulator.store.schema import sessions
from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
SHOTS = ROOT / "tests" / "browser-shots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(
                f"attune serve exited: {proc.stderr.read().decode() if proc.stderr else ''}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("attune serve did not start listening")


def test_play_to_the_debrief_in_a_browser(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: `make test` installs it"
    url = f"sqlite:///{tmp_path / 'course.db'}"
    db = open_database(url)
    create_cohort(db, "C", "lead")
    add_members(db, "C", ["lead"], "course_leader", "lead")
    add_members(db, "C", ["amy"], "trainee", "lead")
    set_password(db, "lead", "lead-passphrase-1", None)
    set_password(db, "amy", "amy-passphrase-1", login(db, "lead", "lead-passphrase-1"))
    port = _free_port()
    env = {**os.environ, "ATTUNE_DATA_DIR": str(tmp_path / "data"), "ATTUNE_DB": url}
    server = subprocess.Popen(
        [sys.executable, "-m", "simulator", "serve", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        _wait_for_port(port, server)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector("body.-first-byte", timeout=60_000)
            page.wait_for_timeout(5000)  # the app's first screen, on a shared 2-core machine
            page.mouse.click(640, 370)  # the name field

            def keys(*seq: str, pause: int = 600) -> None:
                for k in seq:
                    if len(k) == 1 or k.startswith(("amy", "lead")):
                        page.keyboard.type(k, delay=80)
                    else:
                        page.keyboard.press(k)
                    page.wait_for_timeout(pause)

            keys("amy", "Enter", "amy-passphrase-1", "Enter", pause=1200)
            page.wait_for_timeout(2000)
            keys("Enter", "Enter", pause=1500)  # open the first vignette, start the session
            for _ in range(12):  # choose 1 until the session ends (at most its turn limit)
                keys("1", pause=700)
            page.wait_for_timeout(3000)
            SHOTS.mkdir(exist_ok=True)
            shot = SHOTS / "debrief.png"
            page.screenshot(path=str(shot))
            browser.close()
        assert shot.stat().st_size > 20_000
        with db.read() as conn:
            row = conn.execute(
                sa.select(sessions.c.trainee, sessions.c.ended_at, sessions.c.overall)
            ).one()
        assert row.trainee == "amy" and row.ended_at is not None and row.overall is not None
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
