"""The vignette format: frozen, validated content. State lives in `simulator.play.engine`.

A vignette is a graph. Beats are what the client says; choices are what the therapist may say
back, each coded with moves from the codebook, changing the client's state and leading to a
beat, an ending, or the first branch whose condition holds.
"""

import re
import sys
import unicodedata
from collections.abc import Mapping
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from simulator.content.codebook import Codebook, codebook
from simulator.content.expr import ExprError, NameSpec, compile_condition
from simulator.errors import did_you_mean

FORMAT_VERSION: Literal[1] = 1
_CB: Codebook = codebook()


# Empty defaults come from these rather than from `list` and `dict`: pydantic inspects a
# factory's signature, and for a builtin that means tokenising its text signature, whose first
# use compiles a large regular expression, which every headless command would pay at start-up
# (docs/benchmarks.md).
def _no_items() -> list[Any]:
    return []


def _no_entries() -> dict[str, Any]:
    return {}


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, defer_build=True)


def _known(kind: str, table: dict[str, Any], what: str) -> Any:
    def check(value: str) -> str:
        if value not in table:
            raise PydanticCustomError(
                f"unknown_{kind}",
                "unknown {what} '{value}'",
                {"what": what, "value": value, "hint": did_you_mean(value, table, what + "s")},
            )
        return sys.intern(value)  # one object per code, as for ids (see _check_id)

    return AfterValidator(check)


def _enum_schema(table: dict[str, Any], description: str) -> Any:
    # json_schema_extra is read only when a schema is generated, so `lint` never pays for it.
    extra: dict[str, Any] = {"enum": sorted(table), "description": description}
    return Field(json_schema_extra=extra)


MoveCode = Annotated[
    str,
    _known("move", _CB.moves, "move code"),
    _enum_schema(
        _CB.moves, "A therapist move from the codebook (simulator/content/codebook.yaml)."
    ),
]
MarkerCode = Annotated[
    str,
    _known("marker", _CB.markers, "client marker"),
    _enum_schema(
        _CB.markers, "A client marker from the codebook (3RS rupture markers and others)."
    ),
]
StateName = Annotated[
    str,
    _known("state", _CB.state, "state variable"),
    _enum_schema(_CB.state, "A client state variable from the codebook."),
]
EndingKindCode = Annotated[
    str,
    _known("ending_kind", _CB.endings, "ending kind"),
    _enum_schema(_CB.endings, "Ending kind."),
]
PrincipleCode = Annotated[
    str,
    _known("principle", _CB.principles, "principle"),
    _enum_schema(_CB.principles, "A principle this vignette trains (codebook `principles`)."),
]
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")


def _check_id(value: str) -> str:
    if not _ID.match(value):
        raise PydanticCustomError(
            "bad_id",
            "'{value}' is not a valid id",
            {
                "value": value,
                "hint": "ids use letters, digits, '-', '_' and '.', start with a letter or digit, "
                "and have at most 80 characters",
            },
        )
    # Interned: the same id written as a beat's name and as a choice's target becomes one object,
    # so every lookup by id (engine, analysis, scoring) is an identity match.
    return sys.intern(value)


Id = Annotated[
    str,
    AfterValidator(_check_id),
    Field(json_schema_extra={"pattern": _ID.pattern}),
]
MAX_TEXT = 4000
"""The longest text a vignette field may hold (characters)."""
MAX_CHOICES = 50
"""The most choices one beat may offer."""


def _printable(value: str) -> str:
    """Refuse control characters (escape sequences would reach the trainee's terminal)."""
    for i, ch in enumerate(value):
        if ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cf") and ch != "\u200d":
            raise PydanticCustomError(
                "control_character",
                "contains the control character U+{code} at character {at}",
                {
                    "code": f"{ord(ch):04X}",
                    "at": i + 1,
                    "hint": "remove it: vignette text is shown as it is, in the terminal too",
                },
            )
    return value


Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT), AfterValidator(_printable)]
Prose = Annotated[str, Field(max_length=MAX_TEXT), AfterValidator(_printable)]
"""Optional longer text (nonverbal, inner, check-in, debrief): capped and printable."""


def check_condition(source: str, names: Mapping[str, NameSpec]) -> str:
    """Compile `source` against `names`, turning a problem into a located pydantic error."""
    try:
        compile_condition(source, names)
    except ExprError as exc:
        where = f" (at character {exc.column})" if exc.column else ""
        raise PydanticCustomError(
            "bad_condition",
            "{message}{where}: {source}",
            {"message": exc.message, "where": where, "source": source, "hint": exc.hint or ""},
        ) from None
    return source


def _check_condition(source: str) -> str:
    return check_condition(source, _CB.condition_names())


Condition = Annotated[
    str,
    AfterValidator(_check_condition),
    Field(
        json_schema_extra={
            "description": 'A test on the client state, e.g. "alliance >= 5 and not out_of_window".'
        }
    ),
]

_WIDTH = {name: var.range[1] - var.range[0] for name, var in _CB.state.items()}
Delta = Annotated[int, Field(ge=-max(_WIDTH.values()), le=max(_WIDTH.values()))]

StartState = create_model(
    "StartState",
    __base__=Frozen,
    **{  # type: ignore[call-overload]
        name: (
            int,
            Field(ge=var.range[0], le=var.range[1], description=var.meaning),
        )
        for name, var in _CB.state.items()
    },
)
StartState.__doc__ = (
    "The client's state when the session begins (every variable, within its range)."
)


class Client(Frozen):
    name: Text = Field(description="The client's (fictional) name.")
    age: int | None = Field(default=None, ge=3, le=110)
    pronouns: str | None = None
    background: Text = Field(description="A short background, shown at the briefing.")


class Window(Frozen):
    """The client's window of tolerance on the arousal scale (inclusive)."""

    low: int = Field(ge=_CB.state["arousal"].range[0], le=_CB.state["arousal"].range[1])
    high: int = Field(ge=_CB.state["arousal"].range[0], le=_CB.state["arousal"].range[1])

    @model_validator(mode="after")
    def _ordered(self) -> "Window":
        if self.low >= self.high:
            raise PydanticCustomError(
                "window_order",
                "the window's low ({low}) must be below its high ({high})",
                {"low": self.low, "high": self.high, "hint": "e.g. low: 3, high: 7"},
            )
        return self


class Branch(Frozen):
    """One branch of a conditional route. The last branch has no `if`: it is the fallback."""

    if_: Condition | None = Field(
        default=None,
        alias="if",
        description="The test on the client state after the choice's effect; omit it on the fallback.",
    )
    go: Id = Field(description="The beat or ending to go to.")


def _route_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return "target"
    if isinstance(value, list):
        return "branches"
    return None


Route = Annotated[
    Annotated[Id, Tag("target")] | Annotated[list[Branch], Tag("branches")],
    Discriminator(
        _route_kind,
        custom_error_type="bad_route",
        custom_error_message="must be a beat or ending id, or a list of branches (if / go)",
        custom_error_context={
            "hint": "e.g. `to: next-beat`, or `to: [{if: alliance < 3, go: dropout}, {go: next}]`"
        },
    ),
]


class Choice(Frozen):
    """Something the therapist may say at a beat."""

    id: Id | None = Field(
        default=None,
        description="Optional stable id; transcripts otherwise use the choice's number.",
    )
    say: Text = Field(description="The therapist's words.")
    moves: list[MoveCode] = Field(
        default_factory=_no_items, description="One or more move codes from the codebook."
    )
    effect: dict[StateName, Delta] = Field(
        default_factory=_no_entries,
        description="How the client's state changes, e.g. {arousal: -1, alliance: 2}.",
    )
    to: Route = Field(
        description="A beat or ending id, or a list of branches (`if` / `go`) ending with a fallback."
    )
    note: Prose | None = Field(
        default=None, description="An author's note on this choice, shown in the debrief."
    )

    @field_validator("to")
    @classmethod
    def _fallback_last(cls, to: str | list[Branch]) -> str | list[Branch]:
        if isinstance(to, list):
            if not to:
                raise PydanticCustomError(
                    "no_branches",
                    "the list of branches is empty",
                    {"hint": "give at least a fallback"},
                )
            if to[-1].if_ is not None:
                raise PydanticCustomError(
                    "no_fallback",
                    "the last branch has an `if`; the last branch must be the fallback",
                    {"hint": "add a final `- go: <beat>` without `if`"},
                )
            if any(b.if_ is None for b in to[:-1]):
                raise PydanticCustomError(
                    "early_fallback",
                    "only the last branch may omit `if`",
                    {"hint": "give each earlier branch an `if`, or move the fallback to the end"},
                )
        return to

    def targets(self) -> list[str]:
        return [self.to] if isinstance(self.to, str) else [b.go for b in self.to]


class Beat(Frozen):
    """A moment in the session: the client speaks, and the therapist chooses a response."""

    id: Id
    client: Text = Field(description="What the client says.")
    nonverbal: Prose | None = Field(
        default=None, description="What the therapist can see or hear: posture, voice, silence."
    )
    inner: Prose | None = Field(
        default=None, description="The client's inner experience; shown only in the debrief."
    )
    markers: list[MarkerCode] = Field(
        default_factory=_no_items,
        description="Client markers from the codebook (rupture markers open a rupture).",
    )
    checkin: Prose | None = Field(
        default=None,
        description="A self-awareness prompt for the trainee, e.g. 'What do you notice in your body?'",
    )
    depicts: Literal["hyper", "hypo"] | None = Field(
        default=None,
        description="The state the beat's words show: hyper (flooded, panicking) or hypo (numb, "
        "shut down). Lint checks that the client is outside their window that way in most of "
        "the states the beat is reached in (window of tolerance, Siegel; Ogden).",
    )
    choices: list[Choice] = Field(default_factory=_no_items, max_length=MAX_CHOICES)


class Ending(Frozen):
    """Where the session ends."""

    id: Id
    kind: EndingKindCode
    title: Text
    client: Prose | None = Field(default=None, description="The client's last words, if any.")
    inner: Prose | None = Field(
        default=None, description="The client's inner experience at the end; shown in the debrief."
    )
    debrief: Prose | None = Field(
        default=None, description="What this ending means, for the debrief."
    )


class Twine(Frozen):
    """Where the vignette stands in Twine's map, kept when it is converted to and from Twee
    (`attune convert`); nothing else reads it."""

    ifid: str = Field(
        pattern=r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$",
        description="The story's IFID (a UUID), which identifies it in Twine.",
    )
    positions: dict[str, str] = Field(
        default_factory=_no_entries,
        description='Passage positions on Twine\'s map, by beat or ending id: "x,y".',
    )


class Vignette(Frozen):
    """A branching case vignette."""

    format: Literal[1] = Field(
        default=FORMAT_VERSION, description="The version of this file format."
    )
    id: Id
    title: Text
    client: Client
    setting: Text = Field(description="Where and when: service, session number, context.")
    attachment: Literal["secure", "deactivating", "hyperactivating", "disorganised"]
    difficulty: Literal["introductory", "intermediate", "advanced"] = "intermediate"
    minutes: int = Field(ge=1, le=240, description="Estimated minutes to play.")
    objectives: list[Text] = Field(
        min_length=1, description="Learning objectives, in the trainee's terms."
    )
    principles: list[PrincipleCode] = Field(
        default_factory=_no_items,
        description="The principles this vignette trains (codebook `principles`, each with its source).",
    )
    content_notes: list[Text] = Field(
        default_factory=_no_items,
        description="Content notes shown before play, e.g. 'references to self-harm'.",
    )
    window: Window
    state: StartState = Field(description="The client's state at the start.")
    turn_limit: int = Field(
        default=60,
        ge=1,
        le=1_000_000,
        description="The most choices a session may take; bounds scoring where the graph has cycles.",
    )
    start: Id = Field(description="The id of the first beat.")
    beats: list[Beat] = Field(min_length=1)
    endings: list[Ending] = Field(min_length=1)
    twine: Twine | None = Field(
        default=None,
        description="Twine's story id and map positions (written by `attune convert`).",
    )

    @cached_property
    def beat_map(self) -> dict[str, Beat]:
        return {b.id: b for b in self.beats}

    @cached_property
    def ending_map(self) -> dict[str, Ending]:
        return {e.id: e for e in self.endings}

    def start_values(self) -> dict[str, int]:
        return dict(self.state.model_dump())
