"""The codebook as validated data: move codes, client markers, state variables, ending kinds."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from simulator.content.expr import NameSpec

Valence = Literal["A", "N", "P", "W"]
VALENCE_NAMES: dict[str, str] = {
    "A": "attuned",
    "N": "neutral",
    "P": "pushing",
    "W": "therapist withdrawal",
}
# When a choice carries several moves, the most consequential valence stands for the choice.
_VALENCE_ORDER: dict[str, int] = {"P": 3, "W": 2, "A": 1, "N": 0}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class StateVar(_Frozen):
    range: tuple[int, int]
    # Lowest and highest value; the engine clamps to it.
    source: str
    meaning: str


class DerivedVar(_Frozen):
    kind: Literal["int", "bool", "str"]
    values: tuple[str, ...] = ()
    meaning: str


class Move(_Frozen):
    name: str
    source: str
    # The instrument or model the code comes from.
    valence: Valence
    # Default valence; the rubric may change it with the client's state.
    meaning: str
    family: Literal["reflection", "question", "advice", "deepen"] | None = None
    repairs: bool = False
    # A repair move: resolves an open rupture when the client is inside their window.
    depends: str | None = None


class Marker(_Frozen):
    kind: Literal["withdrawal", "confrontation", "pull", "consent", "decline", "question", "risk"]
    source: str
    meaning: str
    pulls_advice: bool = False
    scope: Literal["any", "advice", "depth"] = "any"
    # For a consent marker: what the yes was given for (advice, or going deeper); "any" covers both.
    complies: bool = False
    # A "yes" said to keep the peace: a consent marker beside it gives no consent (readiness is
    # more than going along).


class EndingKind(_Frozen):
    outcome: Literal["good", "mixed", "poor"]
    meaning: str


class Principle(_Frozen):
    source: str
    meaning: str


class Codebook(_Frozen):
    version: str
    state: dict[str, StateVar]
    derived: dict[str, DerivedVar]
    consent_turns: int = Field(ge=1, le=20)
    moves: dict[str, Move]
    markers: dict[str, Marker]
    endings: dict[str, EndingKind]
    principles: dict[str, Principle]

    @model_validator(mode="after")
    def _no_clash(self) -> Codebook:
        clash = (set(self.state) | set(self.derived)) & set(self.moves)
        if clash:
            raise ValueError(f"names used both as state and as moves: {sorted(clash)}")
        return self

    def combined_valence(self, moves: list[str] | tuple[str, ...]) -> Valence:
        """The valence of a choice from its moves' default valences (pushing dominates)."""
        best: Valence = "N"
        for code in moves:
            v = self.moves[code].valence
            if _VALENCE_ORDER[v] > _VALENCE_ORDER[best]:
                best = v
        return best

    def condition_names(self) -> dict[str, NameSpec]:
        """Names a vignette's routing conditions may use."""
        names = {name: NameSpec("int", (), var.range) for name, var in self.state.items()}
        for name, var in self.derived.items():
            names[name] = NameSpec(var.kind, var.values)
        return names


SOURCES = tuple(
    Path(__file__).parent / name for name in ("codebook.py", "expr.py", "yamlsource.py")
)
"""The modules a codebook is built with: a change to any of them rebuilds the cached one."""


@cache
def codebook() -> Codebook:
    """The shipped codebook (validated once per process)."""
    from simulator.content.datacache import cached

    here = Path(__file__)
    return cached("codebook", (here.parent / "codebook.yaml").read_bytes(), _build, SOURCES)


def _build(raw: bytes) -> Codebook:
    from simulator.content.yamlsource import parse_yaml

    data, _ = parse_yaml(raw, "simulator/content/codebook.yaml")
    return Codebook.model_validate(data)
