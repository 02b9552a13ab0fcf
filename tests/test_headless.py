"""The core never imports Textual or Rich (checked in a fresh interpreter per module)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

CORE = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts)
    for top in ("simulator", "scoring")
    for p in (ROOT / top).rglob("*.py")
    if "tui" not in p.parts
    and p.name not in ("__init__.py", "__main__.py", "env.py")
    and "versions" not in p.parts
)
"""Every module outside the TUI: models, loader, analysis, engine, scoring, storage and the CLI."""


def test_the_core_list_is_not_empty() -> None:
    assert {
        "simulator.store.database",
        "simulator.store.dbstore",
        "scoring.scorer",
        "simulator.hosts.cli",
    } <= set(CORE)


@pytest.mark.parametrize("module", CORE)
def test_core_module_is_headless(module: str) -> None:
    code = f"import sys, {module}; bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')]; print(bad); sys.exit(1 if bad else 0)"
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["lint", "tests/fixtures/vignettes"],
        ["schema"],
        ["map", "tests/fixtures/vignettes/mini.yaml"],
    ],
)
def test_headless_commands_do_not_import_textual(command: list[str]) -> None:
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['attune', *{command!r}]\n"
        "try:\n    runpy.run_module('simulator', run_name='__main__')\n"
        "except SystemExit as e:\n    code = e.code\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')]\n"
        "sys.stderr.write(repr(bad))\nsys.exit(9 if bad else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-500:]


def test_entry_point_pauses_gc_only_for_headless_commands() -> None:
    code = (
        "import gc, sys\n"
        "from simulator._entry import main\n"
        "sys.argv = ['attune', *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write('GC=' + str(gc.isenabled()))\n"
    )
    lint = subprocess.run(
        [sys.executable, "-c", code, "schema"], cwd=ROOT, capture_output=True, text=True
    )
    assert "GC=False" in lint.stderr
    play = subprocess.run(
        [sys.executable, "-c", code, "play", "tests/fixtures/vignettes/mini.yaml", "--plain"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        input="q\n",
    )
    assert "GC=True" in play.stderr, play.stderr[-500:]
    import gc

    import simulator.hosts.cli  # noqa: F401  - importing the library leaves the collector alone

    assert gc.isenabled()


@pytest.mark.parametrize(
    ("command", "frozen"),
    [
        (["lint", "tests/fixtures/vignettes/mini.yaml"], True),
        (["schema"], True),
        (["map", "tests/fixtures/vignettes/mini.yaml"], True),
        (["lint", "no-such-file.yaml"], True),
        (["play", "tests/fixtures/vignettes/mini.yaml", "--plain"], False),
    ],
)
def test_read_only_commands_spare_the_exit_sweep(command: list[str], frozen: bool) -> None:
    """A read-only command freezes what it made, so finalisation's collections skip it; a
    command that turned the collector back on (or writes data) exits the ordinary way."""
    code = (
        "import gc, sys\n"
        "from simulator._entry import main\n"
        "sys.argv = ['attune', *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write('FROZEN=' + str(gc.get_freeze_count()))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        input="q\n",
    )
    count = int(proc.stderr.rsplit("FROZEN=", 1)[1])
    assert (count > 10_000) is frozen, proc.stderr[-500:]
