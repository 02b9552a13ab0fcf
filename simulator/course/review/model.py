"""What review works with: a listed transcript, an override, and everything the review screen
shows for one transcript."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scoring.results import ScoreReport
from simulator.content.model import Vignette
from simulator.play.transcript import ChoiceEvent, Transcript

if TYPE_CHECKING:
    from simulator.course.review.agreement import Agreement


STATUSES = ("in progress", "to review", "competent", "not yet")


@dataclass(frozen=True)
class Listed:
    session_id: str
    vignette_id: str
    trainee: str | None
    cohort: str | None
    mode: str
    started_at: str
    ended_at: str | None
    overall: int | None
    band: str | None
    status: str


@dataclass
class Override:
    id: int
    turn: int
    field: str
    original: Any
    value: Any
    reason: str
    author: str
    at: str


@dataclass
class Review:
    """Everything the review screen shows for one transcript."""

    transcript: Transcript
    vignette: Vignette
    original: ScoreReport
    effective: ScoreReport
    effective_overall: int
    comments: list[dict[str, Any]] = field(default_factory=list)
    overrides: list[Override] = field(default_factory=list)
    signoffs: list[dict[str, Any]] = field(default_factory=list)
    agreement: Agreement | None = None
    integrity: str = ""
    """The hash-chain verification of the stored transcript, in words."""

    def turn_events(self) -> dict[int, ChoiceEvent]:
        return {e.turn: e for e in self.transcript.route()}

    def rewound(self) -> list[ChoiceEvent]:
        return self.transcript.rewound()
