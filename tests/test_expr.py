from __future__ import annotations

import pytest

from simulator.content.codebook import codebook
from simulator.content.expr import ExprError, NameSpec, compile_condition

NAMES = {
    "alliance": NameSpec("int"),
    "arousal": NameSpec("int"),
    "consent": NameSpec("bool"),
    "rupture": NameSpec("str", ("none", "withdrawal", "confrontation")),
}
ENV = {"alliance": 4, "arousal": 8, "consent": False, "rupture": "withdrawal"}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("alliance >= 4", True),
        ("alliance > 4", False),
        ("alliance == 4 and arousal != 8", False),
        ("alliance == 4 or arousal != 8", True),
        ("not consent", True),
        ("consent == false", True),
        ('rupture == "withdrawal"', True),
        ("rupture != 'none' and (alliance < 3 or arousal >= 8)", True),
        ("2 < alliance <= 4", True),
        ("alliance > -1", True),
        ("true", True),
    ],
)
def test_conditions_evaluate(source: str, expected: bool) -> None:
    assert compile_condition(source, NAMES)(ENV) is expected


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("alliance = 3", "does not parse"),
        ("alliance >=", "does not parse"),
        ("__import__('os').system('x')", "not part of the condition language"),
        ("alliance.real > 1", "not part of the condition language"),
        ("alliance + 1 > 2", "not part of the condition language"),
        ("trust > 2", "unknown name 'trust'"),
        ('rupture == "withdrawl"', 'never "withdrawl"'),
        ("rupture > 'none'", "only be compared with == or !="),
        ("alliance", "is a int, not a test"),
        ("alliance and consent", "need tests"),
        ("alliance == 'high'", "cannot compare"),
        ("", "empty"),
        ("[1, 2] == alliance", "not part of the condition language"),
        ("lambda: 1", "not part of the condition language"),
    ],
)
def test_bad_conditions_are_refused(source: str, fragment: str) -> None:
    with pytest.raises(ExprError) as info:
        compile_condition(source, NAMES)
    assert fragment in info.value.message


def test_unknown_name_suggests_nearest() -> None:
    with pytest.raises(ExprError) as info:
        compile_condition("aliance > 2", NAMES)
    assert info.value.hint == "did you mean 'alliance'?"


def test_codebook_names_include_derived_state() -> None:
    names = codebook().condition_names()
    assert {"arousal", "alliance", "shame", "openness"} <= set(names)
    assert names["out_of_window"].kind == "bool"
    assert "confrontation" in names["rupture"].choices
