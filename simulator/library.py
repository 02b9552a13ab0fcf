"""The vignettes shipped with attunement: `vignettes/`, installed as the package `simulator.bundled`."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


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
