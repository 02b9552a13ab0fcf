"""Cache validated shipped data (codebook, rubric) between runs, to keep start-up fast.

The cache key is the SHA-256 of the source file and of every other file the build depends on
(`inputs`), plus the attunement and pydantic versions, so an edited file or an upgrade rebuilds it. It lives in the user's own cache directory; anything unreadable
there is ignored and rebuilt. Set ATTUNE_NO_CACHE=1 to bypass it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def _cache_dir() -> Path:
    from simulator.settings import settings

    override = settings().cache_dir
    if override:
        return override
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("attunement", appauthor=False))


def key_of(name: str, raw: bytes, inputs: Sequence[Path] = ()) -> str:
    """The SHA-256 (hex) of a build's name, its source and inputs, and the attunement and
    pydantic versions: what a result kept elsewhere (the course database) is found by."""
    import pydantic

    from simulator import __version__

    key = hashlib.sha256(name.encode() + b"\0" + raw)
    for path in inputs:
        key.update(b"\0" + str(path.name).encode() + b"\0" + path.read_bytes())
    key.update(f"\0{__version__}\0{pydantic.VERSION}".encode())
    return key.hexdigest()


def _entry(name: str, raw: bytes, inputs: Sequence[Path]) -> Path:
    return _cache_dir() / f"{name}-{key_of(name, raw, inputs)[:32]}.pickle"


def peek(name: str, raw: bytes, inputs: Sequence[Path] = ()) -> Any:
    """The result of an earlier identical build, or None (nothing is built)."""
    from simulator.settings import settings

    if settings().no_cache:
        return None
    try:
        with open(_entry(name, raw, inputs), "rb") as fh:
            return pickle.load(fh)
    except Exception:  # missing, unreadable or from another version: as good as absent
        return None


def cached(name: str, raw: bytes, build: Callable[[bytes], T], inputs: Sequence[Path] = ()) -> T:
    """`build(raw)`, or the result of an earlier identical build.

    `inputs` are every other file the build reads or runs: the modules defining and validating
    the models, and data it is checked against (the rubric is checked against the codebook).
    Editing any of them invalidates the cache, as does a new attunement or pydantic.
    """
    from simulator.settings import settings

    if settings().no_cache:
        return build(raw)
    found = peek(name, raw, inputs)
    if found is not None:
        return found  # type: ignore[no-any-return]
    value = build(raw)
    put(name, raw, value, inputs)
    return value


def put(name: str, raw: bytes, value: Any, inputs: Sequence[Path] = ()) -> None:
    """Keep `value` as the result of the build `cached` would run (for a result found
    elsewhere); a read-only cache directory only costs speed."""
    from simulator.settings import settings

    if settings().no_cache:
        return
    path = _entry(name, raw, inputs)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        with open(tmp, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass
