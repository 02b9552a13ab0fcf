"""`attune convert`: a vignette between its YAML file and Twine (Twee 3, or Twine 2's HTML).

Nothing is written unless the whole conversion succeeded: the output is built in memory,
validated as a vignette, then written in one atomic step.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from simulator.content import twine
from simulator.content.library import resolve_vignette
from simulator.content.loader import load_vignette
from simulator.content.model import Vignette
from simulator.errors import AttuneError, Problem
from simulator.files import atomic_write

TWEE = (".twee", ".tw")
ARCHIVE = (".html", ".htm")
MAX_BYTES = 8 * 1024 * 1024
"""Largest Twine file read (a published story carries its story format's code, ~1-2 MB)."""


@dataclass(frozen=True)
class Converted:
    text: str
    warnings: list[Problem]


def read(path: Path) -> tuple[Vignette, list[Problem]]:
    """A vignette from YAML, Twee or a Twine HTML file, with the warnings of a draft."""
    path = resolve_vignette(path)
    name = str(path)
    suffix = path.suffix.lower()
    if suffix not in (*TWEE, *ARCHIVE):
        return load_vignette(path), []
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise AttuneError.single(
            name, f"cannot read the file: {exc.strerror}", hint="check the path"
        ) from None
    if len(raw) > MAX_BYTES:
        raise AttuneError.single(
            name,
            f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB",
            hint="is this a Twine file?",
        )
    draft = twine.read_twee(raw, name) if suffix in TWEE else twine.read_archive(raw, name)
    return twine.to_vignette(draft, name), draft.warnings


def convert(path: Path, to: str) -> Converted:
    v, warnings = read(path)
    text = twine.to_twee(v) if to == "twee" else twine.to_yaml(v)
    return Converted(text, warnings)


def write(text: str, out: Path) -> None:
    if out.is_dir():
        raise AttuneError.single(
            str(out), "is a folder", hint="name the file to write, e.g. --out story.twee"
        )
    atomic_write(out, text)
