"""An installed `attune` finds the shipped vignettes and the scoring data."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import ROOT


def test_wheel_ships_vignettes_and_scoring_data(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("attunement-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {p.name for p in (ROOT / "vignettes").glob("*.yaml")}
    assert shipped and {f"simulator/bundled/{n}" for n in shipped} <= names
    assert "simulator/content/codebook.yaml" in names
    # every module of the source tree is in the wheel (the TUI and the migrations included)
    modules = {
        p.relative_to(ROOT).as_posix()
        for top in ("simulator", "scoring")
        for p in (ROOT / top).rglob("*.py")
    }
    assert modules <= names, sorted(modules - names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "attune = simulator._entry:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
