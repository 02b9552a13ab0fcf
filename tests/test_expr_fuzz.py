"""The condition language under fuzzing: any text either compiles or is refused with an
ExprError (never another exception), and generated well-formed conditions evaluate exactly as the
same expression does in Python."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.content.expr import ExprError, NameSpec, compile_condition

NAMES = {
    "alliance": NameSpec("int"),
    "arousal": NameSpec("int"),
    "consent": NameSpec("bool"),
    "rupture": NameSpec("str", ("none", "withdrawal", "confrontation")),
}
FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.text(max_size=80))
def test_any_text_compiles_or_is_refused_cleanly(source: str) -> None:
    try:
        compile_condition(source, NAMES)
    except ExprError as exc:
        assert exc.message


TOKENS = st.sampled_from(
    ["alliance", "arousal", "consent", "rupture", "and", "or", "not", "(", ")", "==", "<", ">=",
     "!=", "3", "-1", "2.5", "'none'", '"withdrawal"', "true", "false", "+", "*", "[", "lambda",
     "__import__", ".", ",", "if", "else", "x"]
)  # fmt: skip


@FUZZ
@given(st.lists(TOKENS, max_size=12))
def test_token_soup_compiles_or_is_refused_cleanly(tokens: list[str]) -> None:
    try:
        compile_condition(" ".join(tokens), NAMES)
    except ExprError as exc:
        assert exc.message


def _int() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(["alliance", "arousal"]), st.integers(-3, 12).map(str))


def _atom() -> st.SearchStrategy[str]:
    ops = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])
    comparison = st.tuples(st.sampled_from(["alliance", "arousal"]), ops, _int()).map(" ".join)
    text = st.tuples(
        st.just("rupture"),
        st.sampled_from(["==", "!="]),
        st.sampled_from(["'none'", "'withdrawal'", '"confrontation"']),
    ).map(" ".join)
    flag = st.sampled_from(["consent", "not consent", "consent == true", "consent != false"])
    chain = st.tuples(_int(), st.sampled_from(["<", "<="]), st.just("alliance"), ops, _int()).map(
        " ".join
    )
    return st.one_of(comparison, text, flag, chain)


CONDITIONS = st.recursive(
    _atom(),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(" ".join),
        inner.map(lambda s: f"not ({s})"),
        inner.map(lambda s: f"({s})"),
    ),
    max_leaves=8,
)
ENVS = st.fixed_dictionaries(
    {
        "alliance": st.integers(0, 10),
        "arousal": st.integers(0, 10),
        "consent": st.booleans(),
        "rupture": st.sampled_from(["none", "withdrawal", "confrontation"]),
    }
)


@FUZZ
@given(CONDITIONS, ENVS)
def test_conditions_mean_what_python_means(source: str, env: dict[str, Any]) -> None:
    pred = compile_condition(source, NAMES)
    python = source.replace("true", "True").replace("false", "False")
    expected = eval(python, {"__builtins__": {}}, dict(env))  # the oracle: generated text only
    assert bool(pred(env)) is bool(expected), source
