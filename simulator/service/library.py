"""Vignettes for the hosts: the library, a name on the command line, the schema and the map, and
the vignette a transcript was played on (one lookup, which checks the recorded sha256)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simulator.content.library import (
    Found,
    bundled_dir,
    find_vignette,
    is_shipped,
    load_library,
    resolve_vignette,
)
from simulator.content.loader import load_vignette
from simulator.content.mapping import to_dot, to_mermaid
from simulator.content.model import Beat, Vignette
from simulator.play.transcript import Transcript


def open_vignette(name: Path) -> tuple[Path, Vignette]:
    """A vignette named on the command line: a path, or the id of a shipped one."""
    path = resolve_vignette(name)
    return path, load_vignette(path)


def transcript_vignette(t: Transcript, where: str, named: Path | None = None) -> Found:
    """The vignette a transcript was played on (`named` if the user gave one)."""
    return find_vignette(t.vignette_id, t.vignette_path, t.vignette_sha256, where, named)


def vignette_schema() -> dict[str, Any]:
    """The JSON Schema of the vignette format (for editor autocompletion)."""
    data: dict[str, Any] = Vignette.model_json_schema(by_alias=True)
    data["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    data["$id"] = "https://attunement.invalid/schema/vignette-1.json"
    return data


__all__ = [
    "Beat",
    "Found",
    "Vignette",
    "bundled_dir",
    "is_shipped",
    "load_library",
    "load_vignette",
    "resolve_vignette",
    "to_dot",
    "to_mermaid",
]
