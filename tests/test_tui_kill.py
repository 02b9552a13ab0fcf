"""Kill -9 the full-screen player between two choices; nothing is lost and the session resumes."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

from simulator.content.loader import load_vignette
from simulator.play.session import Session
from simulator.play.transcript import load_transcript
from tests.conftest import MINI, ROOT


def _drain(fd: int, seconds: float, until: Callable[[], bool] | None = None) -> None:
    """Read the app's output (so it never blocks) for up to `seconds`, or until `until()`."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if until is not None and until():
            return
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                os.read(fd, 65536)
            except OSError:
                return


def test_kill_during_tui_session_loses_nothing(tmp_path: Path) -> None:
    env = {**os.environ, "ATTUNE_DATA_DIR": str(tmp_path), "TERM": "xterm-256color"}
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real `attune play` on a terminal
        os.chdir(ROOT)
        os.execve(
            sys.executable,
            [sys.executable, "-m", "simulator", "play", str(MINI), "--in-order"],
            env,
        )
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    sessions = tmp_path / "sessions"

    def session_file() -> Path | None:
        files = list(sessions.glob("*.json")) if sessions.is_dir() else []
        return files[0] if files else None

    try:
        _drain(fd, 4)  # start-up, library and briefing
        os.write(fd, b"\r")  # start the session
        _drain(fd, 30, lambda: session_file() is not None)
        path = session_file()
        assert path is not None, "the session was not created"
        _drain(fd, 1)
        os.write(fd, b"3")  # choice 3 at 'ask'
        _drain(fd, 30, lambda: '"choice": 3' in path.read_text())
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    t = load_transcript(path).transcript
    assert [(e.beat, e.choice) for e in t.route()] == [("ask", 3)]
    resumed = Session.resume(load_vignette(MINI), t)
    assert resumed.node == "agrees" and resumed.turn == 1
