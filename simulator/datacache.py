"""Cache validated shipped data (codebook, rubric) between runs, to keep start-up fast.

The cache key is the source file's SHA-256 plus the attunement and pydantic versions, so an edited
file or an upgrade rebuilds it. It lives in the user's own cache directory; anything unreadable
there is ignored and rebuilt. Set ATTUNE_NO_CACHE=1 to bypass it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def _cache_dir() -> Path:
    override = os.environ.get("ATTUNE_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("attunement", appauthor=False))


def cached(name: str, raw: bytes, build: Callable[[bytes], T], code: Path | None = None) -> T:
    """`build(raw)`, or the result of an earlier identical build.

    `code` is the module defining the models built: editing it invalidates the cache too.
    """
    if os.environ.get("ATTUNE_NO_CACHE"):
        return build(raw)
    import pydantic

    from simulator import __version__

    source = code.read_bytes() if code is not None else b""
    digest = hashlib.sha256(
        raw + source + __version__.encode() + pydantic.VERSION.encode()
    ).hexdigest()[:32]
    path = _cache_dir() / f"{name}-{digest}.pickle"
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)  # type: ignore[no-any-return]
    except Exception:
        pass
    value = build(raw)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        with open(tmp, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache directory only costs speed
    return value
