"""Exact best and worst scores for a vignette, and the routes that reach them.

Dynamic programming over (beat, client state, scoring memo) triples, never over paths. The
state includes the turn, so the triples form a DAG layered by turn; cycles in the vignette are
bounded by its `turn_limit`. For each triple we keep the highest and the lowest net points that
reach it and one predecessor for each. The overall score at an ending depends only on the net
points and the number of turns (which the state holds), and rises with the net, so the best
(worst) overall is found among the per-triple maxima (minima).

State variables that nothing reads -- no rubric rule, no branch condition of the vignette, not
the engine -- are held at zero in the search's keys (`dead_fields`): states that differ only in
them score alike and step alike, so they are one state to the search. (In the shipped
vignettes shame and openness are shown to the trainee but read by no rule or branch: the search
meets 3-4x fewer states.) `state_window` counts the client's full states, for the lint.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import NamedTuple

from scoring.context import Context, env_template
from scoring.rubric import Rubric
from scoring.scorer import choice_points, end_lines, is_stalled, overall
from simulator.content.analysis import gc_paused
from simulator.content.model import Vignette
from simulator.play.engine import ClientState, Plan

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


def dead_fields(v: Vignette, rubric: Rubric) -> tuple[int, ...]:
    """The state variables (by position in `ClientState.values`) that no rubric rule and no
    branch condition of `v` reads, nor the engine (which reads arousal for the window)."""
    from simulator.content.expr import names_in
    from simulator.play.engine import _NAMES

    read = {"arousal"}
    for rule in (*rubric.rules, *rubric.reclassify):
        read |= names_in(rule.when)
    for beat in v.beats:
        for choice in beat.choices:
            if isinstance(choice.to, list):
                for branch in choice.to:
                    if branch.if_ is not None:
                        read |= names_in(branch.if_)
    return tuple(i for i, name in enumerate(_NAMES) if name not in read)


def _zeroing(dead: tuple[int, ...]) -> Callable[[ClientState], ClientState]:
    """Holds the `dead` variables of a state at zero (the identity when there are none)."""
    if not dead:
        return lambda st: st

    def zeroed(st: ClientState) -> ClientState:
        values = st.values
        if not any(values[i] for i in dead):
            return st  # most steps leave them alone: no new state to build
        held = list(values)
        for i in dead:
            held[i] = 0
        return st._replace(values=tuple(held))

    return zeroed


def state_window(v: Vignette, plan: Plan) -> dict[str, tuple[int, int, int]]:
    """Per beat, how many of the distinct full client states it is reached in (within the turn
    limit) are below, inside and above the client's window of tolerance: every variable
    counts here, read or not, as the trainee meets the client."""
    low, high = v.window.low, v.window.high
    node, state = plan.begin()
    counts: dict[str, list[int]] = {}
    layer = {(node, state)}
    while layer:
        following: set[tuple[str, ClientState]] = set()
        for beat, st in layer:
            arousal = st.get("arousal")
            c = counts.setdefault(beat, [0, 0, 0])
            c[0 if arousal < low else 2 if arousal > high else 1] += 1
            for index in range(len(v.beat_map[beat].choices)):
                result = plan.step(beat, st, index)
                if not result.ended:
                    following.add((result.node, result.state))
        layer = following  # the state holds the turn: a pair never recurs in a later layer
    return {beat: (c[0], c[1], c[2]) for beat, c in counts.items()}


def compute_bounds(v: Vignette, rubric: Rubric, ctx: Context | None = None) -> Bounds:
    """The exact best and worst routes (`ctx`: a `Story`'s context, to share its compiled facts)."""
    with gc_paused():
        return _compute(v, ctx or Context(v, rubric))


def _compute(v: Vignette, ctx: Context) -> Bounds:
    plan = ctx.plan
    node, state = plan.begin()
    dead = dead_fields(v, ctx.rubric)
    zeroed = _zeroing(dead)
    start: Key = (node, zeroed(state), 0)
    # Every key is interned as an integer the first time it is reached (one hash per edge);
    # per key id: best net and its predecessor (key id, choice), worst net and its predecessor.
    ids: dict[Key, int] = {start: 0}
    keys: list[Key] = [start]
    hi: list[int] = [0]
    lo: list[int] = [0]
    hi_from: list[tuple[int, int] | None] = [None]
    lo_from: list[tuple[int, int] | None] = [None]
    frontier: list[int] = [0]
    expanded = 0
    terminal: dict[int, int] = {}  # key id of an ending -> turns taken, in the order first reached
    distinguished: set[str] = set()
    decisions: set[str] = {b.id for b in v.beats if len(b.choices) > 1}
    n_choices = {b.id: range(len(b.choices)) for b in v.beats}
    while frontier:
        layer: list[int] = []
        # A (beat, client state) pair steps the same whatever the memo, so its steps are taken
        # once; the state holds the turn, so a pair never recurs in a later layer.
        steps: dict[tuple[str, ClientState], list[tuple[str, ClientState, bool, int]]] = {}
        for kid in frontier:
            expanded += 1
            beat, st, memo = keys[kid]
            outs = steps.get((beat, st))
            if outs is None:
                outs = steps[(beat, st)] = []
                for index in n_choices[beat]:
                    result = plan.step(beat, st, index)
                    after = zeroed(result.state)
                    if result.ended:
                        end = sum(ln.points for ln in end_lines(ctx, after, result.ending))
                        outs.append((result.ending or result.node, after, True, end))
                    else:
                        outs.append((result.node, after, False, 0))
            seen_points: set[int] = set()
            base = env_template(ctx, st, memo)
            key_hi, key_lo = hi[kid], lo[kid]
            for index, (to, after, ended, end) in enumerate(outs):
                pts, memo2 = choice_points(ctx, beat, st, memo, index, base)
                seen_points.add(pts)
                pts += end
                nxt: Key = (to, after, memo2)
                up, down = key_hi + pts, key_lo + pts
                nid = ids.get(nxt)
                if nid is None:  # first reached: (inlined: this runs once per pair and choice)
                    nid = ids[nxt] = len(keys)
                    keys.append(nxt)
                    hi.append(up)
                    lo.append(down)
                    hi_from.append((kid, index))
                    lo_from.append((kid, index))
                    if ended:
                        terminal[nid] = after.turn
                    else:
                        layer.append(nid)
                    continue
                if up > hi[nid]:
                    hi[nid] = up
                    hi_from[nid] = (kid, index)
                if down < lo[nid]:
                    lo[nid] = down
                    lo_from[nid] = (kid, index)
            if len(seen_points) > 1:
                distinguished.add(beat)
        frontier = layer
    best, worst = _extremes(ctx, keys, terminal, hi, lo)
    if best is None or worst is None:
        raise ValueError(f"vignette '{v.id}' has no route to an ending within its turn limit")
    return Bounds(
        best=Bound(best[0], hi[best[2]], _walk(keys, hi_from, best[2]), best[3]),
        worst=Bound(worst[0], lo[worst[2]], _walk(keys, lo_from, worst[2]), worst[3]),
        pairs=expanded,
        undistinguished=frozenset((decisions & {k[0] for k in keys}) - distinguished),
        open_at=frozenset(keys[t][0] for t in terminal if keys[t][1].rupture != "none"),
    )


Extreme = tuple[int, Fraction, int, str]
"""(overall, net per turn, key id, ending)."""


def _extremes(
    ctx: Context, keys: list[Key], terminal: dict[int, int], hi: list[int], lo: list[int]
) -> tuple[Extreme | None, Extreme | None]:
    """The best and worst ends. Ties in the (clamped) overall go to the higher points per turn:
    the expert route is the most consistently attuned one, not the longest one that collects the
    most credits; then to the end reached first.

    Within one (ending, turns) the overall rises with the net and the net per turn strictly so,
    so only each group's highest (lowest) net can win: it is found first, and the overall and
    the fraction are computed for those alone."""
    top: dict[tuple[str, int], tuple[int, int]] = {}  # (ending, turns) -> (net, key id)
    bottom: dict[tuple[str, int], tuple[int, int]] = {}
    for tid, turns in terminal.items():
        group = (keys[tid][0], turns)
        h, low = hi[tid], lo[tid]
        found = top.get(group)
        if found is None or h > found[0]:
            top[group] = (h, tid)
        found = bottom.get(group)
        if found is None or low < found[0]:
            bottom[group] = (low, tid)
    rubric = ctx.rubric
    best: Extreme | None = None
    worst: Extreme | None = None
    # in the order the ends were first reached, so that ties keep the earliest
    for (ending, turns), (net, tid) in sorted(top.items(), key=lambda item: item[1][1]):
        b = (overall(rubric, net, turns, is_stalled(ctx, ending)), Fraction(net, max(turns, 1)))
        if best is None or b > best[:2]:
            best = (*b, tid, ending)
    for (ending, turns), (net, tid) in sorted(bottom.items(), key=lambda item: item[1][1]):
        w = (overall(rubric, net, turns, is_stalled(ctx, ending)), Fraction(net, max(turns, 1)))
        if worst is None or w < worst[:2]:
            worst = (*w, tid, ending)
    return best, worst


def _walk(keys: list[Key], back: list[tuple[int, int] | None], kid: int) -> list[tuple[str, int]]:
    route: list[tuple[str, int]] = []
    prev = back[kid]
    while prev is not None:
        pid, index = prev
        route.append((keys[pid][0], index))
        prev = back[pid]
    route.reverse()
    return route
