"""Exact best and worst scores for a vignette, and the routes that reach them.

Dynamic programming over (beat, client state, scoring memo) triples, never over paths. The
state includes the turn, so the triples form a DAG layered by turn; cycles in the vignette are
bounded by its `turn_limit`. For each triple we keep the highest and the lowest net points that
reach it and one predecessor for each. The overall score at an ending depends only on the net
points and the number of turns (which the state holds), and rises with the net, so the best
(worst) overall is found among the per-triple maxima (minima).

States that nothing can tell apart are one state to the search (`held`): state variables that
no rule, no branch condition of the vignette and not the engine reads are held at zero; the
scoring memo and the rupture's turn count, read only in comparisons with numbers, stop at the
value from which every reader sees them alike. Rules are those that can fire for the vignette's
choices (a rule about another attachment style reads nothing). In the shipped vignettes shame
and openness are shown to the trainee but read by no rule or branch, and only one client's
attachment style has a rule that reads the memo: the search meets about 4x fewer states.
`state_window` counts the client's full states, for the lint.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, NamedTuple

from scoring.context import ACCOMMODATION_CAP, Context, env_template
from scoring.rubric import Rubric
from scoring.scorer import _judged, end_lines, is_stalled, overall
from simulator.content.analysis import gc_paused
from simulator.content.model import Vignette
from simulator.play.engine import RUPTURE_TURNS_CAP, ClientState, Plan

Key = tuple[str, Any, int]
"""(beat, client state, memo); at an end, (ending, (ending, turns, rupture open), 0)."""


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


def bounds_json(b: Bounds) -> str:
    """The search's result as JSON (pydantic writes it), for the course database."""
    from pydantic import TypeAdapter

    return TypeAdapter(Bounds).dump_json(b).decode()


def bounds_from_json(text: str) -> Bounds:
    """`bounds_json`'s text read back (pydantic validates it); ValueError when it is not one."""
    from pydantic import TypeAdapter, ValidationError

    try:
        return TypeAdapter(Bounds).validate_json(text)
    except ValidationError as exc:
        raise ValueError(f"not a search result: {exc.error_count()} problem(s)") from None


MEMO = "accommodated_before"
"""The scoring memo's name in rule conditions: earlier accommodating choices, counted."""


def branch_conditions(v: Vignette) -> list[str]:
    """The conditions of the vignette's branching choices: what routing reads of the state."""
    return [
        branch.if_
        for beat in v.beats
        for choice in beat.choices
        if isinstance(choice.to, list)
        for branch in choice.to
        if branch.if_ is not None
    ]


class Held(NamedTuple):
    """What the search may leave out of a state, because nothing that reads states can tell."""

    dead: frozenset[str]
    """State variables held at zero: no rule that can fire for one of the vignette's choices
    reads them, no branch condition, nor the engine (which reads arousal for the window)."""
    rupture_turns_from: int | None
    """The rupture's turn count from this value up is one value (None: it is read otherwise)."""
    memo_from: int | None
    """Likewise for the scoring memo (0 when nothing reads it)."""


def held(ctx: Context) -> Held:
    """Rules are those left once each choice's own names and the vignette's attachment are put
    in (`Context.static`): a rule about another attachment style reads nothing here.

    The rupture's turn count only counts up or restarts at zero, and the memo only counts up,
    so where every reader compares them with constants, all values above the constants look
    alike to every reader, now and after any choice: the search keeps one of them."""
    from simulator.content.expr import alike_from, compared_with, names_in
    from simulator.play.engine import _NAMES

    v, rubric = ctx.v, ctx.rubric
    known = {"repair_within": rubric.repair_within, "attachment": v.attachment}
    read = {"arousal"}
    conditions: set[str] = set(branch_conditions(v))
    for beat in v.beats:
        for index in range(len(beat.choices)):
            static = ctx.static(beat.id, index)
            read.update(static.state_reads)
            conditions.update(r.when for r in (*static.reclassify, *static.rules))
    # the scorer's own reads: the last turn to repair in, and a rupture still open at the end
    counted: dict[str, set[tuple[str, Any]] | None] = {
        "rupture_turns": {("==", rubric.repair_within - 1), ("<", rubric.repair_within)},
        MEMO: set(),
    }
    for source in conditions:
        read |= names_in(source)
        for name, comparisons in compared_with(source, known).items():
            if name in counted:
                before = counted[name]
                counted[name] = (
                    None if before is None or comparisons is None else before | comparisons
                )
    alike = {
        name: None if comparisons is None else alike_from(frozenset(comparisons))
        for name, comparisons in counted.items()
    }
    return Held(
        frozenset(name for name in _NAMES if name not in read),
        alike["rupture_turns"],
        alike[MEMO],
    )


class _Shift(dict[tuple[int, ...], tuple[int, ...]]):
    """One choice's effect on the variables carried aside, filled in as values are met."""

    def __init__(self, effects: tuple[tuple[int, int, int, int], ...]) -> None:
        super().__init__()
        self.effects = effects  # (position aside, delta, lowest, highest)

    def __missing__(self, values: tuple[int, ...]) -> tuple[int, ...]:
        moved = list(values)
        for k, delta, lo, hi in self.effects:
            moved[k] = min(hi, max(lo, moved[k] + delta))
        self[values] = found = tuple(moved)
        return found


def state_window(v: Vignette) -> dict[str, tuple[int, int, int]]:
    """Per beat, how many of the distinct full client states it is reached in (within the turn
    limit) are below, inside and above the client's window of tolerance: every variable
    counts here, read or not, as the trainee meets the client.

    Variables that no branch condition reads, nor the engine (arousal), never change where the
    client goes or how the rest of the state moves: they are carried aside, as the set of their
    values that reach each (beat, rest of the state), so that each such pair is stepped once
    however many values ride with it. A full state is a pair and one of its values: the counts
    are those of stepping every full state."""
    from simulator.content.codebook import codebook
    from simulator.content.expr import names_in
    from simulator.play.engine import _NAMES

    read = {"arousal"}.union(*(names_in(source) for source in branch_conditions(v)))
    aside = [name for name in _NAMES if name not in read]
    where = {name: k for k, name in enumerate(aside)}
    ranges = {name: spec.range for name, spec in codebook().state.items()}
    shifts: dict[tuple[str, int], _Shift | None] = {}
    for b in v.beats:
        for index, c in enumerate(b.choices):
            effects = tuple(
                (where[name], delta, *ranges[name])
                for name, delta in c.effect.items()
                if name in where
            )
            shifts[(b.id, index)] = _Shift(effects) if effects else None
    rest = Plan(v, held=frozenset(aside))
    start = v.start_values()
    node, state = rest.begin()
    low, high = v.window.low, v.window.high
    arousal_at = _NAMES.index("arousal")
    counts: dict[str, list[int]] = {}
    layer: dict[tuple[str, ClientState], set[tuple[int, ...]]] = {
        (node, state): {tuple(start[name] for name in aside)}
    }
    while layer:
        following: dict[tuple[str, ClientState], set[tuple[int, ...]]] = {}
        for (beat, st), carried in layer.items():
            arousal = st.values[arousal_at]
            n = counts.setdefault(beat, [0, 0, 0])
            n[0 if arousal < low else 2 if arousal > high else 1] += len(carried)
            for index in range(len(v.beat_map[beat].choices)):
                result = rest.step(beat, st, index)
                if result.ended:
                    continue
                shift = shifts[(beat, index)]
                moved = carried if shift is None else {shift[values] for values in carried}
                there = following.get((result.node, result.state))
                if there is None:
                    following[(result.node, result.state)] = set(moved)
                else:
                    there |= moved
        layer = following  # the state holds the turn: a pair never recurs in a later layer
    return {beat: (c[0], c[1], c[2]) for beat, c in counts.items()}


def compute_bounds(v: Vignette, rubric: Rubric, ctx: Context | None = None) -> Bounds:
    """The exact best and worst routes (`ctx`: a `Story`'s context, to share its compiled facts)."""
    with gc_paused():
        return _compute(v, ctx or Context(v, rubric))


def _compute(v: Vignette, ctx: Context) -> Bounds:
    holds = held(ctx)
    # the engine's own steps, with what nothing reads left out of the states
    plan = Plan(
        v,
        held=holds.dead,
        rupture_turns_cap=RUPTURE_TURNS_CAP
        if holds.rupture_turns_from is None
        else holds.rupture_turns_from,
    )
    memo_cap = ACCOMMODATION_CAP if holds.memo_from is None else holds.memo_from
    node, state = plan.begin()
    start: Key = (node, state, 0)
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
    statics = {b.id: [ctx.static(b.id, i) for i in range(len(b.choices))] for b in v.beats}
    ends: dict[tuple[Any, ...], int] = {}  # points the end adds, by what they depend on
    while frontier:
        layer: list[int] = []
        # A (beat, client state) pair steps the same whatever the memo, so its steps are taken
        # once; the state holds the turn, so a pair never recurs in a later layer.
        steps: dict[tuple[str, ClientState], list[tuple[str, Any, bool, int]]] = {}
        for kid in frontier:
            expanded += 1
            beat, st, memo = keys[kid]
            outs = steps.get((beat, st)) if memo_cap else None
            if outs is None:
                outs = []
                if memo_cap:  # with one memo, a pair is met once: nothing to remember
                    steps[(beat, st)] = outs
                for index in n_choices[beat]:
                    result = plan.step(beat, st, index)
                    after = result.state
                    if result.ended:
                        # an end is told apart only by what ranks it: the ending, the turns
                        # taken, and whether a rupture is still open (for `open_at`)
                        ending = result.ending or result.node
                        end_key = (ending, after.turn, after.rupture != "none")
                        end = ends.get((end_key, after.rupture, after.rupture_turns))
                        if end is None:
                            end = ends[(end_key, after.rupture, after.rupture_turns)] = sum(
                                ln.points for ln in end_lines(ctx, after, result.ending)
                            )
                        outs.append((ending, end_key, True, end))
                    else:
                        outs.append((result.node, after, False, 0))
            seen_points: set[int] = set()
            base = env_template(ctx, st, memo)
            key_hi, key_lo = hi[kid], lo[kid]
            for index, (to, after, ended, end) in enumerate(outs):
                judged = _judged(ctx, statics[beat][index], st, memo, base)
                pts, memo2 = judged.points, judged.verdict.memo
                if memo2 > memo_cap:
                    memo2 = memo_cap  # memos that no rule can tell apart are one memo
                seen_points.add(pts)
                pts += end
                nxt: Key = (to, after, 0 if ended else memo2)
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
                        terminal[nid] = after[1]
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
        open_at=frozenset(keys[t][0] for t in terminal if keys[t][1][2]),
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
