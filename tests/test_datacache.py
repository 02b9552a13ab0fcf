from __future__ import annotations

from pathlib import Path

import pytest

from simulator.content.datacache import cached


def test_cache_reuses_and_rebuilds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTUNE_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("ATTUNE_NO_CACHE", raising=False)
    calls: list[bytes] = []

    def build(raw: bytes) -> dict[str, bytes]:
        calls.append(raw)
        return {"value": raw}

    assert cached("thing", b"one", build) == {"value": b"one"}
    assert cached("thing", b"one", build) == {"value": b"one"}
    assert calls == [b"one"]  # second call came from the cache
    assert cached("thing", b"two", build) == {"value": b"two"}  # changed source: rebuilt
    assert calls == [b"one", b"two"]
    for f in tmp_path.glob("thing-*.pickle"):
        f.write_bytes(b"not a pickle")
    assert cached("thing", b"one", build) == {"value": b"one"}  # damaged cache: rebuilt
    assert calls == [b"one", b"two", b"one"]


def test_shipped_data_survives_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = (
        "from scoring.rubric import default_rubric; from simulator.content.codebook import codebook; "
        "r = default_rubric(); print(r.version, len(r.rules), r.rules[0].predicate is not None, len(codebook().moves))"
    )
    env = {"ATTUNE_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    first = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    second = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert first.stdout == second.stdout
    assert len(list(tmp_path.glob("*.pickle"))) == 2


def test_every_input_keys_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a rubric is validated against the codebook: a renamed code there must rebuild the rubric,
    # never serve the one validated against the old names
    monkeypatch.setenv("ATTUNE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ATTUNE_NO_CACHE", raising=False)
    codebook = tmp_path / "codebook.yaml"
    codebook.write_text("moves: [reflect]\n")
    calls: list[bytes] = []

    def build(raw: bytes) -> bytes:
        calls.append(raw)
        return raw + codebook.read_bytes()

    assert cached("rubric", b"rules", build, [codebook]) == b"rulesmoves: [reflect]\n"
    assert cached("rubric", b"rules", build, [codebook]) == b"rulesmoves: [reflect]\n"
    assert len(calls) == 1
    codebook.write_text("moves: [reflection]\n")
    assert cached("rubric", b"rules", build, [codebook]) == b"rulesmoves: [reflection]\n"
    assert len(calls) == 2


def test_the_shipped_rubric_is_keyed_on_the_codebook(monkeypatch: pytest.MonkeyPatch) -> None:
    from simulator.content import datacache

    seen: list[str] = []

    def record(name: str, raw: bytes, build: object, inputs: tuple[Path, ...] = ()) -> None:
        seen.extend(p.name for p in inputs)

    monkeypatch.setattr(datacache, "cached", record)
    from scoring.rubric import default_rubric

    default_rubric.__wrapped__()
    assert {"codebook.yaml", "codebook.py", "rubric.py", "expr.py"} <= set(seen)
