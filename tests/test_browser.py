"""`attune serve` in a real browser: log in, play a vignette to its debrief, take a screenshot.

Debian's chromium, driven by Playwright with `executable_path` (no browser download). `make test`
installs the chromium package if it is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from simulator.course.auth import login, set_password
from simulator.course.courses import add_members, create_cohort
from simulator.store.database import open_database
from simulator.store.schema import events, sessions
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


WAIT_MS = 120_000
"""The longest wait for one step (a shared 2-core machine under load); steps end sooner."""

CAPTURE = """
window.__attuneOut = "";
(() => {
  const Original = window.WebSocket;
  const decoder = new TextDecoder();
  window.WebSocket = function (...args) {
    const socket = new Original(...args);
    socket.addEventListener("message", (e) => {
      if (typeof e.data !== "string") {
        window.__attuneOut += decoder.decode(new Uint8Array(e.data), {stream: true});
      }
    });
    return socket;
  };
  window.WebSocket.prototype = Original.prototype;
})();
"""
"""Keeps what the served app writes to the page's terminal, so the test waits on what it shows."""


def page_shows(page: Any, text: str) -> None:
    """Wait until the served app has drawn `text` on `page` (it arrives as terminal output,
    kept by `CAPTURE`); fail with what it did draw."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            "t => window.__attuneOut !== undefined && window.__attuneOut.includes(t)",
            arg=text,
            timeout=WAIT_MS,
        )
    except PlaywrightTimeout:
        drawn = re.sub(r"\x1b\[[0-9;?$]*[A-Za-z]", "", page.evaluate("window.__attuneOut"))
        raise AssertionError(f"the page never showed {text!r}; last: {drawn[-800:]}") from None


def focus_terminal(page: Any, x: int, y: int) -> None:
    """Click the page's terminal at (x, y) and wait until it has the keyboard: keys typed
    before xterm's input element has the focus never reach the app (a busy machine is slow to
    give it)."""
    page.mouse.click(x, y)
    page.wait_for_function(
        "() => document.activeElement !== null"
        " && document.activeElement.classList.contains('xterm-helper-textarea')",
        timeout=WAIT_MS,
    )


def _wait_for_choice(db: Any, turn: int, timeout: float = 120) -> bool:
    """Wait until the session has `turn` choices stored; True once it has ended."""
    deadline = time.monotonic() + timeout
    while True:
        with db.read() as conn:
            row = conn.execute(
                sa.select(sa.func.count(events.c.seq), sa.func.max(sessions.c.ended_at))
                .select_from(events.join(sessions, events.c.session_id == sessions.c.id))
                .where(events.c.kind == "choice")
            ).one()
        if row[0] >= turn:
            return row[1] is not None
        assert time.monotonic() < deadline, f"choice {turn} was not stored"
        time.sleep(0.1)


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
            page.add_init_script(CAPTURE)
            page.goto(f"http://127.0.0.1:{port}/")

            def shows(text: str) -> None:
                page_shows(page, text)

            shows("Log in to attunement")
            focus_terminal(page, 640, 370)  # the name field
            page.keyboard.type("amy", delay=20)
            shows("amy")  # the name is in its field
            page.keyboard.press("Enter")
            page.keyboard.type("amy-passphrase-1", delay=20)
            shows("•" * len("amy-passphrase-1"))  # the password is in its field, masked
            page.keyboard.press("Enter")
            shows("Logged in as amy")
            shows("Difficulty")  # the library's table has loaded
            page.keyboard.press("Enter")  # the first vignette's briefing
            shows("Learning objectives")
            page.keyboard.press("Enter")  # start the session
            SHOTS.mkdir(exist_ok=True)
            for turn in range(1, 13):  # choose 1 until the session ends (at most its turn limit)
                page.keyboard.press("1")
                if _wait_for_choice(db, turn):
                    break
                if turn == 2:  # the conversation: the exchange so far above the client's line
                    shows("Feedback on your last response")
                    shows("You: ")
                    page.screenshot(path=str(SHOTS / "conversation.png"))
            shows("Press Enter for your debrief")  # the closing scene
            page.keyboard.press("Enter")
            shows("Overall")  # the debrief, with its score
            shot = SHOTS / "debrief.png"
            page.screenshot(path=str(shot))
            browser.close()
        assert shot.stat().st_size > 20_000
        assert (SHOTS / "conversation.png").stat().st_size > 20_000
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
