"""What the scorer knows about a vignette under a rubric before any route is played: per-choice
facts (flags, candidate rules, MITI counts) computed once, and the state environment that rules
read. A `Context` is built by a `Story` (`scoring/story.py`) and shared by everything that scores
that vignette."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, NamedTuple

from scoring.results import Line
from scoring.rubric import BEAT_FLAGS, PointRule, Reclassify, Rubric
from simulator.content.codebook import VALENCE_NAMES, Codebook, codebook
from simulator.content.expr import Pred, names_in, residual
from simulator.content.model import Vignette
from simulator.play.engine import ClientState, Plan

ACCOMMODATION_CAP = 3


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
    state_reads: tuple[str, ...] = ()
    """The names the candidate rules read that the client's state supplies: two states that
    agree on these (and on what the unrepaired-rupture rule reads) score this choice alike."""
    read_state: Callable[[dict[str, Any]], Any] | None = None
    """Reads `state_reads` but the turn from an environment, in one call (None: nothing)."""
    reads_turn: bool = False


def _candidate(rule: Reclassify | PointRule, known: dict[str, Any]) -> frozenset[str] | None:
    """None when the rule can never fire for a choice whose `known` names (its moves, families
    and the beat's flags, the vignette's attachment, the rubric's constants) are as given;
    otherwise the names its condition still reads once those are put in."""
    value, still = residual(rule.when, known)
    return None if value is not None and not value else still


class Context:
    """Vignette, rubric and codebook, with per-choice facts precomputed. Immutable once built."""

    def __init__(
        self, v: Vignette, rubric: Rubric, cb: Codebook | None = None, plan: Plan | None = None
    ) -> None:
        self.v = v
        self.rubric = rubric
        self.cb = cb or codebook()
        self.plan = plan or Plan(v)
        """The vignette compiled for stepping."""
        self._static: dict[tuple[str, int], _Static] = {}
        self._by_moves: dict[tuple[tuple[str, ...], bool, bool, tuple[bool, ...]], _Static] = {}
        self._base: dict[tuple[tuple[str, ...], str], Line] = {}
        self._base_at: dict[tuple[str, int, str], Line] = {}
        self._pull: dict[str, bool] = {}  # filled on first use, per beat
        self._opens: dict[str, bool] = {}
        self._flags: dict[str, tuple[bool, ...]] = {}
        self.env_templates: dict[tuple[Any, ...], dict[str, Any]] = {}
        self.verdicts: dict[tuple[Any, ...], Any] = {}
        """A choice's verdict and lines, by the state as its rules see it (`scorer._judged`)."""
        self.judged_states: dict[tuple[Any, ...], Any] = {}
        """The same, by the state itself (`scorer._judged_at`)."""

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
                valence_text(valence, names),
            )
        self._base_at[(beat, index, valence)] = found
        return found

    def beat_flags(self, beat: str) -> tuple[bool, ...]:
        """The beat's `scoring.rubric.BEAT_FLAGS`, from its markers (computed on first use)."""
        found = self._flags.get(beat)
        if found is None:
            markers = [self.cb.markers[m] for m in self.v.beat_map[beat].markers]
            kinds = {m.kind for m in markers}
            rejected = "rejects_intervention" in self.v.beat_map[beat].markers
            asked = any(m.pulls_advice for m in markers) and not rejected
            found = self._flags[beat] = (
                "question" in kinds,
                "risk" in kinds,
                asked,
                rejected,
                "decline" in kinds,
            )
        return found

    def static(self, beat: str, index: int) -> _Static:
        key = (beat, index)
        found = self._static.get(key)
        if found is None:
            moves = tuple(self.v.beat_map[beat].choices[index].moves)
            shape = (
                moves,
                self.pulls_advice(beat),
                self.invites_rupture(beat, index),
                self.beat_flags(beat),
            )
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
        flags.update(zip(BEAT_FLAGS, self.beat_flags(beat), strict=True))
        flags["repair_within"] = self.rubric.repair_within  # type: ignore[assignment]
        # Everything about the choice is known but its valence, which reclassification may change.
        known: dict[str, Any] = {**flags, "attachment": self.v.attachment}
        folded = {id(r): _candidate(r, known) for r in self.rubric.reclassify}
        folded.update((id(r), _candidate(r, known)) for r in self.rubric.rules)
        reclassify = tuple(r for r in self.rubric.reclassify if folded[id(r)] is not None)
        rules = tuple(r for r in self.rubric.rules if folded[id(r)] is not None)
        still: set[str] = set().union(*(f for f in folded.values() if f is not None))
        # keep only the static names the candidate rules read: a smaller env to build per choice
        read = set().union(*(names_in(r.when) for r in (*reclassify, *rules)))
        valence = cb.combined_valence(moves)
        # the state names the rules still read once the choice's own are put in
        state_reads = tuple(sorted(still - VALENCE_FLAGS))
        untimed = [n for n in state_reads if n != "turn"]
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
            state_reads,
            operator.itemgetter(*untimed) if untimed else None,
            "turn" in state_reads,
        )


def base_env(ctx: Context, state: ClientState, memo: int) -> dict[str, Any]:
    """The names every rule may read that depend on the state, not on the choice (a fresh dict:
    callers may add to it). States that differ only in the turn share one template."""
    env = env_template(ctx, state, memo).copy()
    env["turn"] = state.turn
    return env


def env_template(ctx: Context, state: ClientState, memo: int) -> dict[str, Any]:
    """`base_env` without the turn, shared by every state that differs from this one only in
    the turn: read it, never change it."""
    consent = state.consent_scope if state.consent_left > 0 else None
    key = (state.values, state.rupture, state.rupture_turns, consent, memo)
    template = ctx.env_templates.get(key)
    if template is None:
        template = state.env(ctx.v)
        template["rupture_open"] = state.rupture != "none"
        template["accommodated_before"] = memo
        if len(ctx.env_templates) > 200_000:  # bound the memory of a very long search
            ctx.env_templates.clear()
        ctx.env_templates[key] = template
    return template


def valence_text(valence: str, names: str | None = None) -> str:
    """A valence line's explanation, naming the choice's moves (`names`) when they may be
    shown: "Attuned move (Validate, Complex reflection)." or "Attuned move."."""
    said = f"{VALENCE_NAMES[valence].capitalize()} move"
    return f"{said} ({names})." if names else f"{said}."


VALENCE_FLAGS = frozenset(("attuned", "neutral", "pushing", "withdrawing"))
"""The names a choice's valence sets (`_set_valence`): the choice's, never the state's."""


def _set_valence(env: dict[str, Any], valence: str) -> None:
    env["attuned"] = valence == "A"
    env["neutral"] = valence == "N"
    env["pushing"] = valence == "P"
    env["withdrawing"] = valence == "W"
