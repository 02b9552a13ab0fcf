"""The exact search keeps one of each set of client states that nothing can tell apart
(`scoring.bounds.held`): state variables nothing reads, a memo no rule reads or reads only up to
a number, a rupture count read only up to a number. Each merge is checked here against trying
every route, on a vignette built so that merging one state too many changes a bound."""

from __future__ import annotations

from typing import Any

import pytest

from scoring.bounds import Held, compute_bounds, held
from scoring.context import Context
from scoring.rubric import Rubric, default_rubric
from scoring.scorer import score_route
from simulator.content.expr import alike_from, compared_with, residual
from simulator.content.library import bundled_path
from simulator.content.loader import load_vignette
from tests.builders import choice, vignette
from tests.test_scoring_properties import all_routes


def _brute(v: Any, rubric: Rubric) -> tuple[int, int]:
    scores = [score_route(v, r, rubric).overall for r in all_routes(v)]
    return max(scores), min(scores)


def _searched(v: Any, rubric: Rubric) -> tuple[int, int]:
    bounds = compute_bounds(v, rubric)
    return bounds.best.overall, bounds.worst.overall


def test_partial_evaluation_folds_what_is_known() -> None:
    assert residual('attachment == "hyperactivating" and x', {"attachment": "secure"}) == (
        False,
        frozenset(),
    )
    assert residual("a and (b or alliance < 3)", {"a": True, "b": False}) == (
        None,
        frozenset({"alliance"}),
    )
    assert residual("a or alliance < 3", {"a": True}) == (True, frozenset())
    assert residual("not a and 1 < 2 < 3", {"a": False}) == (True, frozenset())
    assert residual("rupture_turns < 3 and 2 > 3", {}) == (False, frozenset())
    assert residual("1 < rupture_turns < 0", {})[0] is None  # not folded: not known


def test_comparisons_are_read_with_the_name_on_the_left() -> None:
    found = compared_with("3 > rupture_turns and rupture_turns != limit", {"limit": 5})
    assert found == {"rupture_turns": frozenset({("<", 3), ("!=", 5)})}
    assert compared_with("rupture_turns < alliance", {})["rupture_turns"] is None
    assert compared_with("consent and turn >= 2", {})["consent"] is None
    assert alike_from(frozenset({("<", 3)})) == 3
    assert alike_from(frozenset({("<=", 3)})) == 4
    assert alike_from(frozenset({("==", 1), (">=", 2)})) == 2
    assert alike_from(frozenset()) == 0
    assert alike_from(frozenset({("<", -2)})) == 0  # never below zero: a count starts there


@pytest.mark.parametrize(
    ("name", "memo_from"), [("sophie", 0), ("nicola", 0), ("ray", 0), ("megan", 1)]
)
def test_a_rule_about_another_attachment_style_reads_nothing(name: str, memo_from: int) -> None:
    """The rubric's only reader of the memo is a rule about hyperactivating clients: for the
    others the memo is unread, for Megan it is read as "at least one"."""
    v = load_vignette(bundled_path(name))  # type: ignore[arg-type]
    ctx = Context(v, default_rubric())
    accommodating = [
        ctx.static(beat.id, i)
        for beat in v.beats
        for i, c in enumerate(beat.choices)
        if "accommodate" in c.moves
    ]
    assert accommodating
    rule_there = any(
        r.id == "hyperactivating-accommodation" for s in accommodating for r in s.rules
    )
    assert rule_there == (v.attachment == "hyperactivating")
    assert held(ctx).memo_from == memo_from
    assert held(ctx).rupture_turns_from == default_rubric().repair_within


def _clingy(rule_reads: str) -> tuple[Any, Rubric]:
    """A hyperactivating client and a loop where the therapist may accommodate again and again;
    a rubric whose accommodation rule reads the memo as `rule_reads`."""
    data = default_rubric().model_dump()
    for rule in data["rules"]:
        if rule["id"] == "hyperactivating-accommodation":
            rule["when"] = f"attachment == 'hyperactivating' and accommodate and {rule_reads}"
            rule["points"] = -9
    rubric = Rubric.model_validate(data)
    loop = [
        choice("b", ["accommodate"]),
        choice("b", ["complex_reflection"]),
        choice("good", ["validate"]),
    ]
    v = vignette(
        [{"id": "a", "choices": loop}, {"id": "b", "choices": loop}],
        attachment="hyperactivating",
        turn_limit=6,
    )
    return v, rubric


@pytest.mark.parametrize("reads", ["accommodated_before >= 2", "accommodated_before == 1"])
def test_the_memo_is_kept_as_far_as_a_rule_reads_it(reads: str) -> None:
    v, rubric = _clingy(reads)
    assert held(Context(v, rubric)).memo_from == 2
    assert _searched(v, rubric) == _brute(v, rubric)


def test_a_memo_held_too_low_would_change_the_worst(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shows that the vignette above can tell: merging memos 1 and 2 misses the third
    accommodation's penalty."""
    import scoring.bounds

    v, rubric = _clingy("accommodated_before >= 2")
    true = _brute(v, rubric)
    monkeypatch.setattr(
        scoring.bounds, "held", lambda ctx: Held(frozenset({"shame", "openness"}), None, 1)
    )
    assert _searched(v, rubric) != true


def _patient() -> Any:
    """A client who withdraws, and who comes round only once the rupture has been sat with,
    unrepaired, for four turns: the rubric reads the count only up to `repair_within` (2),
    the branch up to 4."""
    stay = [
        choice([{"if": "rupture_turns >= 4", "go": "good"}, {"go": "w"}], ["affirm"]),
        choice("bad", ["persuade"]),
    ]
    return vignette(
        [
            {"id": "a", "choices": [choice("w", ["question"])]},
            {"id": "w", "markers": ["minimal_response"], "choices": stay},
        ],
        turn_limit=8,
    )


def test_the_rupture_count_is_kept_as_far_as_a_branch_reads_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import scoring.bounds

    v, rubric = _patient(), default_rubric()
    assert held(Context(v, rubric)).rupture_turns_from == 4
    true = _brute(v, rubric)
    assert _searched(v, rubric) == true
    # and the vignette can tell: counts from 2 up merged, the way to the good ending is lost
    monkeypatch.setattr(
        scoring.bounds, "held", lambda ctx: Held(frozenset({"shame", "openness"}), 2, 0)
    )
    assert _searched(v, rubric) != true


@pytest.mark.parametrize("name", ["liam", "megan", "nadia", "nicola", "ray", "sophie"])
def test_merging_changes_no_bound_on_the_shipped_vignettes(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The search with every merge finds the same routes' scores as the search over every
    state, and expands fewer states."""
    import scoring.bounds

    v, rubric = load_vignette(bundled_path(name)), default_rubric()  # type: ignore[arg-type]
    merged = compute_bounds(v, rubric)
    monkeypatch.setattr(scoring.bounds, "held", lambda ctx: Held(frozenset(), None, None))
    full = compute_bounds(v, rubric)
    assert (merged.best.overall, merged.best.net, merged.worst.overall, merged.worst.net) == (
        full.best.overall, full.best.net, full.worst.overall, full.worst.net,
    )  # fmt: skip
    assert (merged.undistinguished, merged.open_at) == (full.undistinguished, full.open_at)
    assert merged.pairs < full.pairs


def _every_full_state(v: Any) -> dict[str, tuple[int, int, int]]:
    """The lint's window counts by stepping every full client state (the oracle)."""
    from simulator.play.engine import Plan

    plan = Plan(v)
    counts: dict[str, list[int]] = {}
    layer = {plan.begin()}
    while layer:
        following = set()
        for beat, st in layer:
            arousal = st.get("arousal")
            c = counts.setdefault(beat, [0, 0, 0])
            c[0 if arousal < v.window.low else 2 if arousal > v.window.high else 1] += 1
            for index in range(len(v.beat_map[beat].choices)):
                result = plan.step(beat, st, index)
                if not result.ended:
                    following.add((result.node, result.state))
        layer = following
    return {beat: (c[0], c[1], c[2]) for beat, c in counts.items()}


@pytest.mark.parametrize("name", ["liam", "megan", "nadia", "nicola", "ray", "sophie", "shame"])
def test_window_counts_are_those_of_every_full_state(name: str) -> None:
    """`state_window` steps each (beat, state of what routing reads) once and carries the other
    variables' values beside it; its counts are those of stepping every full state. "shame":
    a vignette whose branch reads shame, so that shame is stepped, not carried."""
    from scoring.bounds import state_window

    if name == "shame":
        exposed = [
            choice(
                [{"if": "shame >= 5", "go": "bad"}, {"go": "b"}],
                ["complex_reflection"],
                effect={"shame": 1, "openness": 2, "arousal": 1},
            ),
            choice("b", ["persuade"], effect={"shame": -1, "arousal": -2, "openness": -1}),
        ]
        v = vignette(
            [
                {"id": "a", "choices": exposed},
                {"id": "b", "choices": [choice("a", ["validate"], effect={"openness": 3})]},
            ],
            turn_limit=9,
        )
    else:
        v = load_vignette(bundled_path(name))  # type: ignore[arg-type]
    assert state_window(v) == _every_full_state(v)
