"""Exact best and worst scores for a vignette, and the routes that reach them.

Dynamic programming over (beat, client state, scoring memo) triples, never over paths. The
state includes the turn, so the triples form a DAG layered by turn; cycles in the vignette are
bounded by its `turn_limit`. For each triple we keep the highest and the lowest net points that
reach it and one predecessor for each. The overall score at an ending depends only on the net
points and the number of turns (which the state holds), and rises with the net, so the best
(worst) overall is found among the per-triple maxima (minima).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from types import MappingProxyType
from typing import NamedTuple

from scoring.context import Context, base_env
from scoring.rubric import Rubric
from scoring.scorer import choice_points, end_lines, is_stalled, overall
from simulator.content.analysis import gc_paused
from simulator.content.model import Vignette
from simulator.play.engine import ClientState

Key = tuple[str, ClientState, int]


class Bound(NamedTuple):
    overall: int
    net: int
    route: list[tuple[str, int]]
    """(beat id, 0-based choice index) pairs."""
    ending: str


class Bounds(NamedTuple):
    best: Bound
    worst: Bound
    pairs: int
    """How many reachable (beat, state) pairs were expanded."""
    undistinguished: frozenset[str]
    """Beats with two or more choices where, in every state reached, all choices score the same."""
    open_at: frozenset[str] = frozenset()
    """Endings that some route reaches with a rupture still open."""
    window: Mapping[str, tuple[int, int, int]] = MappingProxyType({})
    """Per beat, how many of the distinct client states it is reached in are below, inside and
    above the client's window."""


def compute_bounds(v: Vignette, rubric: Rubric, ctx: Context | None = None) -> Bounds:
    """The exact best and worst routes (`ctx`: a `Story`'s context, to share its compiled facts)."""
    with gc_paused():
        return _compute(v, ctx or Context(v, rubric))


def _compute(v: Vignette, ctx: Context) -> Bounds:
    rubric = ctx.rubric
    plan = ctx.plan
    node, state = plan.begin()
    start: Key = (node, state, 0)
    # per key: best net, its predecessor, worst net, its predecessor; a predecessor is (key, choice)
    hi: dict[Key, int] = {start: 0}
    lo: dict[Key, int] = {start: 0}
    hi_from: dict[Key, tuple[Key, int] | None] = {start: None}
    lo_from: dict[Key, tuple[Key, int] | None] = {start: None}
    frontier: list[Key] = [start]
    best: tuple[int, Fraction, Key, str] | None = None  # (overall, net per turn, key, ending)
    worst: tuple[int, Fraction, Key, str] | None = None
    expanded = 0
    terminal_hi: dict[Key, int] = {}
    distinguished: set[str] = set()
    decisions: set[str] = {b.id for b in v.beats if len(b.choices) > 1}
    n_choices = {b.id: range(len(b.choices)) for b in v.beats}
    low, high = v.window.low, v.window.high
    seen_states: set[tuple[str, ClientState]] = set()
    window: dict[str, list[int]] = {}
    while frontier:
        layer: dict[Key, None] = {}
        for key in frontier:
            expanded += 1
            beat, st, memo = key
            if (beat, st) not in seen_states:
                seen_states.add((beat, st))
                arousal = st.get("arousal")
                counts = window.setdefault(beat, [0, 0, 0])
                counts[0 if arousal < low else 2 if arousal > high else 1] += 1
            seen_points: set[int] = set()
            base = base_env(ctx, st, memo)
            key_hi, key_lo = hi[key], lo[key]
            for index in n_choices[beat]:
                pts, memo2 = choice_points(ctx, beat, st, memo, index, base)
                seen_points.add(pts)
                result = plan.step(beat, st, index)
                if result.ended:
                    pts += sum(ln.points for ln in end_lines(ctx, result.state, result.ending))
                    nxt: Key = (result.ending or result.node, result.state, memo2)
                    terminal_hi[nxt] = result.state.turn
                else:
                    nxt = (result.node, result.state, memo2)
                    if nxt not in hi:
                        layer[nxt] = None
                up, down = key_hi + pts, key_lo + pts
                # relax (inlined: this loop runs once per reachable pair and choice)
                if nxt not in hi or up > hi[nxt]:
                    hi[nxt] = up
                    hi_from[nxt] = (key, index)
                if nxt not in lo or down < lo[nxt]:
                    lo[nxt] = down
                    lo_from[nxt] = (key, index)
            if len(seen_points) > 1:
                distinguished.add(beat)
        frontier = list(layer)
    for key, turns in terminal_hi.items():
        ending = key[0]
        # Ties in the (clamped) overall go to the higher points per turn: the expert route is the
        # most consistently attuned one, not the longest one that collects the most credits.
        stalled = is_stalled(ctx, ending)
        b = (
            overall(rubric, hi[key], turns, stalled),
            Fraction(hi[key], max(turns, 1)),
            key,
            ending,
        )
        w = (
            overall(rubric, lo[key], turns, stalled),
            Fraction(lo[key], max(turns, 1)),
            key,
            ending,
        )
        if best is None or b[:2] > best[:2]:
            best = b
        if worst is None or w[:2] < worst[:2]:
            worst = w
    if best is None or worst is None:
        raise ValueError(f"vignette '{v.id}' has no route to an ending within its turn limit")
    return Bounds(
        best=Bound(best[0], hi[best[2]], _walk(hi_from, best[2]), best[3]),
        worst=Bound(worst[0], lo[worst[2]], _walk(lo_from, worst[2]), worst[3]),
        pairs=expanded,
        undistinguished=frozenset((decisions & reached_beats(hi)) - distinguished),
        open_at=frozenset(k[0] for k in terminal_hi if k[1].rupture != "none"),
        window={beat: (c[0], c[1], c[2]) for beat, c in window.items()},
    )


def reached_beats(keys: dict[Key, int]) -> set[str]:
    return {k[0] for k in keys}


def _walk(back: dict[Key, tuple[Key, int] | None], key: Key) -> list[tuple[str, int]]:
    route: list[tuple[str, int]] = []
    prev = back[key]
    while prev is not None:
        pkey, index = prev
        route.append((pkey[0], index))
        prev = back[pkey]
    route.reverse()
    return route
