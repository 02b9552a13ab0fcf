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

from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from scoring.codebook import Codebook, codebook
from simulator.expr import Pred, compile_condition
from simulator.model import Choice, Vignette

TURN_LIMIT_ENDING = "turn-limit"


@cache
def _names() -> tuple[str, ...]:
    return tuple(codebook().state)


@cache
def _ranges() -> tuple[tuple[int, int], ...]:
    cb = codebook()
    return tuple(cb.state[n].range for n in _names())


@dataclass(frozen=True, slots=True)
class ClientState:
    """Everything about the client that changes. Hashable, so searches can memoise on it."""

    values: tuple[int, ...]
    """The codebook's state variables, in codebook order."""
    rupture: str = "none"
    rupture_turns: int = 0
    consent_left: int = 0
    turn: int = 0

    def __getitem__(self, name: str) -> int:
        return self.values[_names().index(name)]

    def as_dict(self) -> dict[str, int]:
        return dict(zip(_names(), self.values, strict=True))

    def env(self, v: Vignette) -> dict[str, Any]:
        """The names conditions and rubric rules read."""
        env: dict[str, Any] = dict(zip(_names(), self.values, strict=True))
        arousal = env["arousal"]
        env["hyper"] = arousal > v.window.high
        env["hypo"] = arousal < v.window.low
        env["out_of_window"] = env["hyper"] or env["hypo"]
        env["rupture"] = self.rupture
        env["rupture_turns"] = self.rupture_turns
        env["consent"] = self.consent_left > 0
        env["turn"] = self.turn
        env["attachment"] = v.attachment
        return env

    def out_of_window(self, v: Vignette) -> bool:
        arousal = self["arousal"]
        return not (v.window.low <= arousal <= v.window.high)


@dataclass(frozen=True, slots=True)
class StepResult:
    node: str
    """The beat or ending reached."""
    state: ClientState
    ended: bool
    ending: str | None
    """The ending id, or TURN_LIMIT_ENDING."""
    repaired: bool
    """An open rupture was resolved by this choice."""


def begin(v: Vignette) -> tuple[str, ClientState]:
    values = tuple(v.start_values()[n] for n in _names())
    return v.start, arrive(v, v.start, ClientState(values))


def arrive(v: Vignette, node: str, state: ClientState) -> ClientState:
    """Apply a beat's markers on arrival."""
    beat = v.beat_map.get(node)
    if beat is None or not beat.markers:
        return state
    cb = codebook()
    rupture, turns, consent = state.rupture, state.rupture_turns, state.consent_left
    for code in beat.markers:
        kind = cb.markers[code].kind
        if kind in ("withdrawal", "confrontation"):
            if rupture == "none":
                turns = 0
            rupture = kind
        elif kind == "consent":
            consent = cb.consent_turns
        elif kind == "decline":
            consent = 0
    return replace(state, rupture=rupture, rupture_turns=turns, consent_left=consent)


def repairs(cb: Codebook, choice: Choice) -> bool:
    return any(cb.moves[m].repairs for m in choice.moves)


def step(v: Vignette, node: str, state: ClientState, index: int) -> StepResult:
    """Apply choice `index` (0-based) at beat `node`."""
    cb = codebook()
    choice = v.beat_map[node].choices[index]
    rupture, turns = state.rupture, state.rupture_turns
    repaired = False
    if rupture != "none":
        if repairs(cb, choice) and not state.out_of_window(v):
            rupture, turns, repaired = "none", 0, True
        else:
            turns += 1
    values = state.values
    if choice.effect:
        names = _names()
        new = list(values)
        for name, delta in choice.effect.items():
            i = names.index(name)
            lo, hi = _ranges()[i]
            new[i] = min(hi, max(lo, new[i] + delta))
        values = tuple(new)
    after = ClientState(values, rupture, turns, max(0, state.consent_left - 1), state.turn + 1)
    target = route(v, choice, after)
    if target in v.ending_map:
        return StepResult(target, after, True, target, repaired)
    after = arrive(v, target, after)
    if after.turn >= v.turn_limit:
        return StepResult(target, after, True, TURN_LIMIT_ENDING, repaired)
    return StepResult(target, after, False, None, repaired)


def route(v: Vignette, choice: Choice, state: ClientState) -> str:
    if isinstance(choice.to, str):
        return choice.to
    env = state.env(v)
    for branch in choice.to:
        if branch.if_ is None or _predicate(branch.if_)(env):
            return branch.go
    raise AssertionError("validated routes end with a fallback")  # pragma: no cover


def _predicate(source: str) -> Pred:
    return compile_condition(source, codebook().condition_names())
