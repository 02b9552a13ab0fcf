"""The rubric as validated, versioned data (scoring/rubric.yaml)."""

from __future__ import annotations

from functools import cache, cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from simulator.content.codebook import codebook
from simulator.content.expr import NameSpec, Pred, compile_condition
from simulator.errors import AttuneError

Dimension = Literal["attunement", "pacing", "repair", "autonomy", "pushing"]
DEFAULT_RUBRIC = Path(__file__).parent / "rubric.yaml"


BEAT_FLAGS = ("direct_question", "risk", "advice_asked", "advice_rejected", "declined")
"""What the client's statement at the beat says, for rules: a direct question to the therapist,
a disclosed risk, advice asked for (and not a "yes, but"), a strategy just rejected, a "no"."""


def rubric_names() -> dict[str, NameSpec]:
    """Every name a rubric condition may read (see the header of rubric.yaml)."""
    cb = codebook()
    names = dict(cb.condition_names())
    for code in cb.moves:
        names[code] = NameSpec("bool")
    for flag in (
        "attuned",
        "neutral",
        "pushing",
        "withdrawing",
        "repair",
        "advice",
        "depth",
        "rupture_open",
        "advice_pulled",
        "invites_rupture",
        *BEAT_FLAGS,
    ):
        names[flag] = NameSpec("bool")
    names["accommodated_before"] = NameSpec("int")
    names["repair_within"] = NameSpec("int")
    return names


def _check(source: str) -> str:
    from simulator.content.model import check_condition

    return check_condition(source, rubric_names())


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class _Rule(_Frozen):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    when: str
    dimension: Dimension
    source: str = Field(min_length=3, description="The instrument the rule rests on.")
    explain: str = Field(min_length=3, description="One line for the explanation.")
    feedback: str = Field(
        default="",
        description="For the trainee: what the client may have felt, what else was possible.",
    )

    _check_when = field_validator("when")(classmethod(lambda cls, v: _check(v)))

    @cached_property
    def predicate(self) -> Pred:
        return compile_condition(self.when, rubric_names())


class Reclassify(_Rule):
    valence: Literal["A", "N", "P", "W"]


class PointRule(_Rule):
    points: int = Field(ge=-20, le=20)

    @cached_property
    def line(self) -> Any:
        """This rule's explanation line (immutable, shared by every choice it fires on)."""
        from scoring.results import Line

        return Line(self.id, self.points, self.dimension, self.source, self.explain, self.feedback)


class Level(_Frozen):
    name: str
    min: float | None = None
    max: float | None = None


class BandSet(_Frozen):
    provisional: bool
    source: str
    levels: list[Level] = Field(min_length=1)
    lower_is_better: bool = False

    def band(self, value: float) -> str:
        for level in self.levels:
            if self.lower_is_better and level.max is not None and value <= level.max:
                return level.name
            if not self.lower_is_better and level.min is not None and value >= level.min:
                return level.name
        return self.levels[-1].name

    def label(self, value: float) -> str:
        return self.band(value) + (" (provisional)" if self.provisional else "")


METRICS = (
    "reflection_to_question",
    "percent_complex_reflections",
    "percent_attuned",
    "repair_rate",
    "pushes_out_of_window",
    "consent_rate",
    "alliance_at_end",
)


class Bands(_Frozen):
    overall: BandSet
    metrics: dict[str, BandSet]

    @field_validator("metrics")
    @classmethod
    def _all_metrics(cls, value: dict[str, BandSet]) -> dict[str, BandSet]:
        missing = [m for m in METRICS if m not in value]
        unknown = [m for m in value if m not in METRICS]
        if missing or unknown:
            raise PydanticCustomError(
                "metrics",
                "bands must cover exactly the metrics {expected}; missing {missing}, unknown {unknown}",
                {
                    "expected": ", ".join(METRICS),
                    "missing": missing,
                    "unknown": unknown,
                    "hint": "fix the names",
                },
            )
        return value


class Rubric(_Frozen):
    version: str = Field(min_length=1)
    weights: dict[Literal["A", "N", "P", "W"], int]
    per_turn_span: int = Field(ge=1, le=50)
    repair_within: int = Field(ge=1, le=20)
    unrepaired_points: int = Field(ge=-20, le=0)
    unrepaired_source: str
    unrepaired_feedback: str
    base_sources: dict[Literal["A", "N", "P", "W"], str]
    choice_penalty_cap: int = Field(
        default=-20,
        ge=-20,
        le=0,
        description="The most one choice can cost, all its lines together.",
    )
    choice_penalty_cap_source: str = ""
    overall_curve: Literal["clamped", "tanh"] = Field(
        default="clamped",
        description="How net points per choice become the overall: a straight line held between "
        "0 and 100 ('clamped'), or a smooth S-curve that reaches neither end ('tanh'), so that "
        "routes do not pile up at exactly 0 or 100.",
    )
    stalled_reaches_top: bool = Field(
        default=True,
        description="Whether a session that ran out of time may score in the top overall band.",
    )
    miti_min_count: int = Field(
        default=0,
        ge=0,
        le=50,
        description="Reflections plus questions a route needs before its MITI R:Q and %CR are "
        "banded; below it the report says 'too few to band'.",
    )
    ending_points: dict[str, int] = Field(default_factory=dict)
    """Points for how the session ended, by ending kind (the turn limit counts as stalled)."""
    ending_source: str = ""
    ending_feedback: dict[str, str] = Field(default_factory=dict)
    reclassify: list[Reclassify]
    rules: list[PointRule]
    dimensions: dict[Dimension, str]
    bands: Bands

    @model_validator(mode="after")
    def _complete(self) -> Rubric:
        for key in ("A", "N", "P", "W"):
            if key not in self.weights or key not in self.base_sources:
                raise PydanticCustomError(
                    "weights",
                    "weights and base_sources need A, N, P and W",
                    {"hint": "add the missing valence"},
                )
        from simulator.content.codebook import codebook

        unknown = sorted(set(self.ending_points) - set(codebook().endings))
        if unknown:
            raise PydanticCustomError(
                "ending_kind",
                "unknown ending kinds in ending_points: {unknown}",
                {
                    "unknown": ", ".join(unknown),
                    "hint": "use the kinds in simulator/content/codebook.yaml",
                },
            )
        ids = [r.id for r in [*self.reclassify, *self.rules]]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise PydanticCustomError(
                "dupe_rule",
                "rule ids must be unique: {dupes}",
                {"dupes": ", ".join(dupes), "hint": "rename one"},
            )
        return self

    def overall_band(self, overall: float) -> str:
        return self.bands.overall.band(overall)

    @property
    def stalled_ceiling(self) -> int:
        """The highest overall a stalled session may have (100 unless the rubric keeps stalled
        sessions out of the top band)."""
        if self.stalled_reaches_top:
            return 100
        top = self.bands.overall.levels[0].min
        return 100 if top is None else int(top) - 1


def load_rubric(path: Path | str | None = None) -> Rubric:
    """Load and validate a rubric file; raises `AttuneError` naming line and field."""
    from simulator.content.loader import problems_from_validation
    from simulator.content.yamlsource import read_yaml

    target = Path(path) if path else DEFAULT_RUBRIC
    label = str(path) if path else "scoring/rubric.yaml"
    data, marks = read_yaml(target, label=label)
    if not isinstance(data, dict):
        raise AttuneError.single(
            label, "a rubric is a mapping (version:, weights:, rules:, ...)", line=1
        )
    try:
        return Rubric.model_validate(data)
    except ValidationError as exc:
        raise AttuneError(problems_from_validation(exc, marks, label, Rubric)) from None


@cache
def default_rubric() -> Rubric:
    """The shipped rubric (cached between runs: see simulator.content.datacache)."""
    from simulator.content import codebook as cb_module
    from simulator.content.datacache import cached

    content = Path(cb_module.__file__).parent
    inputs = (
        Path(__file__),
        content / "codebook.yaml",  # the rubric is validated against the codebook's names
        *cb_module.SOURCES,
        content / "model.py",
        content / "loader.py",
    )
    return cached("rubric", DEFAULT_RUBRIC.read_bytes(), lambda _: load_rubric(), inputs)
