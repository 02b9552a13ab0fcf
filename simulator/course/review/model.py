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

REFLECTION_SCALE = (
    (
        "absent",
        "No check-in note or rationale says anything of the trainee's own reactions.",
    ),
    (
        "names a reaction",
        "The notes name the trainee's own feeling, urge or body sensation (start with yourself: "
        '"How to Work With Client Resistance").',
    ),
    (
        "uses the reaction",
        "The notes use that reaction as information about the client and the pattern between "
        'them (countertransference as information: Kathy Steele, "Help Me—Don\'t Help Me").',
    ),
)
"""The assessor's rating of reflective practice: level 0, 1 or 2, with its descriptor. The
scale is attunement's own (provisional), written after the two sources it names."""


@dataclass(frozen=True)
class Judgement:
    """What the assessors made of one session. It travels with every export, the cohort report
    and the trainee's own history."""

    machine_overall: int
    overall: int
    """With the assessors' overrides (the machine's score when there are none)."""
    overrides: list[Override]
    comments: list[dict[str, Any]]
    signoff: dict[str, Any] | None
    """The latest sign-off (assessor, verdict, summary, at), or None: pending."""
    reflection: dict[str, Any] | None
    """The latest reflection rating (assessor, level, note, at), or None."""

    @property
    def status(self) -> str:
        if self.signoff is None:
            return "pending"
        return "competent" if self.signoff["verdict"] == "competent" else "not yet"

    @property
    def reflection_label(self) -> str:
        if self.reflection is None:
            return "not rated"
        level = int(self.reflection["level"])
        return f"{level}/2 {REFLECTION_SCALE[level][0]}"

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "machine_overall": self.machine_overall,
            "overall_with_overrides": self.overall,
            "overrides": [
                {
                    "turn": o.turn,
                    "field": o.field,
                    "original": o.original,
                    "value": o.value,
                    "reason": o.reason,
                    "author": o.author,
                    "at": o.at,
                }
                for o in self.overrides
            ],
            "comments": [
                {k: c[k] for k in ("turn", "author", "text", "at") if k in c} for c in self.comments
            ],
            "signoff": None
            if self.signoff is None
            else {k: self.signoff[k] for k in ("assessor", "verdict", "summary", "at")},
            "reflection": None
            if self.reflection is None
            else {
                **{k: self.reflection[k] for k in ("assessor", "level", "note", "at")},
                "label": self.reflection_label,
                "scale": "provisional",
            },
        }


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
    ratings: list[dict[str, Any]] = field(default_factory=list)
    """Reflection ratings (`REFLECTION_SCALE`), oldest first."""
    agreement: Agreement | None = None
    integrity: str = ""
    """The hash-chain verification of the stored transcript, in words."""

    def judgement(self) -> Judgement:
        return Judgement(
            self.original.overall,
            self.effective_overall if self.overrides else self.original.overall,
            list(self.overrides),
            list(self.comments),
            self.signoffs[-1] if self.signoffs else None,
            self.ratings[-1] if self.ratings else None,
        )

    def turn_events(self) -> dict[int, ChoiceEvent]:
        return {e.turn: e for e in self.transcript.route()}

    def rewound(self) -> list[ChoiceEvent]:
        return self.transcript.rewound()
