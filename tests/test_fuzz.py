"""Whatever the input, the loader answers with its own error type, never anything else."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from simulator.content.loader import validate_vignette
from simulator.content.yamlsource import Marks, parse_yaml
from simulator.errors import AttuneError
from tests.conftest import MINI


def _load_bytes(raw: bytes) -> None:
    try:
        data, marks = parse_yaml(raw, "fuzz.yaml")
        validate_vignette(data, marks, "fuzz.yaml")
    except AttuneError as exc:
        assert exc.problems
        for p in exc.problems:
            assert p.path == "fuzz.yaml" and p.message


TAGS = ("!!int", "!!float", "!!bool", "!!null", "!!str", "!!timestamp", "!!binary", "!!python/none")
ODD = (
    "",
    "''",
    "-",
    "+",
    "_",
    ".",
    "1e999999",
    "0x",
    "0o",
    "0b",
    "1_",
    "-_",
    ":",
    "~",
    "nan",
    "1:2:3",
)


def test_every_scalar_tag_with_odd_values() -> None:
    """A core tag on an empty or malformed scalar is a located problem, not a crash in PyYAML."""
    for tag in TAGS:
        for odd in ODD:
            for doc in (f"{tag} {odd}", f"minutes: {tag} {odd}", f"- {tag} {odd}\n"):
                _load_bytes(doc.encode())


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text(max_size=400))
@example("!!int")
@example("!!float")
def test_arbitrary_text(text: str) -> None:
    _load_bytes(text.encode("utf-8", "surrogatepass"))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes(raw: bytes) -> None:
    _load_bytes(raw)


scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
)
yamlish = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(yamlish)
def test_arbitrary_yaml_shaped_data(data: Any) -> None:
    _load_bytes(yaml.safe_dump(data, allow_unicode=True).encode("utf-8"))


BASE, _ = parse_yaml(MINI.read_bytes(), "mini.yaml")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(BASE)), yamlish)
def test_mutated_fixture(key: str, value: Any) -> None:
    data = dict(BASE)
    data[key] = value
    try:
        validate_vignette(data, Marks(), "fuzz.yaml")
    except AttuneError as exc:
        assert exc.problems


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 40), st.integers(0, 3), yamlish)
def test_mutated_beats(beat: int, choice: int, value: Any) -> None:
    data = dict(BASE)
    beats = [dict(b) for b in data["beats"]]
    b = beats[beat % len(beats)]
    choices = [dict(c) for c in b["choices"]]
    c = choices[choice % len(choices)]
    c[["to", "moves", "effect", "say"][choice]] = value
    b["choices"] = choices
    data["beats"] = beats
    try:
        validate_vignette(data, Marks(), "fuzz.yaml")
    except AttuneError as exc:
        assert exc.problems
