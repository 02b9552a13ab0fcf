"""Tamper evidence for transcripts: a sha256 hash chain over the header and every event.

    header_hash = sha256("attunement.chain.v1\\n" + header JSON without the chain fields)
    event.hash  = sha256(previous link + "\\n" + event JSON without its hash)
    head        = the last event's hash (header_hash when there are none): the seal

Verifying a file or a stored session (`simulator.reach.integrity`) builds on this chain.
"""

from __future__ import annotations

import hashlib

from simulator.errors import Problem
from simulator.play.transcript import ChoiceEvent, EndEvent, RewindEvent, Transcript

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
