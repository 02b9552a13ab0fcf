"""Sessions in the course database: one row per session, one row per event, committed per choice.

`DbStore` is a session `Store`: called with the transcript after every event, it inserts the
events the database does not have yet and updates the session row, in one transaction. It is
idempotent, so the same code imports a JSON transcript (`attune sync`) or retries after a failure.

Each choice row also carries what the cohort analytics count: its valence and points under the
rubric, whether it pushed, and whether it left a rupture unrepaired. These are derived by the pure
scorer from the route standing when the choice was made, so they can be recomputed at any time.
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.engine import Connection

from scoring.results import RouteError
from scoring.rubric import Rubric
from scoring.story import Story
from simulator.content.model import Vignette
from simulator.errors import AttuneError
from simulator.play.transcript import ChoiceEvent, EndEvent, RewindEvent, Transcript, now
from simulator.store.database import Database
from simulator.store.schema import events, sessions

Facts = tuple[str, int, bool, bool]


class ChoiceFacts:
    """seq -> (valence, points, pushed, left a rupture unrepaired) for each choice event, scored on
    the route that stood when it was made (rewound branches included).

    Incremental: `update` scores only the events it has not seen, so a session's store costs the
    same per choice however long the session grows.
    """

    def __init__(self, story: Story) -> None:
        self._cursor = story.cursor()
        self._seen = -1
        self.by_seq: dict[int, Facts] = {}

    def update(self, transcript: Transcript) -> dict[int, Facts]:
        for event in transcript.events:
            if event.seq <= self._seen:
                continue
            self._seen = event.seq
            if isinstance(event, RewindEvent):
                self._cursor.rewind(event.to_turn)
            elif isinstance(event, ChoiceEvent):
                try:
                    lines, valence = self._cursor.choose(event.beat, event.choice - 1)
                except RouteError:
                    continue
                unrepaired = any(ln.rule == "unrepaired-rupture" for ln in lines)
                points = sum(ln.points for ln in lines)
                self.by_seq[event.seq] = (valence, points, valence == "P", unrepaired)
        return self.by_seq


class DbStore:
    """Writes a session's events to the database as they happen (thread-safe, in order)."""

    def __init__(self, db: Database, vignette: Vignette, rubric: Rubric) -> None:
        self.db = db
        self.vignette = vignette
        self.rubric = rubric
        self._lock = threading.Lock()
        self._stored: int | None = None  # highest seq in the database (-1: none yet)
        self._story = Story(vignette, rubric)
        self._facts = ChoiceFacts(self._story)

    def __call__(self, transcript: Transcript) -> None:
        with self._lock:
            stored = self._stored
            try:
                with self.db.begin() as conn:
                    self._write(conn, transcript)
            except BaseException:
                self._stored = stored  # the transaction rolled back: write it all again next time
                raise

    def _write(self, conn: Connection, t: Transcript) -> None:
        if self._stored is None:
            exists = conn.execute(sa.select(sessions.c.id).where(sessions.c.id == t.session_id))
            if exists.first() is None:
                conn.execute(sessions.insert().values(session_row(t)))
            top = conn.execute(
                sa.select(sa.func.max(events.c.seq)).where(events.c.session_id == t.session_id)
            ).scalar()
            self._stored = -1 if top is None else int(top)
        new = [e for e in t.events if e.seq > self._stored]
        facts = self._facts.update(t) if new else {}
        if new:
            conn.execute(events.insert(), [self._event_row(t, e, facts) for e in new])
        update: dict[str, Any] = {"updated_at": now()}
        end = next((e for e in reversed(t.events) if isinstance(e, EndEvent)), None)
        if end is not None:
            report = self._story.score([(c.beat, c.choice - 1) for c in t.route()])
            update.update(
                ended_at=end.at, ending=end.ending, overall=report.overall, band=report.band
            )
        conn.execute(sessions.update().where(sessions.c.id == t.session_id).values(update))
        if new:
            self._stored = new[-1].seq

    def _event_row(self, t: Transcript, e: Any, facts: dict[int, Facts]) -> dict[str, Any]:
        row: dict[str, Any] = {
            "session_id": t.session_id,
            "seq": e.seq,
            "kind": e.kind,
            "at": e.at,
            "vignette_id": t.vignette_id,
            "cohort_id": t.cohort_id,
            "turn": getattr(e, "turn", None),
            "beat": getattr(e, "beat", None),
            "choice": getattr(e, "choice", None),
            "valence": None,
            "points": None,
            "pushed": None,
            "unrepaired": None,
            "body": e.model_dump_json(),
        }
        if e.seq in facts:
            row["valence"], row["points"], row["pushed"], row["unrepaired"] = facts[e.seq]
        return row


def session_row(t: Transcript) -> dict[str, Any]:
    """A session's row, from its transcript's header."""
    return {
        "id": t.session_id,
        "vignette_id": t.vignette_id,
        "trainee": t.trainee,
        "mode": t.mode,
        "source": t.source,
        "rubric_version": t.rubric_version,
        "assignment_id": t.assignment_id,
        "cohort_id": t.cohort_id,
        "started_at": t.started_at,
        "updated_at": now(),
        "header": t.model_dump_json(exclude={"events"}),
    }


def load_transcript_from_db(db: Database, session_id: str) -> Transcript:
    """Rebuild a session's transcript from its rows."""
    with db.read() as conn:
        head = conn.execute(
            sa.select(sessions.c.header).where(sessions.c.id == session_id)
        ).scalar()
        if head is None:
            raise KeyError(session_id)
        bodies = conn.execute(
            sa.select(events.c.body).where(events.c.session_id == session_id).order_by(events.c.seq)
        ).scalars()
        data = json.loads(head)
        data["events"] = [json.loads(b) for b in bodies]
        if data.get("header_hash"):  # the seal is the last stored link (the row keeps the first)
            data["head"] = data["events"][-1].get("hash") if data["events"] else data["header_hash"]
    try:
        return Transcript.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise AttuneError.single(
            f"session {session_id} in the database",
            f"the stored session is damaged: {field}: {first['msg']}",
            hint="restore the database from a backup, or import the session's journal with attune sync",
        ) from None


class SessionSaver:
    """The store a player uses: the JSON journal first (fsync'd, so a kill loses nothing), then the
    course database. If the database cannot be written (locked, unreachable), the choice is still
    in the journal, `on_db_error` is told once, and `attune sync` (or the next start) imports it.

    The database is opened on the first save, so a player's first frame never waits for it. After
    a failure it is not tried again for `RETRY_AFTER_S`: an unreachable server must not add its
    connection timeout to every choice. The next attempt stores everything missed (or `attune sync`).
    """

    RETRY_AFTER_S = 60.0

    def __init__(
        self,
        journal: Any,
        db_url: str | None,
        vignette: Vignette,
        rubric: Rubric,
        *,
        on_db_error: Any = None,
        clock: Any = None,
    ) -> None:
        import time

        self.journal = journal
        self.db_url = db_url
        self.vignette, self.rubric = vignette, rubric
        self.on_db_error = on_db_error
        self.clock = clock or time.monotonic
        self._store: DbStore | None = None
        self.db_error: Exception | None = None
        self._retry_at = 0.0
        self._lock = threading.Lock()

    def __call__(self, transcript: Transcript) -> None:
        self.journal(transcript)
        from simulator.errors import AttuneError

        with self._lock:
            if self.db_error is not None and self.clock() < self._retry_at:
                return  # the journal has it; the database is tried again later
            try:
                if self._store is None:
                    from simulator.store.database import open_database

                    self._store = DbStore(open_database(self.db_url), self.vignette, self.rubric)
                self._store(transcript)
                self.db_error = None
            except AttuneError as exc:
                first = self.db_error is None
                self.db_error = exc
                self._retry_at = self.clock() + self.RETRY_AFTER_S
                if first and self.on_db_error is not None:
                    self.on_db_error(exc)


def stored_transcript(db: Database, session_id: str) -> Transcript:
    """A session's transcript from the database, or a clear error if there is no such session."""
    from simulator.errors import AttuneError

    try:
        return load_transcript_from_db(db, session_id)
    except KeyError:
        raise AttuneError.single(
            f"session {session_id}", "no such session in the database", hint="see `attune review`"
        ) from None


_ID_PREFIX = re.compile(r"^[0-9a-f-]{6,36}$")


def full_session_id(db: Database, text: str) -> str:
    """The session a full id or a unique beginning of one names (the review screen shows the
    first eight characters); a clear error when there is none, or more than one."""
    wanted = text.strip().lower()
    if not _ID_PREFIX.match(wanted):
        raise AttuneError.single(
            f"session {text}",
            "this is not a session id",
            hint="give the id shown by attune review (at least its first 6 characters)",
        )
    with db.read() as conn:
        found = list(
            conn.execute(
                sa.select(sessions.c.id).where(sessions.c.id.like(wanted + "%")).limit(2)
            ).scalars()
        )
    if len(found) == 1:
        return str(found[0])
    if not found:
        raise AttuneError.single(
            f"session {text}", "no such session in the database", hint="see `attune review`"
        )
    raise AttuneError.single(
        f"session {text}",
        f"more than one session starts with '{wanted}'",
        hint="give more of the id",
    )
