"""What users read names the course, author or instrument behind a principle, never the
project's internal source numbers ("seed 000")."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.conftest import ROOT

INTERNAL = re.compile(r"(?i)\bseeds?\s*0\d\d\b|\bseed principles?\b|\bseed:\s*\"?\d")


def _user_facing_files() -> list[Path]:
    return [
        *sorted((ROOT / "vignettes").glob("*.yaml")),
        ROOT / "simulator" / "content" / "codebook.yaml",
        ROOT / "scoring" / "rubric.yaml",
        ROOT / "README.md",
        *sorted((ROOT / "docs").glob("*.md")),
        *sorted((ROOT / "simulator").rglob("*.j2")),
    ]


def _strings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def test_no_internal_source_numbers_in_text_users_read() -> None:
    found = []
    for path in _user_facing_files():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if INTERNAL.search(line):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    for top in ("simulator", "scoring"):
        for path in sorted((ROOT / top).rglob("*.py")):
            for line, text in _strings(path):
                if INTERNAL.search(text):
                    found.append(f"{path.relative_to(ROOT)}:{line}: {text[:80]}")
    assert not found, "\n".join(found)


def test_the_check_finds_what_it_looks_for() -> None:
    assert INTERNAL.search("Readiness versus capacity (seed 000)")
    assert INTERNAL.search("the seed principles this vignette trains")
    assert not INTERNAL.search("--seed 3: seed for the random strategy")


def test_every_setting_is_read_in_one_place_and_documented() -> None:
    from simulator.settings import VARIABLES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in VARIABLES:
        assert f"| `{name}` |" in readme, f"README's settings table lacks {name}"
    sources = [
        path
        for top in ("simulator", "scoring")
        for path in (ROOT / top).rglob("*.py")
        if path.name != "settings.py"
        and re.search(r"environ(\.get)?\(?\[?[\"']ATTUNE_", path.read_text(encoding="utf-8"))
    ]
    assert not sources, f"read ATTUNE_* through simulator.settings, not here: {sources}"
