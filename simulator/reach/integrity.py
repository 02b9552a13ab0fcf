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
    """Verify a transcript stored in the course database, from its rows: the events against their
    chain, and the stored scores against the score the events give (scores are derived, so an
    edited score or point is caught)."""
    from simulator.store.dbstore import stored_transcript

    where = f"session {session_id} in the database"
    t = stored_transcript(db, session_id)
    found = check_chain(t, where)
    if not found:
        found = _stored_scores(db, t, where)
    return Verdict(not found, where, found, len(t.events))


def _stored_scores(db: Any, t: Transcript, where: str) -> list[Problem]:
    """Recompute the session's score and each choice's points, and compare with the rows."""
    import sqlalchemy as sa

    from scoring.rubric import default_rubric
    from scoring.story import Story
    from simulator.store.dbstore import ChoiceFacts
    from simulator.store.journal import vignette_for
    from simulator.store.schema import events, sessions

    try:
        v = vignette_for(t, where, db)
    except AttuneError:
        return []  # the vignette is not here: the chain above is all that can be checked
    if t.rubric_version != default_rubric().version:
        return []  # stored under another rubric: its scores cannot be recomputed here
    story = Story(v, default_rubric())
    facts = ChoiceFacts(story).update(t)
    with db.read() as conn:
        row = conn.execute(
            sa.select(sessions.c.overall, sessions.c.band).where(sessions.c.id == t.session_id)
        ).first()
        points = dict(
            conn.execute(
                sa.select(events.c.seq, events.c.points).where(
                    events.c.session_id == t.session_id, events.c.kind == "choice"
                )
            ).all()
        )
    out = []
    for seq, fact in sorted(facts.items()):
        if points.get(seq) is not None and points[seq] != fact[1]:
            out.append(
                Problem(
                    where,
                    f"the stored points of event {seq} ({points[seq]:+d}) are not what the "
                    f"choice scores ({fact[1]:+d}): the database row was edited",
                    field=f"events[{seq}].points",
                    hint="re-store the session from its journal with `attune sync`, and ask who "
                    "has write access to the database",
                )
            )
    if row is not None and row.overall is not None and t.ending is not None:
        report = story.score([(c.beat, c.choice - 1) for c in t.route()])
        if (row.overall, row.band) != (report.overall, report.band):
            out.append(
                Problem(
                    where,
                    f"the stored score ({row.overall}, {row.band}) is not what the session's "
                    f"events score ({report.overall}, {report.band}): the database row was edited",
                    field="sessions.overall",
                    hint="the events are intact; the score shown in progress reports was "
                    "changed by hand",
                )
            )
    return out


def verify_against_database(db: Any, path: Path, t: Transcript) -> tuple[list[Problem], str]:
    """Compare a file with the database's copy of the same session, event by event. Returns the
    differences (empty when nothing was changed) and a note for the reader: whether the database
    has the session at all, and whether it has caught up with the file."""
    from simulator.store.dbstore import load_transcript_from_db

    where = str(path)
    try:
        stored = load_transcript_from_db(db, t.session_id)
    except KeyError:
        return [], "the course database has no copy of this session (`attune sync` stores it)"
    stored_chain = check_chain(stored, f"session {t.session_id} in the database")
    if t.header_hash != stored.header_hash:
        return [
            Problem(
                where,
                "the header differs from the course database's copy of this session",
                field="header",
                hint=_who_changed(stored_chain),
            )
        ], ""
    for i, (a, b) in enumerate(zip(t.events, stored.events, strict=False)):
        if a != b:
            return [
                Problem(
                    where,
                    f"event {i} differs from the course database's copy of this session",
                    field=f"events[{i}]",
                    hint=_who_changed(stored_chain),
                )
            ], ""
    if len(t.events) > len(stored.events):
        return [], (
            f"the course database has {len(stored.events)} of its {len(t.events)} events: not yet "
            "synced (`attune sync` stores the rest); nothing was changed"
        )
    if len(t.events) < len(stored.events):
        return [
            Problem(
                where,
                f"the file stops at {len(t.events)} events; the course database has "
                f"{len(stored.events)}",
                field="events",
                hint="the file was cut short, or is an older copy of the session",
            )
        ], ""
    return [], "the course database's copy is the same"


def _who_changed(stored_chain: list[Problem]) -> str:
    if stored_chain:
        return "the database's copy fails its own hash chain: the database was edited"
    return (
        "each side verifies against its own hash chain, so one of them was rewritten with "
        "recomputed hashes; the copy you did not expect to change is the one to trust"
    )
