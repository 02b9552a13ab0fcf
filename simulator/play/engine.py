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
    consent_scope: str = "any"
    """What the client's current yes covers: "any", "advice" or "depth"."""

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
            consent_advice=self.consent_left > 0 and self.consent_scope != "depth",
            consent_depth=self.consent_left > 0 and self.consent_scope != "advice",
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


class _ChoicePlan(NamedTuple):
    repairs: bool
    effects: tuple[tuple[int, int, int, int], ...]
    """(variable index, delta, low, high)"""
    to: str | None
    branches: tuple[tuple[Pred | None, str], ...]


class Plan:
    """A vignette compiled for play: effects as index arithmetic, conditions compiled, markers as
    kinds. Build one per vignette and keep it for every step (a `Session` and the scorer's
    `Story` each hold one); the module-level `begin` and `step` compile one for a single use."""

    def __init__(
        self,
        v: Vignette,
        *,
        held: frozenset[str] = frozenset(),
        rupture_turns_cap: int = RUPTURE_TURNS_CAP,
    ) -> None:
        """`held`: state variables kept at zero, their effects dropped; `rupture_turns_cap`:
        where the rupture's turn count stops. Both only for a search that has shown nothing
        reads what they leave out (`scoring.bounds.held`); play uses the defaults."""
        cb = codebook()
        index_of, ranges = _index(), _ranges()
        names = cb.condition_names()
        self.v = v
        self.choices: dict[tuple[str, int], _ChoicePlan] = {}
        self.arrivals: dict[str, tuple[str, ...]] = {}
        self.consent_scope: dict[str, str] = {}
        """What a beat's consent marker covers, for beats that have one."""
        for beat in v.beats:
            kinds = tuple(cb.markers[m].kind for m in beat.markers)
            if any(cb.markers[m].complies for m in beat.markers):
                # a yes said to keep the peace is compliance, not consent (readiness is more
                # than going along: Kathy Steele, "Help Me-Don't Help Me")
                kinds = tuple(k for k in kinds if k != "consent")
            self.arrivals[beat.id] = kinds
            scopes = [cb.markers[m].scope for m in beat.markers if cb.markers[m].kind == "consent"]
            if scopes:
                self.consent_scope[beat.id] = scopes[0] if len(set(scopes)) == 1 else "any"
            for i, c in enumerate(beat.choices):
                effects = tuple(
                    (index_of[n], d, *ranges[index_of[n]])
                    for n, d in c.effect.items()
                    if n not in held
                )
                branches = (
                    ()
                    if isinstance(c.to, str)
                    else tuple(
                        (compile_condition(b.if_, names) if b.if_ else None, b.go) for b in c.to
                    )
                )
                self.choices[(beat.id, i)] = _ChoicePlan(
                    repairs(cb, c), effects, c.to if isinstance(c.to, str) else None, branches
                )
        self.endings = frozenset(v.ending_map)
        self.consent_turns = cb.consent_turns
        self.window = (v.window.low, v.window.high)
        self.turn_limit = v.turn_limit
        self.held = held
        self.rupture_turns_cap = min(RUPTURE_TURNS_CAP, rupture_turns_cap)

    def begin(self) -> tuple[str, ClientState]:
        v = self.v
        start = v.start_values()
        values = tuple(0 if n in self.held else start[n] for n in _NAMES)
        return v.start, self.arrive(v.start, ClientState(values))

    def arrive(self, node: str, state: ClientState) -> ClientState:
        """Apply a beat's markers on arrival."""
        kinds = self.arrivals.get(node)
        if not kinds:
            return state
        rupture, turns, consent, scope = self._marked(
            node, kinds, state.rupture, state.rupture_turns, state.consent_left, state.consent_scope
        )
        return ClientState(state.values, rupture, turns, consent, state.turn, scope)

    def _marked(
        self, node: str, kinds: tuple[str, ...], rupture: str, turns: int, consent: int, scope: str
    ) -> tuple[str, int, int, str]:
        for kind in kinds:
            if kind in ("withdrawal", "confrontation"):
                if rupture != kind:
                    turns = 0  # a new rupture (or one of another kind) starts its own count
                rupture = kind
            elif kind == "consent":
                consent = self.consent_turns
                scope = self.consent_scope.get(node, "any")
            elif kind == "decline":
                consent = 0
        return rupture, turns, consent, scope

    def step(self, node: str, state: ClientState, index: int) -> StepResult:
        """Apply choice `index` (0-based) at beat `node`.

        The searches step every reachable state: the state after the choice is built once,
        markers and all, from a plain tuple (`_new`) rather than through NamedTuple's keyword
        constructor."""
        cp = self.choices[(node, index)]
        values, rupture, turns, consent, turn, scope = state
        repaired = False
        if rupture != "none":
            arousal = values[_AROUSAL]
            low, high = self.window
            if cp.repairs and low <= arousal <= high:
                rupture, turns, repaired = "none", 0, True
            else:
                turns = min(self.rupture_turns_cap, turns + 1)
        if cp.effects:
            new = list(values)
            for i, delta, lo, hi in cp.effects:
                new[i] = min(hi, max(lo, new[i] + delta))
            values = tuple(new)
        consent = consent - 1 if consent > 0 else 0
        turn += 1
        target = cp.to
        if target is None:
            env = ClientState(values, rupture, turns, consent, turn, scope).env(self.v)
            target = next(go for pred, go in cp.branches if pred is None or pred(env))
        if target in self.endings:
            after = _new(ClientState, (values, rupture, turns, consent, turn, scope))
            return _new(StepResult, (target, after, True, target, repaired))
        kinds = self.arrivals.get(target)
        if kinds:
            rupture, turns, consent, scope = self._marked(
                target, kinds, rupture, turns, consent, scope
            )
        after = _new(ClientState, (values, rupture, turns, consent, turn, scope))
        if turn >= self.turn_limit:
            return _new(StepResult, (target, after, True, TURN_LIMIT_ENDING, repaired))
        return _new(StepResult, (target, after, False, None, repaired))


_new = tuple.__new__
"""Builds a NamedTuple from a tuple of all its fields without its keyword constructor."""


def begin(v: Vignette) -> tuple[str, ClientState]:
    """The start of a session (compiles the vignette: hold a `Plan` to step many times)."""
    return Plan(v).begin()


def step(v: Vignette, node: str, state: ClientState, index: int) -> StepResult:
    """One choice, for a single use (compiles the vignette: hold a `Plan` to step many times)."""
    return Plan(v).step(node, state, index)


def repairs(cb: Codebook, choice: Choice) -> bool:
    return any(cb.moves[m].repairs for m in choice.moves)
