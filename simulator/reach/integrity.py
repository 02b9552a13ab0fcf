"""Verifying transcripts: a file against its own hash chain (`simulator.play.chain`) and the bytes
attunement writes, a stored session against its rows, and a file against the database's copy.

`verify_file` checks that the file's bytes are exactly what attunement writes for that content, so
any edited byte or field is found and located: a changed header, the first changed event (with its
line), events removed or added at the end, or only the layout. A file on its own cannot stop someone
who edits it and recomputes every hash; the course database keeps its own copy of every event, and
`verify_against_database` catches that too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.errors import AttuneError, Problem
from simulator.play.chain import CHAIN, check_chain
from simulator.play.transcript import Transcript, load_transcript


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
    from simulator.store.dbstore import stored_transcript

    where = f"session {session_id} in the database"
    t = stored_transcript(db, session_id)
    return Verdict(not (found := check_chain(t, where)), where, found, len(t.events))


def verify_against_database(db: Any, path: Path, t: Transcript) -> list[Problem]:
    """Compare a file with the database's copy of the same session, event by event."""
    from simulator.store.dbstore import load_transcript_from_db

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
