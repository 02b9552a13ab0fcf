"""Files the way attunement writes and fingerprints them: whole or not at all, and by sha256."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def atomic_write(path: Path, text: str, *, mode: int | None = None) -> None:
    """Replace `path` with `text` so that a crash leaves either the old or the new file, whole:
    write a temporary file, fsync it, rename it over `path`, fsync the folder. `mode` sets the
    new file's permissions before it takes the name (e.g. 0o600 for a private journal)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        if mode is not None:
            os.chmod(tmp, mode)
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
