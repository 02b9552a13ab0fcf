"""Player benchmarks: key press to next client statement painted, and start-up to first frame,
each against bench/minimal_app.py measured in the same run."""

from __future__ import annotations

import asyncio
import os
import pty
import random
import select
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from textual import events

ROOT = Path(__file__).resolve().parents[2]
SIZE = (120, 40)


async def _press_and_wait_for_paint(app: Any, key: str, widget: Any, gap: float = 0) -> float:
    """Send one key as the terminal driver would; time until a frame showing the changed widget
    is handed to the driver (`App._display`, which writes it to the terminal).

    `gap` waits before the key. With no gap, each key follows the previous frame at once (the
    issue's loop of 1,000 choices); Textual then paints on its next 60 fps tick, so both apps sit
    at about one frame.
    """
    await asyncio.sleep(gap)
    before = str(widget.render())
    painted: asyncio.Future[float] = asyncio.get_running_loop().create_future()
    display = app._display

    def spy(screen: Any, update: Any) -> None:
        display(screen, update)
        if not painted.done() and str(widget.render()) != before:
            painted.set_result(time.perf_counter())

    app._display = spy
    t0 = time.perf_counter()
    event = events.Key(key, key)
    event.set_sender(app)
    app._driver.send_message(event)
    try:
        return await painted - t0
    finally:
        app._display = display


def _gaps(n: int, paced: bool) -> list[float]:
    """No gaps, or a human-like pause of 20-40 ms before each key (seeded, the same for both apps)."""
    rng = random.Random(1)
    return [rng.uniform(0.02, 0.04) if paced else 0.0 for _ in range(n)]


async def minimal_latencies(n: int, paced: bool = False) -> list[float]:
    from tests.bench.minimal_app import Minimal

    app = Minimal()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        label = app.query_one("#statement")
        return [await _press_and_wait_for_paint(app, "1", label, g) for g in _gaps(n, paced)]


async def attune_latencies(n: int, mode: str = "practice", paced: bool = False) -> list[float]:
    from simulator.hosts.tui.app import make_app
    from tests.bench.generate import big_vignette

    os.environ["ATTUNE_DATA_DIR"] = tempfile.mkdtemp(prefix="attune-bench-")
    v = big_vignette(n + 5)
    path = Path(tempfile.mkdtemp()) / f"{v.id}.yaml"
    path.write_text("")  # only its name and hash are recorded
    # in order: "1" is always the authored first choice, a path that never ends the session
    app = make_app(library_paths=[], start=(path, v), mode=mode, in_order=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        statement = app.screen.query_one("#statement")
        out = [await _press_and_wait_for_paint(app, "1", statement, g) for g in _gaps(n, paced)]
        await app.workers.wait_for_complete()
        return out


def first_frame(argv: list[str], marker: bytes, timeout: float = 30) -> float:
    """Seconds from spawning `argv` on a terminal until `marker` is on the screen."""
    env = {**os.environ, "TERM": "xterm-256color", "ATTUNE_DATA_DIR": tempfile.mkdtemp()}
    t0 = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(ROOT)
        os.execve(argv[0], argv, env)
    import fcntl
    import struct
    import termios

    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    seen = b""
    try:
        while time.perf_counter() - t0 < timeout:
            ready, _, _ = select.select([fd], [], [], 0.01)
            if ready:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    break
                if marker in seen:
                    return time.perf_counter() - t0
        raise RuntimeError(f"{argv} did not show {marker!r}")
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def first_frames(rounds: int = 21) -> tuple[float, float]:
    py = sys.executable
    base, ours = [], []
    for _ in range(rounds):
        base.append(
            first_frame([py, str(ROOT / "tests" / "bench" / "minimal_app.py")], b"statement 0")
        )
        ours.append(first_frame([py, "-m", "simulator", "play"], b"attunement"))  # the header title
    return statistics.median(base), statistics.median(ours)


async def debrief_latency(path: Path) -> float:
    """The machine's part of the way from a session's last choice to its debrief, on a shipped
    vignette with an empty cache (the expert route has not been searched before): seconds from
    the last choice's key to the closing scene's first frame, plus from the closing scene's
    Enter to the debrief's first frame with the score. The reader's pause between the two is
    left out."""
    from simulator.hosts.tui.app import make_app
    from simulator.service.library import load_vignette

    os.environ["ATTUNE_DATA_DIR"] = tempfile.mkdtemp(prefix="attune-bench-")
    os.environ["ATTUNE_CACHE_DIR"] = tempfile.mkdtemp(prefix="attune-bench-cache-")
    os.environ.pop("ATTUNE_NO_CACHE", None)
    v = load_vignette(path)
    app = make_app(library_paths=[], start=(path, v), mode="practice", in_order=True)
    loop = asyncio.get_running_loop()
    closing: asyncio.Future[float] = loop.create_future()
    debrief: asyncio.Future[float] = loop.create_future()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # the briefing: start
        await pilot.pause()
        display = app._display

        def spy(screen: Any, update: Any) -> None:
            display(screen, update)
            name = type(screen).__name__
            if name == "ClosingScreen" and not closing.done():
                closing.set_result(time.perf_counter())
            if (
                name == "DebriefScreen"
                and not debrief.done()
                and str(screen.query_one("#summary").render()).startswith("Overall")
            ):
                debrief.set_result(time.perf_counter())

        app._display = spy
        last = 0.0
        while type(app.screen).__name__ == "PlayScreen":
            last = time.perf_counter()
            await pilot.press("1")
            await pilot.pause()
        to_closing = await asyncio.wait_for(closing, 60) - last
        enter = time.perf_counter()
        await pilot.press("enter")
        to_debrief = await asyncio.wait_for(debrief, 60) - enter
        await app.workers.wait_for_complete()
        print(
            f"      {path.stem}: closing {to_closing * 1000:.0f} ms, debrief {to_debrief * 1000:.0f} ms"
        )
        return to_closing + to_debrief
