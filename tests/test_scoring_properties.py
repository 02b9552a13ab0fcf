"""Exactness of the bounds, known groups, and properties of every score."""

from __future__ import annotations

import json
import random
import statistics
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.bounds import compute_bounds
from scoring.rubric import default_rubric
from scoring.scorer import end_lines, overall, score_route
from simulator.content.loader import load_vignette
from simulator.play.engine import Plan, begin
from tests.conftest import LOOP, MINI

VIGNETTES = {"mini": load_vignette(MINI), "loop": load_vignette(LOOP)}


def random_route(v: Any, seed: int) -> list[tuple[str, int]]:
    rng = random.Random(seed)
    plan = Plan(v)
    node, state = plan.begin()
    route = []
    while True:
        i = rng.randrange(len(v.beat_map[node].choices))
        route.append((node, i))
        r = plan.step(node, state, i)
        if r.ended:
            return route
        node, state = r.node, r.state


def all_routes(v: Any) -> list[list[tuple[str, int]]]:
    """Every route, by brute force (only for the small fixtures)."""
    out = []
    plan = Plan(v)

    def walk(node: str, state: Any, route: list[tuple[str, int]]) -> None:
        for i in range(len(v.beat_map[node].choices)):
            r = plan.step(node, state, i)
            if r.ended:
                out.append([*route, (node, i)])
            else:
                walk(r.node, r.state, [*route, (node, i)])

    node, state = plan.begin()
    walk(node, state, [])
    return out


@pytest.mark.parametrize("name", sorted(VIGNETTES))
def test_bounds_are_exact(name: str) -> None:
    v, rubric = VIGNETTES[name], default_rubric()
    scores = [score_route(v, r, rubric).overall for r in all_routes(v)]
    bounds = compute_bounds(v, rubric)
    assert bounds.best.overall == max(scores)
    assert bounds.worst.overall == min(scores)
    assert score_route(v, bounds.best.route, rubric).overall == bounds.best.overall
    assert score_route(v, bounds.worst.route, rubric).overall == bounds.worst.overall
    assert bounds.pairs > 0


@pytest.mark.parametrize("name", sorted(VIGNETTES))
def test_known_groups_best_random_worst(name: str) -> None:
    v, rubric = VIGNETTES[name], default_rubric()
    bounds = compute_bounds(v, rubric)
    randoms = [score_route(v, random_route(v, seed), rubric).overall for seed in range(100)]
    assert all(bounds.worst.overall <= s <= bounds.best.overall for s in randoms)
    assert bounds.worst.overall < statistics.mean(randoms) < bounds.best.overall
    # no random route beats the expert route or falls below the worst
    assert max(randoms) <= bounds.best.overall and min(randoms) >= bounds.worst.overall
    assert bounds.best.overall - bounds.worst.overall >= 60


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(VIGNETTES)), st.integers(0, 10**6))
def test_score_properties(name: str, seed: int) -> None:
    v, rubric = VIGNETTES[name], default_rubric()
    route = random_route(v, seed)
    a = score_route(v, route, rubric)
    b = score_route(v, route, rubric)
    assert json.dumps(a.as_json(), sort_keys=True) == json.dumps(b.as_json(), sort_keys=True)
    assert 0 <= a.overall <= 100
    lines = [ln.points for t in a.turns for ln in t.lines] + [ln.points for ln in a.end]
    assert sum(lines) == a.net
    assert all(t.points == sum(ln.points for ln in t.lines) for t in a.turns)
    assert sum(a.dimensions.values()) == a.net
    assert a.overall == overall(rubric, a.net, len(a.turns))
    assert a.band == rubric.overall_band(a.overall)
    assert len(a.turns) == len(route)
    for t in a.turns:
        assert t.lines and t.lines[0].source


def test_end_lines_only_for_open_ruptures() -> None:
    from scoring.context import Context

    v = VIGNETTES["mini"]
    ctx = Context(v, default_rubric())
    _, state = begin(v)
    assert state.rupture == "confrontation"
    assert [ln.rule for ln in end_lines(ctx, state)] == ["unrepaired-rupture"]


def test_expert_route_is_the_most_consistent_not_the_longest() -> None:
    """Both routes clamp at 100; the expert route is the one with more points per turn, not the
    longer one that collects more credits by letting the client withdraw and then repairing."""
    from tests.builders import choice, vignette

    v = vignette(
        [
            {
                "id": "a",
                "choices": [
                    choice("good", ["complex_reflection", "emphasizing_autonomy"]),
                    choice("b", ["accommodate"]),
                ],
            },
            {
                "id": "b",
                "markers": ["topic_shift"],
                "choices": [
                    choice("good", ["own_contribution", "emphasizing_autonomy"]),
                    choice("bad", ["confront"]),
                ],
            },
        ]
    )
    rubric = default_rubric()
    long_route = score_route(v, [("a", 1), ("b", 0)], rubric)
    short_route = score_route(v, [("a", 0)], rubric)
    assert long_route.net > short_route.net and short_route.overall >= long_route.overall
    assert compute_bounds(v, rubric).best.route == [("a", 0)]


@given(seed=st.integers(0, 10_000), name=st.sampled_from(sorted(VIGNETTES)))
@settings(max_examples=60, deadline=None)
def test_route_cursor_matches_score_route_with_rewinds(seed: int, name: str) -> None:
    """The incremental cursor (used to store each choice's facts as it is made) gives, at every
    choice, exactly the last turn of score_route over the route standing then, rewinds included."""
    from scoring.cursor import RouteCursor

    v, rubric = VIGNETTES[name], default_rubric()
    rng = random.Random(seed)
    cursor = RouteCursor(v, rubric)
    plan = Plan(v)
    route: list[tuple[str, int]] = []
    node, state = plan.begin()
    states = [(node, state)]
    for _ in range(40):
        if route and rng.random() < 0.25:
            keep = rng.randrange(len(route))
            del route[keep:], states[keep + 1 :]
            cursor.rewind(keep)
            node, state = states[-1]
            continue
        i = rng.randrange(len(v.beat_map[node].choices))
        lines, valence = cursor.choose(node, i)
        route.append((node, i))
        last = score_route(v, route, rubric).turns[-1]
        assert (lines, valence) == (last.lines, last.valence)
        r = plan.step(node, state, i)
        if r.ended:
            break
        node, state = r.node, r.state
        states.append((node, state))


def test_route_cursor_refuses_a_choice_that_does_not_fit_until_rewound() -> None:
    from scoring.cursor import RouteCursor
    from scoring.results import RouteError

    v, rubric = VIGNETTES["mini"], default_rubric()
    cursor = RouteCursor(v, rubric)
    with pytest.raises(RouteError):
        cursor.choose("not-the-start", 0)
    with pytest.raises(RouteError):  # still lost: the bad choice stands
        cursor.choose(v.start, 0)
    cursor.rewind(0)
    lines, _ = cursor.choose(v.start, 0)
    assert lines == score_route(v, [(v.start, 0)], rubric).turns[0].lines


def test_a_variable_a_branch_reads_stays_in_the_search() -> None:
    """The search holds unread state variables at zero (`scoring.bounds.held`). Shame, read here only by
    a branch, must stay: the attuned choices raise shame, and past a point the client drops out,
    so the best route is the one that keeps shame low. Treated as unread, the search would
    promise the dropout-free score of the attuned route."""
    from scoring.bounds import held
    from scoring.context import Context
    from tests.builders import choice, vignette

    exposed = [
        choice(
            [{"if": "shame >= 5", "go": "bad"}, {"go": "b"}],
            ["complex_reflection"],
            effect={"shame": 1},
        ),
        choice("b", ["persuade"], effect={"shame": -1}),
    ]
    v = vignette(
        [
            {"id": "a", "choices": exposed},
            {
                "id": "b",
                "choices": [
                    choice("c", ["complex_reflection"], effect={"shame": 1}),
                    choice("c", ["validate"]),
                ],
            },
            {"id": "c", "choices": exposed},
        ],
        state={"arousal": 5, "alliance": 5, "shame": 3, "openness": 5},
        turn_limit=7,  # the b-c loop: few enough routes to try them all
    )
    rubric = default_rubric()
    dead = held(Context(v, rubric)).dead
    assert "shame" not in dead
    assert "openness" in dead
    scores = [score_route(v, r, rubric).overall for r in all_routes(v)]
    bounds = compute_bounds(v, rubric)
    assert (bounds.best.overall, bounds.worst.overall) == (max(scores), min(scores))
