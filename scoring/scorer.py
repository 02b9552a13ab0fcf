"""Score a route through a vignette: a pure, deterministic function of vignette, route and rubric.

`score_choice` scores one choice from the client's state at that moment; transcript scoring and
the best/worst search (`scoring.bounds`) both use it, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from scoring.rubric import METRICS, PointRule, Reclassify, Rubric
from simulator.content.codebook import VALENCE_NAMES, Codebook, codebook
from simulator.content.expr import Pred, names_in, requirements
from simulator.content.model import Vignette
from simulator.play.engine import TURN_LIMIT_ENDING, ClientState, begin, step

ACCOMMODATION_CAP = 3


class Line(NamedTuple):
    """One explained contribution to the score."""

    rule: str
    points: int
    dimension: str
    source: str
    """The instrument the rule rests on."""
    text: str
    feedback: str = ""


class _Static(NamedTuple):
    """What a choice says about itself, whatever the state: computed once per vignette."""

    flags: dict[str, bool]
    """The static names (moves, families, advice pull) that this choice's candidate rules read."""
    default_valence: str
    accommodates: bool
    repair: bool
    advice: bool
    depth: bool
    reclassify: tuple[Reclassify, ...]
    """The reclassify rules that can fire for this choice in some state."""
    rules: tuple[PointRule, ...]
    """Likewise for the point rules."""
    checks: tuple[tuple[Pred, PointRule, Line], ...]
    """(compiled condition, rule, its line) for `rules`, bound once for the hot loop."""
    miti: tuple[int, int, int]
    """How many complex reflections, simple reflections and questions the choice carries."""


def _possible(rule: Reclassify | PointRule, known: dict[str, bool]) -> bool:
    """False when the rule's text requires a name that is known to be false for this choice."""
    for group in requirements(rule.when):
        if all(name in known and not known[name] for name in group):
            return False
    return True


class Context:
    """Vignette, rubric and codebook, with per-choice facts precomputed. Immutable once built."""

    def __init__(self, v: Vignette, rubric: Rubric, cb: Codebook | None = None) -> None:
        self.v = v
        self.rubric = rubric
        self.cb = cb or codebook()
        self._static: dict[tuple[str, int], _Static] = {}
        self._by_moves: dict[tuple[tuple[str, ...], bool, bool], _Static] = {}
        self._base: dict[tuple[tuple[str, ...], str], Line] = {}
        self._base_at: dict[tuple[str, int, str], Line] = {}
        self._pull: dict[str, bool] = {}  # filled on first use, per beat
        self._opens: dict[str, bool] = {}
        self.env_templates: dict[tuple[Any, ...], dict[str, Any]] = {}

    def opens_rupture(self, node: str) -> bool:
        """Whether arriving at `node` (a beat; never an ending) opens a 3RS rupture."""
        found = self._opens.get(node)
        if found is None:
            beat = self.v.beat_map.get(node)
            found = self._opens[node] = beat is not None and any(
                self.cb.markers[m].kind in ("withdrawal", "confrontation") for m in beat.markers
            )
        return found

    def invites_rupture(self, beat: str, index: int) -> bool:
        """Whether this choice leads (on any of its routes) to a beat where the client withdraws
        or confronts: by the author's design, the move is one the client answers with a rupture."""
        to = self.v.beat_map[beat].choices[index].to
        targets = [to] if isinstance(to, str) else [b.go for b in to]
        return any(self.opens_rupture(t) for t in targets)

    def pulls_advice(self, beat: str) -> bool:
        """Whether the client's statement at `beat` pulls for advice (computed on first use)."""
        found = self._pull.get(beat)
        if found is None:
            markers = self.v.beat_map[beat].markers
            found = self._pull[beat] = any(self.cb.markers[m].pulls_advice for m in markers)
        return found

    def base_line(self, beat: str, index: int, valence: str, weight: int, dimension: str) -> Line:
        """The base line for a choice's valence (immutable, so shared between turns)."""
        fast = self._base_at.get((beat, index, valence))
        if fast is not None:
            return fast
        moves = tuple(self.v.beat_map[beat].choices[index].moves)
        key = (moves, valence)
        found = self._base.get(key)
        if found is None:
            names = ", ".join(self.cb.moves[m].name for m in moves)
            found = self._base[key] = Line(
                f"valence-{valence}",
                weight,
                dimension,
                self.rubric.base_sources[valence],  # type: ignore[index]
                f"{VALENCE_NAMES[valence].capitalize()} move ({names}).",
            )
        self._base_at[(beat, index, valence)] = found
        return found

    def static(self, beat: str, index: int) -> _Static:
        key = (beat, index)
        found = self._static.get(key)
        if found is None:
            moves = tuple(self.v.beat_map[beat].choices[index].moves)
            shape = (moves, self.pulls_advice(beat), self.invites_rupture(beat, index))
            found = self._by_moves.get(shape)
            if found is None:
                found = self._by_moves[shape] = self._build_static(beat, moves, shape[2])
            self._static[key] = found
        return found

    def _build_static(self, beat: str, moves: tuple[str, ...], invites: bool) -> _Static:
        """Facts that depend only on the moves, on whether the beat pulls for advice and on
        whether the choice leads to a rupture."""
        cb = self.cb
        flags = dict.fromkeys(cb.moves, False)
        for m in moves:
            flags[m] = True
        families = {cb.moves[m].family for m in moves}
        flags["repair"] = any(cb.moves[m].repairs for m in moves)
        flags["advice"] = "advice" in families
        flags["depth"] = "deepen" in families
        flags["advice_pulled"] = self.pulls_advice(beat)
        flags["invites_rupture"] = invites
        flags["repair_within"] = self.rubric.repair_within  # type: ignore[assignment]
        known = {k: bool(v) for k, v in flags.items() if k != "repair_within"}
        reclassify = tuple(r for r in self.rubric.reclassify if _possible(r, known))
        rules = tuple(r for r in self.rubric.rules if _possible(r, known))
        # keep only the static names the candidate rules read: a smaller env to build per choice
        read = set().union(*(names_in(r.when) for r in (*reclassify, *rules)))
        valence = cb.combined_valence(moves)
        static_env = {k: v for k, v in flags.items() if k in read}
        _set_valence(static_env, valence)  # the default; reclassification overrides it
        return _Static(
            static_env,
            cb.combined_valence(moves),
            "accommodate" in moves,
            flags["repair"],
            flags["advice"],
            flags["depth"],
            reclassify,
            rules,
            tuple((r.predicate, r, r.line) for r in rules),
            (
                moves.count("complex_reflection"),
                moves.count("simple_reflection"),
                moves.count("question"),
            ),
        )


_CONTEXTS: dict[tuple[int, int], Context] = {}


def context_for(v: Vignette, rubric: Rubric) -> Context:
    """A shared Context for this vignette and rubric (both immutable), so repeated scoring of the
    same vignette reuses its precomputed per-choice facts."""
    key = (id(v), id(rubric))
    found = _CONTEXTS.get(key)
    if found is None or found.v is not v or found.rubric is not rubric:
        if len(_CONTEXTS) > 64:
            _CONTEXTS.clear()
        found = _CONTEXTS[key] = Context(v, rubric)
    return found


def base_env(ctx: Context, state: ClientState, memo: int) -> dict[str, Any]:
    """The names every rule may read that depend on the state, not on the choice (a fresh dict:
    callers may add to it). States that differ only in the turn share one template."""
    key = (state.values, state.rupture, state.rupture_turns, state.consent_left > 0, memo)
    template = ctx.env_templates.get(key)
    if template is None:
        template = state.env(ctx.v)
        template["rupture_open"] = state.rupture != "none"
        template["accommodated_before"] = memo
        if len(ctx.env_templates) > 200_000:  # bound the memory of a very long search
            ctx.env_templates.clear()
        ctx.env_templates[key] = template
    env = template.copy()
    env["turn"] = state.turn
    return env


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
    base: dict[str, Any],
    owned: bool = False,
) -> _Verdict:
    env = base if owned else base.copy()
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


def choice_points(
    ctx: Context, beat: str, state: ClientState, memo: int, index: int, base: dict[str, Any]
) -> tuple[int, int]:
    """(points, memo after): what `score_choice` would sum, without building the explanation."""
    verdict = _judge(ctx, ctx.static(beat, index), state, memo, base)
    points = ctx.rubric.weights[verdict.valence] + sum(c[1].points for c in verdict.fired)  # type: ignore[index]
    if verdict.unrepaired:
        points += ctx.rubric.unrepaired_points
    return points, verdict.memo


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
    rubric = ctx.rubric
    # the environment is built here for this one choice, so the verdict may use it in place
    verdict = _judge(ctx, static, state, memo, base_env(ctx, state, memo), owned=True)
    valence, reason = verdict.valence, verdict.reason
    weight = rubric.weights[valence]  # type: ignore[index]
    if reason is not None:
        dimension = reason.dimension if valence != "P" else "pushing"
        lines = [Line(reason.id, weight, dimension, reason.source, reason.explain, reason.feedback)]
    else:
        dimension = "pushing" if valence == "P" else "attunement"
        lines = [ctx.base_line(beat, index, valence, weight, dimension)]
    lines += [c[2] for c in verdict.fired]
    if verdict.unrepaired:
        lines.append(
            _unrepaired(
                rubric,
                f"The {state.rupture} rupture was not repaired within {rubric.repair_within} turns.",
            )
        )
    return lines, valence, verdict.memo


def most_telling(lines: list[Line]) -> Line:
    """The line that best explains a choice: the largest context rule, else the base line."""
    context = [ln for ln in lines[1:] if ln.points]
    return max(context, key=lambda ln: abs(ln.points)) if context else lines[0]


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


def _set_valence(env: dict[str, Any], valence: str) -> None:
    env["attuned"] = valence == "A"
    env["neutral"] = valence == "N"
    env["pushing"] = valence == "P"
    env["withdrawing"] = valence == "W"


def overall(rubric: Rubric, net: int, turns: int) -> int:
    """50 + 50 × net / (turns × per_turn_span), held between 0 and 100."""
    if turns <= 0:
        return 50
    raw = 50 + 50 * net / (turns * rubric.per_turn_span)
    return max(0, min(100, round(raw)))


# ---------------------------------------------------------------- reports


class TurnScore(NamedTuple):
    turn: int
    beat: str
    choice: int
    """1-based."""
    say: str
    moves: list[str]
    default_valence: str
    valence: str
    client_state: ClientState
    """The client's state when the choice was made."""
    vignette: Vignette
    lines: list[Line]
    points: int
    reached: str
    """The beat or ending the choice led to."""
    client: str
    """What the client had just said."""
    inner: str | None
    """The client's inner experience at that beat (debrief only)."""

    @property
    def state(self) -> dict[str, Any]:
        """The client's state when the choice was made, by name (derived on demand)."""
        return self.client_state.env(self.vignette)

    @property
    def rule_fired(self) -> Line:
        return most_telling(self.lines)

    @property
    def feedback(self) -> str:
        return next((ln.feedback for ln in self.lines if ln.feedback and ln.points < 0), "")


class Rupture:
    """One rupture: `opened_turn` is the first choice made while it was open; `outcome` is
    repaired in time | repaired late | unrepaired | open at end."""

    __slots__ = ("escalated", "kind", "opened_beat", "opened_turn", "outcome", "turns_open")

    def __init__(
        self,
        kind: str,
        opened_turn: int,
        opened_beat: str,
        turns_open: int,
        outcome: str,
        escalated: bool,
    ) -> None:
        self.kind, self.opened_turn, self.opened_beat = kind, opened_turn, opened_beat
        self.turns_open, self.outcome, self.escalated = turns_open, outcome, escalated

    def as_dict(self) -> dict[str, Any]:
        return {
            name: getattr(self, name)
            for name in ("kind", "opened_turn", "opened_beat", "turns_open", "outcome", "escalated")
        }


class Metric(NamedTuple):
    name: str
    value: float | None
    display: str
    band: str
    provisional: bool
    source: str


class ScoreReport(NamedTuple):
    vignette_id: str
    rubric_version: str
    recorded_rubric_version: str | None
    overall: int
    band: str
    band_provisional: bool
    net: int
    dimensions: dict[str, int]
    metrics: dict[str, Metric]
    turns: list[TurnScore]
    end: list[Line]
    ruptures: list[Rupture]
    ending: str | None
    ending_kind: str | None
    final_state: dict[str, Any]

    @property
    def rescored(self) -> bool:
        return (
            self.recorded_rubric_version is not None
            and self.recorded_rubric_version != self.rubric_version
        )

    @property
    def all_lines(self) -> list[Line]:
        return [ln for t in self.turns for ln in t.lines] + self.end

    def as_json(self) -> dict[str, Any]:
        return {
            "vignette": self.vignette_id,
            "rubric_version": self.rubric_version,
            "recorded_rubric_version": self.recorded_rubric_version,
            "rescored": self.rescored,
            "overall": self.overall,
            "band": self.band,
            "band_provisional": self.band_provisional,
            "net_points": self.net,
            "dimensions": self.dimensions,
            "metrics": {k: m._asdict() for k, m in self.metrics.items()},
            "ending": self.ending,
            "ending_kind": self.ending_kind,
            "ruptures": [r.as_dict() for r in self.ruptures],
            "turns": [
                {
                    "turn": t.turn,
                    "beat": t.beat,
                    "choice": t.choice,
                    "say": t.say,
                    "moves": t.moves,
                    "valence": t.valence,
                    "default_valence": t.default_valence,
                    "state": t.state,
                    "points": t.points,
                    "reached": t.reached,
                    "rule": t.rule_fired.rule,
                    "lines": [ln._asdict() for ln in t.lines],
                }
                for t in self.turns
            ],
            "end_lines": [ln._asdict() for ln in self.end],
        }


class RouteError(ValueError):
    """A route that does not fit the vignette; `position` is the 0-based index of the bad step."""

    def __init__(self, position: int, message: str, hint: str) -> None:
        super().__init__(message)
        self.position = position
        self.message = message
        self.hint = hint


class RouteCursor:
    """Scores a route one choice at a time, as it is played, and rewinds as the trainee does.

    `choose` gives the same lines and valence as the last turn of `score_route` over the route so
    far, in constant time per choice (score_route over a growing route is linear per call).
    A choice that does not fit the route leaves the cursor unable to score until a rewind takes
    that choice back, as `score_route` would refuse every longer route.
    """

    def __init__(self, v: Vignette, rubric: Rubric, ctx: Context | None = None) -> None:
        self.v = v
        self.ctx = ctx or context_for(v, rubric)
        node, state = begin(v)
        # the position before each choice: (node, state, memo), or None past a choice that did not fit
        self._at: list[tuple[str, ClientState, int] | None] = [(node, state, 0)]
        self._ended = False

    def choose(self, beat: str, index: int) -> tuple[list[Line], str]:
        """Lines and valence for choice `index` (0-based) at `beat`; RouteError if it does not fit."""
        pos = len(self._at) - 1
        here = self._at[-1]
        problem = None
        if here is None or self._ended:
            problem = "an earlier choice did not fit, or the session had ended"
        elif here[0] != beat:
            problem = f"choice made at beat '{beat}', but the session was at '{here[0]}'"
        elif not 0 <= index < len(self.v.beat_map[beat].choices):
            problem = f"beat '{beat}' has no choice {index + 1}"
        if problem is not None or here is None:
            self._at.append(None)
            raise RouteError(pos, problem or "", "check the transcript against the vignette")
        node, state, memo = here
        lines, valence, memo = score_choice(self.ctx, node, state, memo, index)
        result = step(self.v, node, state, index)
        self._at.append((result.node, result.state, memo))
        self._ended = result.ended
        return lines, valence

    def rewind(self, turns: int) -> None:
        """Keep only the first `turns` choices."""
        del self._at[turns + 1 :]
        self._ended = False


def score_route(
    v: Vignette,
    route: Sequence[tuple[str, int]],
    rubric: Rubric,
    *,
    recorded_rubric_version: str | None = None,
    ctx: Context | None = None,
) -> ScoreReport:
    """Score a route given as (beat id, 0-based choice index) pairs. Raises RouteError if it does not fit."""
    ctx = ctx or context_for(v, rubric)
    node, state = begin(v)
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
        if state.rupture != "none" and open_rupture is None:
            open_rupture = Rupture(state.rupture, pos + 1, node, 0, "open at end", False)
            ruptures.append(open_rupture)
        static = static_of(node, index)
        lines, valence, memo = _score(ctx, node, static, state, memo, index)
        result = step(v, node, state, index)
        choice = beat.choices[index]
        if open_rupture is not None:
            open_rupture.kind = state.rupture
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
        points = 0
        for ln in lines:
            points += ln.points
            dims[ln.dimension] += ln.points
        # positional: TurnScore's field order (this loop runs once per choice)
        append(
            TurnScore(
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
            )
        )
        node, state = result.node, result.state
        if result.ended:
            ended, ending = True, result.ending
    end = end_lines(ctx, state, ending) if ended else []
    net = sum(t.points for t in turns) + sum(ln.points for ln in end)
    for ln in end:
        dims[ln.dimension] += ln.points
    score = overall(rubric, net, len(turns))
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
        metrics=_metrics(ctx, turns, ruptures, state),
        turns=turns,
        end=end,
        ruptures=ruptures,
        ending=ending,
        ending_kind=kind,
        final_state=state.env(v),
    )


def _metrics(
    ctx: Context, turns: list[TurnScore], ruptures: list[Rupture], final: ClientState
) -> dict[str, Metric]:
    cr = sr = q = attuned = pushing = consent_needed = consent_had = pushes_out = 0
    statics = ctx._static  # filled while scoring the route
    for t in turns:
        static = statics[(t.beat, t.choice - 1)]
        c, s_, q_ = static.miti
        cr += c
        sr += s_
        q += q_
        if t.valence == "A":
            attuned += 1
        elif t.valence == "P":
            pushing += 1
            if t.client_state.out_of_window(ctx.v):
                pushes_out += 1
        if static.advice or static.depth:
            consent_needed += 1
            consent_had += t.client_state.consent_left > 0
    refl = cr + sr
    values: dict[str, tuple[float | None, str]] = {}
    if q:
        values["reflection_to_question"] = (
            refl / q,
            f"{refl / q:.1f}:1 ({refl} reflections, {q} questions)",
        )
    elif refl:
        values["reflection_to_question"] = (float("inf"), f"{refl} reflections, no questions")
    else:
        values["reflection_to_question"] = (None, "no reflections or questions")
    values["percent_complex_reflections"] = (
        (
            100 * cr / refl,
            f"{100 * cr / refl:.0f}%",
        )
        if refl
        else (None, "no reflections")
    )
    values["percent_attuned"] = (
        (
            100 * attuned / (attuned + pushing),
            f"{100 * attuned / (attuned + pushing):.0f}% ({attuned} attuned, {pushing} pushing)",
        )
        if attuned + pushing
        else (None, "no attuned or pushing choices")
    )
    repaired = sum(1 for r in ruptures if r.outcome == "repaired in time")
    values["repair_rate"] = (
        (100 * repaired / len(ruptures), f"{repaired} of {len(ruptures)} ruptures repaired in time")
        if ruptures
        else (None, "no ruptures")
    )
    values["pushes_out_of_window"] = (float(pushes_out), str(pushes_out))
    values["consent_rate"] = (
        (
            100 * consent_had / consent_needed,
            f"{consent_had} of {consent_needed} advice or depth moves had consent",
        )
        if consent_needed
        else (None, "no advice or depth moves")
    )
    alliance = final.get("alliance")
    values["alliance_at_end"] = (float(alliance), f"{alliance}/10")
    out = {}
    for name in METRICS:
        value, display = values[name]
        bands = ctx.rubric.bands.metrics[name]
        band = "n/a" if value is None else bands.band(value)
        out[name] = Metric(
            name,
            None if value is None or value == float("inf") else round(value, 2),
            display,
            band,
            bands.provisional,
            bands.source,
        )
    return out
