from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

# Keep tests away from the user's real cache and data folders.
os.environ.setdefault("ATTUNE_CACHE_DIR", tempfile.mkdtemp(prefix="attune-cache-"))
os.environ.setdefault("ATTUNE_DATA_DIR", tempfile.mkdtemp(prefix="attune-data-"))

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "vignettes"
MINI = FIXTURES / "mini.yaml"
LOOP = FIXTURES / "loop.yaml"


@pytest.fixture
def mini_text() -> str:
    return MINI.read_text(encoding="utf-8")


def cli(*args: str) -> Result:
    from simulator.hosts.cli import main

    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def run_attune(*args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    """Run the real entry point in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "simulator", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
def pg_server():  # type: ignore[no-untyped-def]
    """A throwaway PostgreSQL server on loopback for the whole test run (tests/pgserver.py)."""
    from tests.pgserver import PostgresServer

    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty course database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'course.db'}"
    server = request.getfixturevalue("pg_server")
    return str(server.new_database())


async def wait_until(
    pilot: Any, condition: Callable[[], bool], what: str, limit: float = 60
) -> None:
    """Wait until `condition` holds, letting workers finish and the screen refresh between
    checks; fail naming `what` after `limit` seconds. Tests wait on conditions, never on fixed
    delays, so that they hold on a busy machine."""
    deadline = time.monotonic() + limit
    while True:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if condition():
            return
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.05)
