"""The session engine: pure transitions of the client's state through a vignette.

    node, state = begin(v)
    result = step(v, node, state, choice_index)

Rules (documented in docs/authoring.md):
- Arriving at a beat applies its markers: a 3RS rupture marker opens a rupture of that kind
  (or changes the kind of the open one); `consent` gives consent for `consent_turns` turns;
  `declines` withdraws it.
- Each choice: an open rupture is resolved by a repair move (codebook `repairs`) made while the
  client is inside their window; otherwise it lasts one more turn. Consent counts down. Then the
  choice's effect is added, clamped to each variable's range, and the route is followed, with
  branch conditions read on the state after the effect.
- Reaching the vignette's turn limit without an ending ends the session ('turn-limit').
"""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple

from simulator.content.codebook import Codebook, codebook
from simulator.content.expr import Pred, compile_condition
from simulator.content.model import Choice, Vignette

TURN_LIMIT_ENDING = "turn-limit"
RUPTURE_TURNS_CAP = 10
"""rupture_turns counts up to this; beyond it, a rupture is simply long-standing."""


@cache
def _index() -> dict[str, int]:
    return {name: i for i, name in enumerate(_NAMES)}


@cache
def _ranges() -> tuple[tuple[int, int], ...]:
    cb = codebook()
    return tuple(cb.state[n].range for n in _NAMES)


_NAMES = tuple(codebook().state)
_AROUSAL = _NAMES.index("arousal")


class ClientState(NamedTuple):
    """Everything about the client that changes. Immutable and hashable, so searches can memoise
    on it (a NamedTuple: cheap to create, which matters in the best/worst search)."""

    values: tuple[int, ...]
    """The codebook's state variables, in codebook order."""
    rupture: str = "none"
    rupture_turns: int = 0
    consent_left: int = 0
    turn: int = 0

    def get(self, name: str) -> int:
        return self.values[_index()[name]]

    def env(self, v: Vignette) -> dict[str, Any]:
        """The names conditions and rubric rules read."""
        env: dict[str, Any] = dict(zip(_NAMES, self.values, strict=True))
        arousal = self.values[_AROUSAL]
        window = v.window
        hyper = arousal > window.high
        hypo = arousal < window.low
        env.update(
            hyper=hyper,
            hypo=hypo,
            out_of_window=hyper or hypo,
            rupture=self.rupture,
            rupture_turns=self.rupture_turns,
            consent=self.consent_left > 0,
            turn=self.turn,
            attachment=v.attachment,
        )
        return env

    def out_of_window(self, v: Vignette) -> bool:
        arousal = self.values[_AROUSAL]
        return not (v.window.low <= arousal <= v.window.high)


class StepResult(NamedTuple):
    node: str
    """The beat or ending reached."""
    state: ClientState
    ended: bool
    ending: str | None
    """The ending id, or TURN_LIMIT_ENDING."""
    repaired: bool
    """An open rupture was resolved by this choice."""


def begin(v: Vignette) -> tuple[str, ClientState]:
    values = tuple(v.start_values()[n] for n in _NAMES)
    return v.start, arrive(v, v.start, ClientState(values))


class _ChoicePlan(NamedTuple):
    repairs: bool
    effects: tuple[tuple[int, int, int, int], ...]
    """(variable index, delta, low, high)"""
    to: str | None
    branches: tuple[tuple[Pred | None, str], ...]


class _Plan:
    """A vignette compiled for fast stepping: effects as index arithmetic, predicates compiled."""

    def __init__(self, v: Vignette) -> None:
        cb = codebook()
        index_of, ranges = _index(), _ranges()
        self.choices: dict[tuple[str, int], _ChoicePlan] = {}
        self.arrivals: dict[str, tuple[str, ...]] = {}
        for beat in v.beats:
            self.arrivals[beat.id] = tuple(cb.markers[m].kind for m in beat.markers)
            for i, c in enumerate(beat.choices):
                effects = tuple((index_of[n], d, *ranges[index_of[n]]) for n, d in c.effect.items())
                branches = (
                    ()
                    if isinstance(c.to, str)
                    else tuple((_predicate(b.if_) if b.if_ else None, b.go) for b in c.to)
                )
                self.choices[(beat.id, i)] = _ChoicePlan(
                    repairs(cb, c), effects, c.to if isinstance(c.to, str) else None, branches
                )
        self.endings = frozenset(v.ending_map)
        self.consent_turns = cb.consent_turns


_PLANS: dict[int, tuple[Vignette, _Plan]] = {}


_LAST: list[Any] = [None, None]  # the most recent (vignette, plan): the common case is one vignette


def _plan(v: Vignette) -> _Plan:
    if _LAST[0] is v:
        return _LAST[1]  # type: ignore[no-any-return]
    found = _PLANS.get(id(v))
    if found is None or found[0] is not v:
        if len(_PLANS) > 32:
            _PLANS.clear()
        found = _PLANS[id(v)] = (v, _Plan(v))
    _LAST[0], _LAST[1] = found
    return found[1]


def arrive(v: Vignette, node: str, state: ClientState) -> ClientState:
    """Apply a beat's markers on arrival."""
    plan = _plan(v)
    kinds = plan.arrivals.get(node)
    if not kinds:
        return state
    rupture, turns, consent = state.rupture, state.rupture_turns, state.consent_left
    for kind in kinds:
        if kind in ("withdrawal", "confrontation"):
            if rupture == "none":
                turns = 0
            rupture = kind
        elif kind == "consent":
            consent = plan.consent_turns
        elif kind == "decline":
            consent = 0
    return ClientState(state.values, rupture, turns, consent, state.turn)


def repairs(cb: Codebook, choice: Choice) -> bool:
    return any(cb.moves[m].repairs for m in choice.moves)


def step(v: Vignette, node: str, state: ClientState, index: int) -> StepResult:
    """Apply choice `index` (0-based) at beat `node`."""
    plan = _plan(v)
    cp = plan.choices[(node, index)]
    rupture, turns = state.rupture, state.rupture_turns
    repaired = False
    values = state.values
    if rupture != "none":
        arousal = values[_AROUSAL]
        if cp.repairs and v.window.low <= arousal <= v.window.high:
            rupture, turns, repaired = "none", 0, True
        else:
            turns = min(RUPTURE_TURNS_CAP, turns + 1)
    if cp.effects:
        new = list(values)
        for i, delta, lo, hi in cp.effects:
            new[i] = min(hi, max(lo, new[i] + delta))
        values = tuple(new)
    after = ClientState(values, rupture, turns, max(0, state.consent_left - 1), state.turn + 1)
    target = cp.to
    if target is None:
        env = after.env(v)
        target = next(go for pred, go in cp.branches if pred is None or pred(env))
    if target in plan.endings:
        return StepResult(target, after, True, target, repaired)
    if plan.arrivals.get(target):
        after = arrive(v, target, after)
    if after.turn >= v.turn_limit:
        return StepResult(target, after, True, TURN_LIMIT_ENDING, repaired)
    return StepResult(target, after, False, None, repaired)


_PREDICATES: dict[str, Pred] = {}


def _predicate(source: str) -> Pred:
    found = _PREDICATES.get(source)
    if found is None:
        found = _PREDICATES[source] = compile_condition(source, codebook().condition_names())
    return found
