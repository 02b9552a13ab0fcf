"""The vignettes shipped with attunement: `vignettes/`, installed as the package `simulator.bundled`."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.errors import Problem
    from simulator.model import Vignette
    from simulator.transcript import Transcript


def bundled_dir() -> Path:
    try:
        return Path(str(resources.files("simulator.bundled")))
    except (
        ModuleNotFoundError
    ):  # an editable install runs from the checkout, where they sit at the top
        return Path(__file__).resolve().parent.parent / "vignettes"


def bundled_files() -> list[Path]:
    return sorted(p for p in bundled_dir().iterdir() if p.suffix in (".yaml", ".yml"))


def bundled_path(ident: str) -> Path | None:
    for path in bundled_files():
        if path.stem == ident:
            return path
    return None


DIFFICULTY_ORDER = {"introductory": 0, "intermediate": 1, "advanced": 2}


def load_library(
    paths: list[Path] | None = None,
) -> tuple[list[tuple[Path, Vignette]], list[Problem]]:
    """Every loadable vignette, and the problems of those that are not (never raises for one file)."""
    from simulator.errors import AttuneError
    from simulator.loader import load_vignette

    found: list[tuple[Path, Vignette]] = []
    problems: list[Problem] = []
    for path in paths if paths is not None else bundled_files():
        try:
            found.append((path, load_vignette(path)))
        except AttuneError as exc:
            problems.extend(exc.problems)
    # gentlest first, so a newcomer meets the introductory vignette at the top of the list
    found.sort(key=lambda pv: (DIFFICULTY_ORDER.get(pv[1].difficulty, 1), pv[1].title))
    return found, problems


def vignette_candidates(t: Transcript, first: Path | None = None) -> list[Path]:
    """Where a transcript's vignette may be, in order: `first` (a path the user named), the path
    recorded when it was played, then the shipped vignette of that id. Only existing files."""
    candidates = [first] if first else []
    if t.vignette_path:
        candidates.append(Path(t.vignette_path))
    shipped = bundled_path(t.vignette_id)
    if shipped:
        candidates.append(shipped)
    return [c for c in candidates if c.is_file()]
