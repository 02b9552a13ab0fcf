"""Transcripts: the versioned JSON record of a session, as written by play and autoplay.

Events are appended as they happen. A rewind (practice mode) keeps the abandoned choices in the
record; `route()` gives the choices that stand, which is what scoring counts.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_validator,
    model_serializer,
)
from pydantic_core import PydanticCustomError

from simulator.errors import AttuneError, Problem

FORMAT = "attunement.transcript"
VERSION = 1
MAX_BYTES = 20 * 1024 * 1024


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


HASH_DOC = (
    "sha256 of the previous link (or the header hash) and this event (simulator/play/chain.py)."
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class _Later(_Frozen):
    """A record whose fields added after format 1 first appeared are left out while unset, so a
    transcript written before them keeps its exact bytes and its hash chain."""

    _LATER: frozenset[str] = frozenset()

    @model_serializer(mode="wrap")
    def _omit_unset_later(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        for name in self._LATER:
            if out.get(name, 0) is None:
                del out[name]
        return out


def display_order(session_id: str, beat: str, count: int) -> list[int]:
    """The order a shuffled session shows a beat's choices in: 0-based authored indices, seeded by
    the session id and the beat (the same every time the beat comes round in that session).
    `random.Random` seeds from a string through SHA-512, so the order is the same on every
    machine and Python version that keeps seed version 2."""
    order = list(range(count))
    random.Random(f"attunement.order.v1:{session_id}:{beat}").shuffle(order)
    return order


class ChoiceEvent(_Later):
    _LATER = frozenset({"order", "own_words"})

    kind: Literal["choice"] = "choice"
    seq: int = Field(ge=0)
    at: str = Field(description="When the choice was made (ISO 8601, UTC).")
    turn: int = Field(
        ge=1, description="The choice's position on the route at the time it was made."
    )
    beat: str
    choice: int = Field(ge=1, description="The choice's number at that beat, from 1.")
    say: str = Field(description="The words chosen, for reading the record without the vignette.")
    elapsed_ms: int | None = Field(default=None, ge=0, description="How long the trainee took.")
    rationale: str | None = None
    checkin: str | None = Field(
        default=None, description="The trainee's answer to the beat's self-awareness check-in."
    )
    order: list[int] | None = Field(
        default=None,
        description="The choice numbers (authored, from 1) in the order the trainee saw them, "
        "when the session shuffled them; the number the trainee pressed is the position of "
        "`choice` in this list.",
    )
    own_words: str | None = Field(
        default=None,
        description="What the trainee typed, in their own words, before the options appeared "
        "(own-words mode). Kept beside the choice; the score comes only from the choice.",
    )
    hash: str | None = Field(default=None, description=HASH_DOC)

    @property
    def shown(self) -> int:
        """The number the trainee saw beside the choice they made."""
        return self.order.index(self.choice) + 1 if self.order else self.choice


class RewindEvent(_Frozen):
    kind: Literal["rewind"] = "rewind"
    seq: int = Field(ge=0)
    at: str
    to_turn: int = Field(ge=0, description="How many choices stand after the rewind.")
    hash: str | None = Field(default=None, description=HASH_DOC)


class EndEvent(_Frozen):
    kind: Literal["end"] = "end"
    seq: int = Field(ge=0)
    at: str
    ending: str
    hash: str | None = Field(default=None, description=HASH_DOC)


Event = Annotated[ChoiceEvent | RewindEvent | EndEvent, Field(discriminator="kind")]


class Transcript(_Later):
    _LATER = frozenset({"order", "own_words"})

    format: Literal["attunement.transcript"] = "attunement.transcript"
    version: Literal[1] = 1
    session_id: str = Field(
        pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
        description="A UUID: it names files and database rows, so nothing else is accepted.",
    )
    vignette_id: str
    vignette_sha256: str | None = None
    vignette_path: str | None = Field(
        default=None, description="Where the vignette was loaded from, if not shipped."
    )
    rubric_version: str
    mode: Literal["practice", "assessment"] = "practice"
    trainee: str | None = None
    source: Literal["play", "autoplay"] = "play"
    strategy: str | None = None
    assignment_id: int | None = Field(
        default=None, description="The course assignment this session is an attempt at, if any."
    )
    cohort_id: int | None = Field(default=None, description="The assignment's cohort, if any.")
    started_at: str
    order: Literal["shuffled", "authored"] | None = Field(
        default=None,
        description="How the choices were shown: shuffled per session (seeded by the session id "
        "and the beat) or in the authored order. Unset in transcripts made before shuffling, "
        "which all showed the authored order.",
    )
    own_words: bool | None = Field(
        default=None,
        description="Own words first: at each beat the trainee typed what they would say before "
        "the options appeared. Unset when the session did not ask for it.",
    )
    header_hash: str | None = Field(
        default=None, description="sha256 of the header fields above; the chain starts here."
    )
    head: str | None = Field(
        default=None, description="The hash of the last event: the seal over the whole record."
    )
    events: list[Event] = Field(default_factory=list)

    @field_validator("events")
    @classmethod
    def _in_order(cls, events: list[Any]) -> list[Any]:
        for i, e in enumerate(events):
            if e.seq != i:
                raise PydanticCustomError(
                    "event_order",
                    "event {i} has seq {seq}; events must be numbered 0, 1, 2, ... in order",
                    {
                        "i": i,
                        "seq": e.seq,
                        "hint": "the file may have been edited by hand; restore it from a backup",
                    },
                )
        return events

    def route(self) -> list[ChoiceEvent]:
        """The choices that stand after rewinds, in order."""
        return [c for c, stands in self._classified() if stands]

    def rewound(self) -> list[ChoiceEvent]:
        """Choices later undone by a rewind (kept for assessors)."""
        return [c for c, stands in self._classified() if not stands]

    def _classified(self) -> list[tuple[ChoiceEvent, bool]]:
        stack: list[ChoiceEvent] = []
        undone: list[ChoiceEvent] = []
        for e in self.events:
            if isinstance(e, ChoiceEvent):
                stack.append(e)
            elif isinstance(e, RewindEvent):
                undone.extend(stack[e.to_turn :])
                del stack[e.to_turn :]
        kept = {id(c) for c in stack}
        return [(c, id(c) in kept) for c in self.events if isinstance(c, ChoiceEvent)]

    def display_order(self, beat: str, count: int) -> list[int]:
        """The order (0-based authored indices) the trainee saw `beat`'s `count` choices in."""
        for e in reversed(self.events):
            if isinstance(e, ChoiceEvent) and e.beat == beat and e.order:
                return [n - 1 for n in e.order]
        if self.order == "shuffled":
            return display_order(self.session_id, beat, count)
        return list(range(count))

    def order_map(self) -> dict[str, list[int]]:
        """Every beat the trainee chose at, with the order its choices were shown in (shuffled
        sessions only; empty when the choices were shown as authored)."""
        out: dict[str, list[int]] = {}
        for e in self.events:
            if isinstance(e, ChoiceEvent) and e.order:
                out[e.beat] = [n - 1 for n in e.order]
        return out

    @property
    def has_ended(self) -> bool:
        """Whether the session's last event is its end (looks at the last event only)."""
        return bool(self.events) and isinstance(self.events[-1], EndEvent)

    @property
    def ending(self) -> str | None:
        ends = [e for e in self.events if isinstance(e, EndEvent)]
        return ends[-1].ending if ends else None

    def to_json(self) -> str:
        """The canonical file: the header on one line, then one event per line. Every writer
        produces exactly these bytes, so `attune verify` can tell any edited byte."""
        return layout(self.header_json(), [e.model_dump_json() for e in self.events])

    def header_json(self) -> str:
        return self.model_dump_json(exclude={"events"})


def layout(header: str, events: list[str]) -> str:
    """Join a header (a JSON object) and event objects into the canonical transcript text."""
    if not events:
        return header[:-1] + ',"events":[]}\n'
    return header[:-1] + ',"events":[\n' + ",\n".join(events) + "\n]}\n"


@dataclass
class LoadedTranscript:
    transcript: Transcript
    path: str
    event_lines: dict[int, int]
    """Line of each event in the file, by index in `events`."""

    def line_of(self, event: ChoiceEvent | RewindEvent | EndEvent) -> int | None:
        for i, e in enumerate(self.transcript.events):
            if e is event:
                return self.event_lines.get(i)
        return None


def load_transcript(path: Path | str) -> LoadedTranscript:
    """Read and validate a transcript file; raises `AttuneError` naming line and field."""
    from simulator.content.loader import problems_from_validation
    from simulator.content.yamlsource import parse_yaml

    p = Path(path)
    name = str(path)
    if not p.is_file():
        raise AttuneError.single(name, "transcript file not found", hint="check the path")
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise AttuneError.single(name, f"file is {size:,} bytes; the limit is {MAX_BYTES:,}")
    raw = p.read_bytes()
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise AttuneError.single(
            name, f"byte {exc.start} is not valid UTF-8", hint="is this a transcript file?"
        ) from None
    except json.JSONDecodeError as exc:
        raise AttuneError.single(
            name,
            f"not valid JSON: {exc.msg}",
            line=exc.lineno,
            column=exc.colno,
            hint="transcripts are JSON written by attunement",
        ) from None
    try:
        _, marks = parse_yaml(raw, name)  # JSON is YAML: this gives a line for every field
    except AttuneError:
        marks = None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise AttuneError.single(
            name,
            f'not an attunement transcript (expected "format": "{FORMAT}")',
            line=1,
            hint="score a file written by `attune autoplay`, `attune play` or `attune export`",
        )
    if isinstance(data.get("version"), int) and data["version"] > VERSION:
        raise AttuneError.single(
            name,
            f"transcript format version {data['version']} is newer than this attunement understands ({VERSION})",
            hint="upgrade attunement",
        )
    try:
        transcript = Transcript.model_validate(data)
    except ValidationError as exc:
        from simulator.content.yamlsource import Marks

        raise AttuneError(
            problems_from_validation(exc, marks or Marks(), name, Transcript)
        ) from None
    lines = {}
    if marks is not None:
        for i in range(len(transcript.events)):
            line = marks.values.get(("events", i), (None, None))[0]
            if line is not None:
                lines[i] = line
    return LoadedTranscript(transcript, name, lines)


def route_problems(loaded: LoadedTranscript, message: str, event: Any, hint: str) -> AttuneError:
    return AttuneError(
        [
            Problem(
                loaded.path,
                message,
                line=loaded.line_of(event),
                field=_event_field(loaded, event),
                hint=hint,
            )
        ]
    )


def _event_field(loaded: LoadedTranscript, event: Any) -> str | None:
    for i, e in enumerate(loaded.transcript.events):
        if e is event:
            return f"events[{i}]"
    return None
