"""Tamper evidence for transcripts: a sha256 hash chain over the header and every event.

    header_hash = sha256("attunement.chain.v1\\n" + header JSON without the chain fields)
    event.hash  = sha256(previous link + "\\n" + event JSON without its hash)
    head        = the last event's hash (header_hash when there are none): the seal

`verify` recomputes the chain and checks that the file's bytes are exactly what attunement
writes for that content, so any edited byte or field is found and located: a changed header, the
first changed event (with its line), events removed or added at the end, or only the layout.

A file on its own cannot stop someone who edits it and recomputes every hash; the course database
keeps its own copy of every event, and `verify_against_database` catches that too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.errors import AttuneError, Problem
from simulator.transcript import ChoiceEvent, EndEvent, RewindEvent, Transcript, load_transcript

CHAIN = "attunement.chain.v1"
_HEADER_EXCLUDE = {"events", "header_hash", "head"}
Event = ChoiceEvent | RewindEvent | EndEvent


def header_hash(t: Transcript) -> str:
    body = t.model_dump_json(exclude=_HEADER_EXCLUDE)
    return hashlib.sha256(f"{CHAIN}\n{body}".encode()).hexdigest()


def link(previous: str, event: Event) -> str:
    body = event.model_dump_json(exclude={"hash"})
    return hashlib.sha256(f"{previous}\n{body}".encode()).hexdigest()


def sealed(t: Transcript) -> Transcript:
    """The header hash set (a new session)."""
    h = header_hash(t)
    return t.model_copy(update={"header_hash": h, "head": h})


def extend(t: Transcript, new: list[Event]) -> Transcript:
    """Append events, each linked to the one before, and move the seal."""
    if t.header_hash is None:  # a session recorded before the chain existed stays unchained
        return t.model_copy(update={"events": [*t.events, *new]})
    prev = t.head or t.header_hash
    linked = []
    for e in new:
        prev = link(prev, e)
        linked.append(e.model_copy(update={"hash": prev}))
    return t.model_copy(update={"events": [*t.events, *linked], "head": prev})


@dataclass(frozen=True)
class Verdict:
    intact: bool
    where: str
    findings: list[Problem]
    events: int

    def render(self) -> str:
        if self.intact:
            return f"{self.where}: intact ({self.events} events, sealed {CHAIN})"
        return "\n".join(p.render() for p in self.findings)


def check_chain(t: Transcript, where: str, lines: dict[int, int] | None = None) -> list[Problem]:
    """Where the record disagrees with its own chain (empty if it verifies)."""
    lines = lines or {}
    if t.header_hash is None:
        return [
            Problem(
                where,
                "this transcript has no hash chain, so it cannot be verified",
                field="header_hash",
                hint="it was recorded before attunement sealed transcripts; re-export it from the database",
            )
        ]
    if header_hash(t) != t.header_hash:
        return [
            Problem(
                where,
                "the header was changed after it was recorded (session, vignette, trainee, mode or dates)",
                line=1,
                field="header_hash",
                hint="restore the original file; the database keeps its own copy",
            )
        ]
    prev = t.header_hash
    for i, e in enumerate(t.events):
        expected = link(prev, e)
        if e.hash != expected:
            turn = f", turn {e.turn}" if isinstance(e, ChoiceEvent) else ""
            return [
                Problem(
                    where,
                    f"event {i} ({e.kind}{turn}) was changed after it was recorded",
                    line=lines.get(i),
                    field=f"events[{i}]",
                    hint="everything before this event verifies; restore the original file",
                )
            ]
        prev = expected
    if t.head != prev:
        return [
            Problem(
                where,
                "the seal does not match the last event: events were removed or added at the end",
                line=1,
                field="head",
                hint="restore the original file; the database keeps its own copy",
            )
        ]
    return []


def verify_file(path: Path) -> Verdict:
    where = str(path)
    if not path.is_file():
        raise AttuneError.single(where, "file not found", hint="check the path")
    raw = path.read_bytes()
    try:
        loaded = load_transcript(path)
    except AttuneError as exc:
        # damaged beyond reading: that, too, is a changed file
        return Verdict(
            False,
            where,
            [p._replace(message=f"changed or damaged: {p.message}") for p in exc.problems],
            0,
        )
    t = loaded.transcript
    found = check_chain(t, where, loaded.event_lines)
    if not found and t.to_json().encode() != raw:
        found = [_layout_problem(where, raw, t.to_json().encode())]
    return Verdict(not found, where, found, len(t.events))


def _layout_problem(where: str, raw: bytes, canonical: bytes) -> Problem:
    at = next((i for i, (a, b) in enumerate(zip(raw, canonical, strict=False)) if a != b), None)
    if at is None:
        at = min(len(raw), len(canonical))
    line = raw[:at].count(b"\n") + 1
    column = at - (raw.rfind(b"\n", 0, at) + 1) + 1
    return Problem(
        where,
        "the file's bytes were edited (its recorded content still verifies, but this is not the "
        "file attunement wrote)",
        line=line,
        column=column,
        hint="restore the original file; only whitespace, escapes or similar differ here",
    )


def verify_stored(db: Any, session_id: str) -> Verdict:
    """Verify a transcript stored in the course database, from its rows."""
    from simulator.dbstore import stored_transcript

    where = f"session {session_id} in the database"
    t = stored_transcript(db, session_id)
    return Verdict(not (found := check_chain(t, where)), where, found, len(t.events))


def verify_against_database(db: Any, path: Path, t: Transcript) -> list[Problem]:
    """Compare a file with the database's copy of the same session, event by event."""
    from simulator.dbstore import load_transcript_from_db

    try:
        stored = load_transcript_from_db(db, t.session_id)
    except KeyError:
        return []
    for i, (a, b) in enumerate(zip(t.events, stored.events, strict=False)):
        if a != b:
            return [
                Problem(
                    str(path),
                    f"event {i} differs from the course database's copy of this session",
                    field=f"events[{i}]",
                    hint="the file was changed (even if its hashes were recomputed)",
                )
            ]
    if len(t.events) != len(stored.events) or t.header_hash != stored.header_hash:
        return [
            Problem(
                str(path),
                f"the file has {len(t.events)} events; the course database has {len(stored.events)}",
                field="events",
                hint="events were removed or added",
            )
        ]
    return []
