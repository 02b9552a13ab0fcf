"""What scoring returns: the explained lines, each turn, each rupture, the MITI summary metrics and
the whole report, with their JSON. Plain data, no scoring logic."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple

from simulator.content.model import Vignette
from simulator.play.engine import ClientState


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """`1 reflection`, `2 reflections`: a count with its noun in the right number."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


class Line(NamedTuple):
    """One explained contribution to the score."""

    rule: str
    points: int
    dimension: str
    source: str
    """The instrument the rule rests on."""
    text: str
    feedback: str = ""


PENALTY_CAP = "penalty-cap"
"""The line that holds one choice's cost at the rubric's cap (`scoring/scorer.py`)."""


def telling_lines(lines: list[Line]) -> list[Line]:
    """The lines that explain a choice: each context rule that moved the score, the largest
    first (ties in rubric order), or the base line when none did; then the rules that explain
    without moving it (why a repair got no credit, why advice counted as permitted); the
    penalty cap last, since it explains the total, not the choice."""
    moved = [ln for ln in lines[1:] if ln.points and ln.rule != PENALTY_CAP]
    notes = [ln for ln in lines[1:] if not ln.points]
    cap = [ln for ln in lines[1:] if ln.rule == PENALTY_CAP]
    return (sorted(moved, key=lambda ln: -abs(ln.points)) or lines[:1]) + notes + cap


def most_telling(lines: list[Line]) -> Line:
    """The line that best explains a choice."""
    return telling_lines(lines)[0]


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
    shown: int | None = None
    """The number the trainee saw beside the choice, when the options were shuffled."""

    @property
    def seen(self) -> int:
        """The choice's number as the trainee saw it (its authored number if not shuffled)."""
        return self.shown or self.choice

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
    order: Mapping[str, Sequence[int]] = MappingProxyType({})
    """For a shuffled session, each beat's choices (0-based authored indices) as shown."""

    def shown(self, beat: str, index: int) -> int:
        """The number the trainee saw beside choice `index` (0-based, authored) at `beat`."""
        seen = self.order.get(beat)
        return list(seen).index(index) + 1 if seen else index + 1

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
                    "shown": t.seen,
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
