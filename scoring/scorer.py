"""Score a route through a vignette: a pure, deterministic function of vignette, route and rubric.

`score_choice` scores one choice from the client's state at that moment; transcript scoring
(`score_route`), scoring as a session is played (`scoring/cursor.py`) and the best/worst search
(`scoring/bounds.py`) all use it, so they cannot disagree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from scoring.context import ACCOMMODATION_CAP, Context, _set_valence, _Static, env_template
from scoring.metrics import metrics
from scoring.results import PENALTY_CAP, Line, RouteError, Rupture, ScoreReport, TurnScore
from scoring.rubric import PointRule, Reclassify, Rubric
from simulator.content.expr import Pred
from simulator.content.model import Vignette
from simulator.play.engine import TURN_LIMIT_ENDING, ClientState


class _Verdict(NamedTuple):
    """Which rules fired for one choice: the single source for both lines and points."""

    valence: str
    reason: Reclassify | None
    fired: list[tuple[Pred, PointRule, Line]]
    unrepaired: bool
    memo: int


def _judge(
    ctx: Context,
    static: _Static,
    state: ClientState,
    memo: int,
    env: dict[str, Any],
) -> _Verdict:
    """`env` is this choice's own (the verdict changes it)."""
    env.update(static.flags)  # includes the default valence's flags
    valence = static.default_valence
    reason = None
    for rule in static.reclassify:
        if rule.predicate(env) and rule.valence != valence:
            valence = rule.valence
            reason = rule
            _set_valence(env, valence)
    fired = [check for check in static.checks if check[0](env)]
    rubric = ctx.rubric
    unrepaired = bool(
        rubric.unrepaired_points
        and state.rupture != "none"
        and state.rupture_turns == rubric.repair_within - 1
        # this choice is the last within the repair window and does not resolve the rupture
        and not (static.repair and not env["out_of_window"])
    )
    if static.accommodates:
        memo = min(ACCOMMODATION_CAP, memo + 1)
    return _Verdict(valence, reason, fired, unrepaired, memo)


def _view(
    ctx: Context, static: _Static, state: ClientState, memo: int, env: dict[str, Any]
) -> tuple[Any, ...]:
    """A choice in a state as its rules see it: the names its candidate rules read from the
    state (`_Static.state_reads`), the memo, and what the unrepaired-rupture rule reads (the
    rupture's kind, for its line). Two states with the same view get the same verdict and
    the same lines. `env`: `base_env` or `env_template` (the turn is taken from the state)."""
    return (
        id(static),  # the Context holds every _Static for its lifetime
        memo,
        state.rupture != "none"
        and state.rupture_turns == ctx.rubric.repair_within - 1
        and state.rupture,
        env["out_of_window"],
        state.turn if static.reads_turn else None,
        static.read_state(env) if static.read_state is not None else None,
    )


class _Judged(NamedTuple):
    """A verdict with everything of its explanation that does not depend on the beat."""

    verdict: _Verdict
    points: int
    """The choice's points, capped."""
    reason: Line | None
    """The reclassifying rule's line, which heads the lines; None: the beat's base line does."""
    dimension: str
    """The head line's dimension."""
    tail: tuple[Line, ...]
    """The lines after the head: the rules that fired, an unrepaired rupture, the cap."""
    dims: tuple[tuple[str, int], ...]
    """(dimension, points) of every line, the head's included."""


def _judged(
    ctx: Context, static: _Static, state: ClientState, memo: int, env: dict[str, Any]
) -> _Judged:
    """The verdict and its lines, remembered by the view (`_view`): a search, and a long
    transcript, meet the same view of a choice in many client states, and judge it once.
    `env` (`base_env` or `env_template`) is not changed."""
    key = _view(ctx, static, state, memo, env)
    found = ctx.verdicts.get(key)
    if found is None:
        base = env.copy()
        base["turn"] = state.turn
        verdict = _judge(ctx, static, state, memo, base)
        found = _explain(ctx.rubric, verdict, state)
        if len(ctx.verdicts) > 500_000:  # bound the memory of a very long search
            ctx.verdicts.clear()
        ctx.verdicts[key] = found
    return found


def _judged_at(ctx: Context, static: _Static, state: ClientState, memo: int) -> _Judged:
    """`_judged` for a state as it stands, remembered by the state itself (all but the turn,
    unless a rule reads it): scoring a transcript skips building its view when a state recurs."""
    key = (
        id(static),
        state.values,
        state.rupture,
        state.rupture_turns,
        state.consent_left > 0 and state.consent_scope,
        memo,
        state.turn if static.reads_turn else None,
    )
    found = ctx.judged_states.get(key)
    if found is None:
        found = _judged(ctx, static, state, memo, env_template(ctx, state, memo))
        if len(ctx.judged_states) > 200_000:  # bound the memory of many long transcripts
            ctx.judged_states.clear()
        ctx.judged_states[key] = found
    return found


def _explain(rubric: Rubric, verdict: _Verdict, state: ClientState) -> _Judged:
    valence, reason = verdict.valence, verdict.reason
    weight = rubric.weights[valence]  # type: ignore[index]
    head = None
    if reason is not None:
        dimension = reason.dimension if valence != "P" else "pushing"
        head = Line(reason.id, weight, dimension, reason.source, reason.explain, reason.feedback)
    else:
        dimension = "pushing" if valence == "P" else "attunement"
    tail = [c[2] for c in verdict.fired]
    if verdict.unrepaired:
        tail.append(
            _unrepaired(
                rubric,
                f"The {state.rupture} rupture was not repaired within {rubric.repair_within} turns.",
            )
        )
    total = weight + sum(ln.points for ln in tail)
    if total < rubric.choice_penalty_cap:
        tail.append(
            Line(
                PENALTY_CAP,
                rubric.choice_penalty_cap - total,
                "pushing",
                rubric.choice_penalty_cap_source,
                f"One choice costs at most {-rubric.choice_penalty_cap} points, however many "
                "rules it broke.",
            )
        )
    dims = ((dimension, weight), *((ln.dimension, ln.points) for ln in tail))
    return _Judged(
        verdict,
        max(total, rubric.choice_penalty_cap),
        head,
        dimension,
        tuple(tail),
        dims,
    )


def choice_points(
    ctx: Context, beat: str, state: ClientState, memo: int, index: int, base: dict[str, Any]
) -> tuple[int, int]:
    """(points, memo after): what `score_choice` would sum, without building the explanation."""
    judged = _judged(ctx, ctx.static(beat, index), state, memo, base)
    return judged.points, judged.verdict.memo


def score_choice(
    ctx: Context,
    beat: str,
    state: ClientState,
    memo: int,
    index: int,
) -> tuple[list[Line], str, int]:
    """Lines for choice `index` at `beat`, given the state before it; returns (lines, valence, memo).

    `memo` counts earlier accommodating choices (capped), for the attachment rule.
    """
    return _score(ctx, beat, ctx.static(beat, index), state, memo, index)


def _score(
    ctx: Context,
    beat: str,
    static: _Static,
    state: ClientState,
    memo: int,
    index: int,
) -> tuple[list[Line], str, int]:
    judged = _judged_at(ctx, static, state, memo)
    return _lines(ctx, beat, index, judged), judged.verdict.valence, judged.verdict.memo


def _lines(ctx: Context, beat: str, index: int, judged: _Judged) -> list[Line]:
    valence = judged.verdict.valence
    weight = ctx.rubric.weights[valence]  # type: ignore[index]
    head = judged.reason or ctx.base_line(beat, index, valence, weight, judged.dimension)
    return [head, *judged.tail]


def end_lines(ctx: Context, state: ClientState, ending: str | None = None) -> list[Line]:
    """Lines added when the session ends: a rupture still open and not yet counted, and the
    ending's outcome (`ending` is an ending id or TURN_LIMIT_ENDING)."""
    rubric = ctx.rubric
    out = []
    if (
        rubric.unrepaired_points
        and state.rupture != "none"
        and state.rupture_turns < rubric.repair_within
    ):
        out.append(
            _unrepaired(rubric, f"The session ended with the {state.rupture} rupture still open.")
        )
    if ending is not None:
        kind = "stalled" if ending == TURN_LIMIT_ENDING else ctx.v.ending_map[ending].kind
        points = rubric.ending_points.get(kind, 0)
        if points:
            what = (
                "ran out of time with nothing resolved"
                if ending == TURN_LIMIT_ENDING
                else f"ended: {kind}"
            )
            out.append(
                Line(
                    f"ending-{kind}",
                    points,
                    "repair",
                    rubric.ending_source,
                    f"The session {what}.",
                    rubric.ending_feedback.get(kind, ""),
                )
            )
    return out


def _unrepaired(rubric: Rubric, text: str) -> Line:
    return Line(
        "unrepaired-rupture",
        rubric.unrepaired_points,
        "repair",
        rubric.unrepaired_source,
        text,
        rubric.unrepaired_feedback,
    )


def overall(rubric: Rubric, net: int, turns: int, stalled: bool = False) -> int:
    """50 + 50 × f(net / (turns × per_turn_span)), where f is the identity held between −1 and 1
    (the `clamped` curve) or tanh; a stalled session (the turn limit) is held below the top band
    when the rubric says so."""
    if turns <= 0:
        return 50
    x = net / (turns * rubric.per_turn_span)
    if rubric.overall_curve == "tanh":
        x = math.tanh(x)
    score = max(0, min(100, round(50 + 50 * x)))
    return min(score, rubric.stalled_ceiling) if stalled else score


def is_stalled(ctx: Context, ending: str | None) -> bool:
    """Whether a session that ended at `ending` stalled: the turn limit, or an ending of that kind."""
    if ending is None:
        return False
    found = ctx.v.ending_map.get(ending)
    return ending == TURN_LIMIT_ENDING or (found is not None and found.kind == "stalled")


def score_route(
    v: Vignette,
    route: Sequence[tuple[str, int]],
    rubric: Rubric,
    *,
    recorded_rubric_version: str | None = None,
    ctx: Context | None = None,
    order: Mapping[str, Sequence[int]] | None = None,
) -> ScoreReport:
    """Score a route given as (beat id, 0-based choice index) pairs. Raises RouteError if it does not fit.

    `order` (a shuffled session's display order per beat, from its transcript) changes only the
    numbers the report shows, never the points."""
    ctx = ctx or Context(v, rubric)
    node, state = ctx.plan.begin()
    memo = 0
    turns: list[TurnScore] = []
    ruptures: list[Rupture] = []
    open_rupture: Rupture | None = None
    ended = False
    ending: str | None = None
    dims = dict.fromkeys(("attunement", "pacing", "repair", "autonomy", "pushing"), 0)
    # hot names bound once: this loop runs once per choice
    beat_map, static_of, append, repair_within = (
        v.beat_map,
        ctx.static,
        turns.append,
        rubric.repair_within,
    )
    base_line, weights, step = ctx.base_line, rubric.weights, ctx.plan.step
    new_turn = tuple.__new__
    used: dict[int, list[Any]] = {}  # id of a verdict (held alive in the list) -> [it, uses]
    for pos, (beat_id, index) in enumerate(route):
        if ended:
            raise RouteError(
                pos, f"a choice after the session had ended ({ending})", "remove the extra choices"
            )
        if beat_id != node:
            raise RouteError(
                pos,
                f"choice made at beat '{beat_id}', but the session was at '{node}'",
                "the choices are out of order, or the vignette has changed since the transcript was made",
            )
        beat = beat_map[node]
        if not 0 <= index < len(beat.choices):
            raise RouteError(
                pos,
                f"beat '{node}' has no choice {index + 1} (it has {len(beat.choices)})",
                "check the choice number",
            )
        rupture = state.rupture
        if open_rupture is not None and rupture not in ("none", open_rupture.kind):
            # one rupture turned into another (a withdrawal into a confrontation): the new one
            # starts its own record and its own count (3RS codes each rupture marker)
            open_rupture.outcome = f"turned into a {rupture}"
            open_rupture = None
        if rupture != "none" and open_rupture is None:
            open_rupture = Rupture(rupture, pos + 1, node, 0, "open at end", False)
            ruptures.append(open_rupture)
        static = static_of(node, index)
        judged = _judged_at(ctx, static, state, memo)
        verdict = judged.verdict
        valence, memo = verdict.valence, verdict.memo
        lines = [  # `_lines`, inlined: this loop runs once per choice
            judged.reason or base_line(node, index, valence, weights[valence], judged.dimension),  # type: ignore[index]
            *judged.tail,
        ]
        result = step(node, state, index)
        choice = beat.choices[index]
        if open_rupture is not None:
            open_rupture.escalated |= valence == "P"
            if result.repaired:
                open_rupture.turns_open = state.rupture_turns + 1
                open_rupture.outcome = (
                    "repaired in time" if state.rupture_turns < repair_within else "repaired late"
                )
                open_rupture = None
            else:
                open_rupture.turns_open = result.state.rupture_turns
                if open_rupture.turns_open >= repair_within:
                    open_rupture.outcome = "unrepaired"
        points = judged.points
        seen = used.get(id(judged))  # the dimensions are summed once per distinct verdict
        if seen is None:
            used[id(judged)] = [judged, 1]
        else:
            seen[1] += 1
        # every field, in TurnScore's order, as one tuple: the NamedTuple's keyword
        # constructor costs a third of this call (this loop runs once per choice)
        append(
            new_turn(
                TurnScore,
                (
                    pos + 1,
                    node,
                    index + 1,
                    choice.say,
                    choice.moves,
                    static.default_valence,
                    valence,
                    state,
                    v,
                    lines,
                    points,
                    result.node,
                    beat.client,
                    beat.inner,
                    list(order[node]).index(index) + 1 if order and node in order else None,
                ),
            )
        )
        node, state = result.node, result.state
        if result.ended:
            ended, ending = True, result.ending
    for judged, uses in used.values():
        for dimension, gained in judged.dims:
            dims[dimension] += gained * uses
    end = end_lines(ctx, state, ending) if ended else []
    net = sum(t.points for t in turns) + sum(ln.points for ln in end)
    for ln in end:
        dims[ln.dimension] += ln.points
    score = overall(rubric, net, len(turns), is_stalled(ctx, ending))
    kind = None
    if ending == TURN_LIMIT_ENDING:
        kind = "stalled"
    elif ending is not None:
        kind = v.ending_map[ending].kind
    return ScoreReport(
        vignette_id=v.id,
        rubric_version=rubric.version,
        recorded_rubric_version=recorded_rubric_version,
        overall=score,
        band=rubric.overall_band(score),
        band_provisional=rubric.bands.overall.provisional,
        net=net,
        dimensions=dims,
        metrics=metrics(ctx, turns, ruptures, state),
        turns=turns,
        end=end,
        ruptures=ruptures,
        ending=ending,
        ending_kind=kind,
        final_state=state.env(v),
        order=dict(order or {}),
    )
