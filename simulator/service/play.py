"""The one way a session is played, whatever the host: starting and resuming, assignment mode and
attempts, saving every choice, practice feedback, the closing scene and the debrief.

The TUI, the plain player, the served app and `attune autoplay` are thin callers of `Play`: they
show what it returns and pass it the trainee's keys. A host that must not block (the TUI) hands
`Play` a `background` runner for saves; the others save before `choose` returns.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scoring.results import Line, RouteError, ScoreReport, telling_lines
from scoring.story import Story
from simulator.content.library import is_shipped
from simulator.content.model import Beat, Choice, Vignette
from simulator.errors import AttuneError, Problem
from simulator.files import file_sha256
from simulator.play.engine import ClientState
from simulator.play.session import LatestWriter, Session, Store, file_store
from simulator.play.transcript import LoadedTranscript, Transcript, load_transcript
from simulator.store.dbstore import SessionSaver
from simulator.store.paths import JournalLock, scan_journals, session_path

if TYPE_CHECKING:
    from scoring.bounds import Bound
    from scoring.rubric import Rubric
    from scoring.whatif import RoadNotTaken
    from simulator.course.courses import Assigned

WARM_WAIT_S = 120.0
"""How long the debrief waits for the background search before searching itself."""

Runner = Callable[[Callable[[], None]], Any]
"""Runs a save: inline (the default) or in a worker thread (the TUI)."""


def _inline(fn: Callable[[], None]) -> None:
    fn()


def feedback_lines(lines: list[Line]) -> list[Line]:
    """Practice feedback for one choice, the same in every host: every line that scored it, the
    most telling first (`scoring.results.telling_lines`), then the rest."""
    told = telling_lines(lines)
    return told + [ln for ln in lines if ln not in told]


@dataclass(frozen=True)
class Exchange:
    """One turn of the conversation so far, for the play screen: what the client said (and how
    they looked), and what the trainee answered."""

    turn: int
    client: str
    nonverbal: str | None
    said: str
    own_words: str | None = None


@dataclass(frozen=True)
class Closing:
    """How a session ended, for the closing scene: the ending's title and the client's last words,
    or the turn limit."""

    title: str
    client: str | None
    turn_limit: bool


@dataclass(frozen=True)
class AnswerKey:
    """What of the answer key a trainee's debrief shows: the one home of that policy, for every
    host. Move codes are never shown in assessment mode. The expert route, the road not taken
    and the other choices on the map of a course leader's own vignette (in the course database)
    are for course leaders and assessors only."""

    codes: bool = True
    key: bool = True

    @property
    def withheld(self) -> str:
        """Why part of the debrief is not shown (empty when all of it is)."""
        if not self.key:
            return (
                "The expert route and the road not taken are kept for your assessor: this is "
                "a course vignette, and they would give its answers away."
            )
        if not self.codes:
            return "Move codes are not shown in assessment mode."
        return ""


def answer_key(path: Path, mode: str, trainee: str | None, db_url: str | None) -> AnswerKey:
    """The answer key a session's player may see (`AnswerKey`)."""
    from simulator.store.paths import is_course_copy

    key = True
    if is_course_copy(path):
        from simulator.course.auth import role_of
        from simulator.store.database import open_database

        try:
            db = open_database(db_url)
        except AttuneError:
            key = False
        else:
            try:
                key = trainee is not None and role_of(db, trainee) in ("assessor", "course_leader")
            finally:
                db.close()
    return AnswerKey(codes=mode != "assessment", key=key)


@dataclass(frozen=True)
class Debrief:
    report: ScoreReport
    best: Bound | None
    """The best-scoring route (the expert route shown beside the trainee's); None when the answer
    key is withheld (`AnswerKey`)."""


class Play:
    """One session as a host plays it. Every event is saved as it happens (the journal first,
    then the course database when there is one)."""

    def __init__(
        self,
        session: Session,
        rubric: Rubric,
        store: Store,
        *,
        journal: Path | None = None,
        task: Assigned | None = None,
        background: Runner | None = None,
        story: Story | None = None,
    ) -> None:
        self.session, self.rubric, self.store = session, rubric, store
        self.story = story or Story(session.vignette, rubric)
        """The vignette compiled with the rubric, for feedback, the debrief and the road not taken."""
        self.journal = journal
        self.lock = (
            JournalLock(journal).acquire(session.transcript.session_id)
            if journal is not None
            else None
        )
        """Held while the session is played: a second window cannot resume it."""
        self.task = task
        self.answer_key = AnswerKey(codes=session.transcript.mode != "assessment")
        """What of the answer key the debrief shows (set by `start` and `resume`)."""
        self._background = background or _inline
        # practice feedback scores only the newest choice, from where the route stands
        self._cursor = self.story.cursor()
        self._warming: subprocess.Popen[bytes] | None = None
        self._course: tuple[str | None] | None = None
        """(course database URL,) when searches are shared through it (`share_searches`)."""
        self._shared = False
        """Whether the expert route's search is in the course database already."""
        for beat, index in session.route:  # a resumed session: catch up with its choices
            self._cursor.choose(beat, index)

    def share_searches(self, db_url: str | None) -> None:
        """Look for the expert route's search in the course database at `db_url` (None: the
        default one) before searching, and keep it there once searched
        (`simulator.service.searches`)."""
        self._course = (db_url,)

    def warm(self, path: Path | None) -> None:
        """Begin the search for the expert route in the background, in a process of its own (the
        player's thread stays free), unless it is cached here or in the course database. It
        writes the user's cache, where the debrief finds it; the debrief keeps it in the course
        database (`expert`)."""
        if path is None or self.story.cached_bounds() is not None:
            return
        from scoring.rubric import default_rubric

        if self.rubric is not default_rubric():
            return  # the background search uses the shipped rubric
        if self._course is not None:
            from simulator.service.searches import recall_bounds

            if recall_bounds(self.story, self._course[0]) is not None:
                self._shared = True
                return
        try:
            self._warming = subprocess.Popen(
                [sys.executable, "-m", "simulator.service.warm", str(path)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            self._warming = None  # the debrief searches instead

    # ------------------------------------------------------------ queries
    @property
    def vignette(self) -> Vignette:
        return self.session.vignette

    @property
    def mode(self) -> str:
        return self.session.mode

    @property
    def ended(self) -> bool:
        return self.session.ended

    @property
    def turn(self) -> int:
        return self.session.turn

    @property
    def node(self) -> str:
        return self.session.node

    @property
    def route(self) -> list[tuple[str, int]]:
        return self.session.route

    @property
    def ending(self) -> str | None:
        return self.session.ending

    @property
    def state(self) -> ClientState:
        return self.session.state

    @property
    def transcript(self) -> Transcript:
        return self.session.transcript

    @property
    def rationale_required(self) -> bool:
        return bool(self.task and self.task.rationale_required)

    @property
    def can_rewind(self) -> bool:
        return self.mode == "practice" and self.turn > 0 and not self.ended

    def beat(self) -> Beat:
        return self.vignette.beat_map[self.session.node]

    def offered(self) -> list[Choice]:
        """The current beat's choices in their authored order."""
        return self.session.offered()

    def options(self) -> list[Choice]:
        """The current beat's choices as the trainee sees them: numbered from 1 in this order,
        which is shuffled per session unless it was started in order."""
        choices = self.session.offered()
        return [choices[i] for i in self.session.order()]

    def pick(
        self,
        number: int,
        *,
        rationale: str | None = None,
        checkin: str | None = None,
        elapsed_ms: int | None = None,
        own_words: str | None = None,
    ) -> list[Line]:
        """Make the choice the trainee sees as `number` (from 1); see `choose`."""
        order = self.session.order()
        if not 1 <= number <= len(order):
            raise AttuneError.single(
                self.vignette.id, f"there is no choice {number} here (1 to {len(order)})"
            )
        return self.choose(
            order[number - 1],
            rationale=rationale,
            checkin=checkin,
            elapsed_ms=elapsed_ms,
            own_words=own_words,
        )

    def typed(self) -> dict[int, str]:
        """Own-words mode: what the trainee typed first, by turn (the standing route's)."""
        return {e.turn: e.own_words for e in self.transcript.route() if e.own_words}

    @property
    def own_words(self) -> bool:
        """Own words first: the trainee types their answer before the options appear."""
        return bool(self.transcript.own_words)

    def suggest(self, words: str) -> int | None:
        """The number (as shown) of the option closest to the trainee's own words, to preselect:
        only a suggestion, which the interface says; the score comes from the confirmed choice.
        Similarity is difflib's ratio over the lower-cased words (the standard library's kept
        sequence matcher), or None when nothing was typed."""
        import difflib

        typed = " ".join(words.lower().split())
        if not typed:
            return None
        says = [" ".join(c.say.lower().split()) for c in self.options()]
        ratios = [difflib.SequenceMatcher(None, typed, say).ratio() for say in says]
        return max(range(len(says)), key=lambda i: (ratios[i], -i)) + 1 if says else None

    # ------------------------------------------------------------ actions
    def choose(
        self,
        index: int,
        *,
        rationale: str | None = None,
        checkin: str | None = None,
        elapsed_ms: int | None = None,
        own_words: str | None = None,
    ) -> list[Line]:
        """Make choice `index` (0-based) and save it. Returns the practice feedback for it (empty
        in assessment mode: no feedback until the debrief). In own-words mode the trainee's own
        words come first and are kept with the choice."""
        if self.own_words and not (own_words or "").strip():
            raise AttuneError.single(
                self.vignette.id,
                "own words first: type what you would say before choosing",
                hint="then choose the option closest to it",
            )
        if self.rationale_required and not rationale:
            raise AttuneError.single(
                self.vignette.id,
                "this assignment asks for a rationale with each choice",
                hint="add the rationale, then choose again",
            )
        beat = self.session.node
        self.session.choose(
            index,
            rationale=rationale,
            checkin=checkin,
            elapsed_ms=elapsed_ms,
            own_words=own_words if self.own_words else None,
        )
        try:
            lines, _ = self._cursor.choose(beat, index)
        except RouteError:  # cannot happen for a choice the session accepted; never lose a save
            lines = []
        self.save()
        return feedback_lines(lines) if self.mode == "practice" and lines else []

    def rewind(self) -> None:
        """Practice mode: take back the last choice (the record keeps it)."""
        if not self.can_rewind:
            raise AttuneError.single(
                self.vignette.id,
                "nothing to rewind"
                if self.mode == "practice"
                else "rewind is only available in practice mode",
            )
        self.session.rewind(self.turn - 1)
        self._cursor.rewind(self.turn)
        self.save()

    def leave(self) -> None:
        """The trainee stops here. A session left before its first choice leaves no journal
        behind to be offered as unfinished."""
        if not self.transcript.events and self.journal is not None:
            self.journal.unlink(missing_ok=True)
        self.close()

    def close(self) -> None:
        """Let go of the journal (another window may resume the session from now on)."""
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def save(self) -> None:
        transcript = self.session.transcript
        self._background(lambda: self.store(transcript))

    # ------------------------------------------------------------ the end
    def exchanges(self) -> list[Exchange]:
        """The conversation so far, turn by turn (rewound choices left out)."""
        out = []
        for e in self.transcript.route():
            beat = self.vignette.beat_map[e.beat]
            out.append(Exchange(e.turn, beat.client, beat.nonverbal, e.say, e.own_words))
        return out

    def been_here(self) -> int | None:
        """The earlier turn at which the client said what they say now (the route has looped
        back to this beat), or None."""
        node = self.session.node
        for turn, (beat, _) in enumerate(self.session.route, 1):
            if beat == node:
                return turn
        return None

    def closing(self) -> Closing:
        ending = self.vignette.ending_map.get(self.session.ending or "")
        if ending is None:
            return Closing("The session reached its time limit", None, True)
        return Closing(ending.title, ending.client, False)

    def report(self) -> ScoreReport:
        """The session's score, every point explained (fast: shown as soon as the session ends)."""
        return self.story.score(
            self.session.route,
            recorded_rubric_version=self.transcript.rubric_version,
            order=self.transcript.order_map(),
        )

    def expert(self) -> Bound:
        """The best-scoring route, shown beside the trainee's. Its search began in the background
        when the session started (see `_warm`); this waits for it, else searches here."""
        if self._warming is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._warming.wait(timeout=WARM_WAIT_S)
            self._warming = None
        best = self.story.bounds().best
        if self._course is not None and not self._shared:
            # kept for the course here, in the debrief's worker, not by the background search:
            # its write could hold a SQLite course database while the last choice is saved
            from simulator.service.searches import share_bounds

            self._shared = True
            share_bounds(self.story, self._course[0])
        return best

    def debrief(self) -> Debrief:
        return Debrief(self.report(), self.expert() if self.answer_key.key else None)

    def road_not_taken(self, turn: int) -> RoadNotTaken:
        """What each other choice at `turn` (1-based) would have scored, and the reply it got."""
        beat = self.session.route[turn - 1][0]
        count = len(self.vignette.beat_map[beat].choices)
        order = self.transcript.display_order(beat, count)
        return self.story.road_not_taken(self.session.route, turn, order)


def _refuse_broken(path: Path, vignette: Vignette) -> None:
    """A vignette with lint errors (a dead end, an unreachable ending...) cannot be played: a
    session could get stuck in it. The structural checks are fast; the scoring checks are lint's."""
    from simulator.content.analysis import analyse

    errors = analyse(vignette).errors
    if errors:
        raise AttuneError(
            Problem(
                str(path),
                f"this vignette cannot be played until its errors are fixed: {e.message}",
                hint=f"run `attune lint {path}` and fix what it reports",
            )
            for e in errors
        )


def _assignment(db_url: str | None, trainee: str | None, vignette_id: str) -> Assigned | None:
    """The trainee's assignment this session counts towards; an error when no attempt is left."""
    if not trainee:
        return None
    from simulator.course.courses import attempt_for
    from simulator.store.database import open_database

    return attempt_for(open_database(db_url), trainee, vignette_id)


def _claim(db_url: str | None, task: Assigned, t: Transcript) -> None:
    from simulator.course.courses import claim_attempt
    from simulator.store.database import open_database

    claim_attempt(open_database(db_url), task, t)


DbErrorHandler = Callable[[AttuneError, Path], None]
"""Told once when the course database cannot be written, with the journal that has the choices."""


def _saver(
    writer: Store,
    journal: Path,
    db_url: str | None,
    vignette: Vignette,
    rubric: Rubric,
    on_db_error: DbErrorHandler | None,
) -> Store:
    told = None if on_db_error is None else (lambda exc: on_db_error(exc, journal))
    return _Passback(SessionSaver(writer, db_url, vignette, rubric, on_db_error=told), db_url)


class _Passback:
    """The store, and once a session of an assignment has ended and been stored, its score on
    its way to the LMS the assignment came from (if any: `service.lti.session_ended`)."""

    def __init__(self, store: SessionSaver, db_url: str | None) -> None:
        self.store, self.db_url, self.sent = store, db_url, False

    def __call__(self, transcript: Transcript) -> None:
        self.store(transcript)
        if self.sent or self.store.db_error is not None:
            return  # not stored: `attune sync` stores it later, and sends the score then
        if transcript.assignment_id is None or not transcript.has_ended:
            return  # nothing to send yet: the LTI code is imported at an assignment's end only
        from simulator.service.lti import session_stored

        self.sent = session_stored(self.db_url, transcript)


def start(
    path: Path,
    vignette: Vignette,
    rubric: Rubric,
    *,
    mode: str = "practice",
    trainee: str | None = None,
    db_url: str | None = None,
    out: Path | None = None,
    source: str = "play",
    strategy: str | None = None,
    assignments: bool = True,
    use_database: bool = True,
    warm: bool = True,
    background: Runner | None = None,
    on_db_error: DbErrorHandler | None = None,
    in_order: bool = False,
    own_words: bool = False,
) -> Play:
    """Start a session of `vignette` (read from `path`) and save its first record.

    `own_words`: the trainee types their own answer before each beat's options appear (a
    trainee's choice in practice; an assignment that asks for it turns it on whatever is
    passed).

    Each beat's choices are shown shuffled (seeded by the session id, recorded in the
    transcript) unless `in_order`, which an author uses for their own checks.

    With a trainee, an assignment of this vignette sets the mode and counts the attempt (refused,
    with a clear message, when none is left). The journal is `out` if given, else the user's
    sessions folder; the course database follows each save unless `use_database` is off.
    """
    _refuse_broken(path, vignette)
    task = _assignment(db_url, trainee, vignette.id) if assignments else None
    story = Story(vignette, rubric)
    session = Session(
        vignette,
        plan=story.plan,
        rubric_version=rubric.version,
        mode=task.mode if task else mode,
        trainee=trainee,
        vignette_path=None if is_shipped(path) else str(path.resolve()),
        vignette_sha256=file_sha256(path),
        source=source,
        strategy=strategy,
        assignment_id=task.assignment_id if task else None,
        cohort_id=task.cohort_id if task else None,
        in_order=in_order,
        # a person's own words: never asked of autoplay, whatever the assignment says
        own_words=source == "play" and (own_words or bool(task and task.own_words)),
    )
    if task is not None:  # the attempt is counted and the session's row written together
        _claim(db_url, task, session.transcript)
    journal = out or session_path(session.transcript.session_id)
    writer: Store = file_store(journal) if out is not None else LatestWriter(journal)
    store: Store = (
        _saver(writer, journal, db_url, vignette, rubric, on_db_error) if use_database else writer
    )
    play = Play(
        session, rubric, store, journal=journal, task=task, background=background, story=story
    )
    play.answer_key = answer_key(path, session.transcript.mode, trainee, db_url)
    if use_database:
        play.share_searches(db_url)
    if warm and play.answer_key.key:
        play.warm(path)
    writer(session.transcript)  # on disk from its first moment
    if use_database:
        play.save()  # the course database counts the attempt from the start
    return play


def resume(
    vignette: Vignette,
    loaded: LoadedTranscript,
    rubric: Rubric,
    *,
    path: Path | None = None,
    db_url: str | None = None,
    background: Runner | None = None,
    on_db_error: DbErrorHandler | None = None,
    acting: str | None = None,
) -> Play:
    """Carry on a saved session where it stopped, saving to the same journal (`path`: the
    vignette's file, for the background search of the expert route; `acting`: whose record the
    host may write, from `course.auth.writer` or the login; nobody resumes another's session)."""
    owner = loaded.transcript.trainee
    if acting is not None and owner != acting:
        raise AttuneError.single(
            loaded.path,
            f"this session belongs to {owner or 'nobody named'}, not to {acting}",
            hint="resume only your own sessions; start a new one without --resume",
        )
    story = Story(vignette, rubric)
    session = Session.resume(vignette, loaded.transcript, plan=story.plan)
    journal = Path(loaded.path)
    store = _saver(LatestWriter(journal), journal, db_url, vignette, rubric, on_db_error)
    task = _assignment_of(db_url, loaded.transcript)
    play = Play(
        session, rubric, store, journal=journal, task=task, background=background, story=story
    )
    if path is not None:
        play.answer_key = answer_key(path, session.transcript.mode, owner, db_url)
    play.share_searches(db_url)
    if path is not None and not session.ended and play.answer_key.key:
        play.warm(path)
    return play


def _assignment_of(db_url: str | None, t: Transcript) -> Assigned | None:
    """The assignment a saved session counts towards (its rules, such as a required rationale,
    still hold when it is resumed). Without the database it is played without them."""
    if t.assignment_id is None or not t.trainee:
        return None
    from simulator.course.courses import assigned_to
    from simulator.store.database import open_database

    try:
        tasks = assigned_to(open_database(db_url), t.trainee)
    except AttuneError:
        return None
    return next((a for a in tasks if a.assignment_id == t.assignment_id), None)


def served_sessions_dir() -> Path:
    """A fresh journal folder for one browser of `attune serve` without logins (inside the
    sessions folder, where the terminal user's library does not look)."""
    import uuid

    from simulator.store.paths import data_dir

    return data_dir() / "sessions" / "served" / str(uuid.uuid4())


def latest_unfinished(vignette_id: str, where: str, trainee: str | None = None) -> LoadedTranscript:
    """The most recent unfinished session of a vignette, or a clear error."""
    pending, damaged = scan_journals(vignette_id, trainee)
    if not pending:
        raise AttuneError(
            [
                *damaged,
                Problem(
                    where,
                    f"no unfinished session of '{vignette_id}' to resume",
                    hint="start one without --resume",
                ),
            ]
        )
    return pending[0]


def db_error_note(exc: AttuneError, journal: Path) -> str:
    """What a trainee is told when the database could not be written (their choices are safe)."""
    return (
        f"the database could not be written; your choices are safe in {journal} and "
        f"`attune sync` will store them. ({exc.problems[0].message})"
    )


__all__ = [
    "AnswerKey",
    "Closing",
    "Debrief",
    "Exchange",
    "LoadedTranscript",
    "Play",
    "Session",
    "Transcript",
    "db_error_note",
    "feedback_lines",
    "latest_unfinished",
    "load_transcript",
    "resume",
    "scan_journals",
    "served_sessions_dir",
    "session_path",
    "start",
]
