"""A playing session: vignette position, client state and transcript, saved after every event.

Hosts (the TUI, the plain player, autoplay) wrap a `Session`; they do not subclass it. Each event
is written durably before `choose` returns (write to a temporary file, fsync, atomic rename,
fsync the folder), so a kill between two choices loses nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from simulator.content.model import Choice, Vignette
from simulator.errors import AttuneError
from simulator.files import atomic_write
from simulator.play.chain import extend, sealed
from simulator.play.engine import ClientState, Plan, StepResult
from simulator.play.transcript import ChoiceEvent, EndEvent, RewindEvent, Transcript, layout, now

Store = Callable[[Transcript], None]

PRIVATE = 0o600
"""Journals are readable by their owner only: they hold a trainee's choices and notes."""


def file_store(path: Path) -> Store:
    return lambda transcript: atomic_write(path, transcript.to_json(), mode=PRIVATE)


class Session:
    def __init__(
        self,
        vignette: Vignette,
        *,
        rubric_version: str,
        mode: str = "practice",
        trainee: str | None = None,
        vignette_path: str | None = None,
        vignette_sha256: str | None = None,
        store: Store | None = None,
        plan: Plan | None = None,
        source: str = "play",
        strategy: str | None = None,
        assignment_id: int | None = None,
        cohort_id: int | None = None,
        in_order: bool = False,
        own_words: bool = False,
    ) -> None:
        """`in_order` shows the choices as authored (for an author's own checks); otherwise
        each beat's choices are shuffled, seeded by the session id, so position gives nothing
        away. `own_words`: the trainee types their own answer before the options appear."""
        self.vignette = vignette
        self.store = store
        self._transcript = Transcript(
            session_id=str(uuid.uuid4()),
            vignette_id=vignette.id,
            vignette_sha256=vignette_sha256,
            vignette_path=vignette_path,
            rubric_version=rubric_version,
            mode=mode,
            trainee=trainee,
            source=source,
            strategy=strategy,
            assignment_id=assignment_id,
            cohort_id=cohort_id,
            started_at=now(),
            order="authored" if in_order else "shuffled",
            own_words=True if own_words else None,
        )
        self._transcript = sealed(self._transcript)
        self.plan = plan or Plan(vignette)
        """The vignette compiled for stepping (shared with a scorer's `Story` when given)."""
        self.node, self.state = self.plan.begin()
        self.route: list[tuple[str, int]] = []
        self.history: list[tuple[str, ClientState]] = [(self.node, self.state)]
        self.ended = False
        self.ending: str | None = None
        self.last: StepResult | None = None

    # ------------------------------------------------------------ queries
    @property
    def transcript(self) -> Transcript:
        return self._transcript

    @property
    def mode(self) -> str:
        return self._transcript.mode

    @property
    def turn(self) -> int:
        return len(self.route)

    def offered(self) -> list[Choice]:
        """The current beat's choices in their authored order (a choice's index is its identity)."""
        if self.ended:
            return []
        return list(self.vignette.beat_map[self.node].choices)

    def order(self) -> list[int]:
        """The authored indices of the current beat's choices, in the order the trainee sees them."""
        if self.ended:
            return []
        count = len(self.vignette.beat_map[self.node].choices)
        return self._transcript.display_order(self.node, count)

    # ------------------------------------------------------------ actions
    def choose(
        self,
        index: int,
        *,
        rationale: str | None = None,
        checkin: str | None = None,
        elapsed_ms: int | None = None,
        own_words: str | None = None,
    ) -> StepResult:
        """Apply choice `index` (0-based) and save before returning."""
        if self.ended:
            raise AttuneError.single(self._transcript.session_id, "the session has ended")
        choices = self.offered()
        if not 0 <= index < len(choices):
            raise AttuneError.single(
                self._transcript.session_id,
                f"there is no choice {index + 1} here (1 to {len(choices)})",
            )
        result = self.plan.step(self.node, self.state, index)
        event = ChoiceEvent(
            seq=len(self._transcript.events),
            at=now(),
            turn=self.turn + 1,
            beat=self.node,
            choice=index + 1,
            say=choices[index].say,
            elapsed_ms=elapsed_ms,
            rationale=rationale or None,
            checkin=checkin or None,
            order=[i + 1 for i in self.order()] if self._transcript.order == "shuffled" else None,
            own_words=own_words.strip() or None if own_words else None,
        )
        events: list[ChoiceEvent | RewindEvent | EndEvent] = [event]
        self.route.append((self.node, index))
        self.node, self.state, self.last = result.node, result.state, result
        self.history.append((self.node, self.state))
        if result.ended:
            self.ended, self.ending = True, result.ending
            events.append(
                EndEvent(seq=event.seq + 1, at=now(), ending=result.ending or result.node)
            )
        self._append(*events)
        return result

    def rewind(self, to_turn: int) -> None:
        """Practice mode: go back to the state after `to_turn` choices. The record keeps the rest."""
        if self.mode != "practice":
            raise AttuneError.single(
                self._transcript.session_id, "rewind is only available in practice mode"
            )
        if not 0 <= to_turn < self.turn or (self.ended and to_turn >= self.turn):
            raise AttuneError.single(
                self._transcript.session_id, f"cannot rewind to turn {to_turn}"
            )
        del self.route[to_turn:]
        del self.history[to_turn + 1 :]
        self.node, self.state = self.history[-1]
        self.ended, self.ending, self.last = False, None, None
        self._append(RewindEvent(seq=len(self._transcript.events), at=now(), to_turn=to_turn))

    def _append(self, *events: ChoiceEvent | RewindEvent | EndEvent) -> None:
        self._transcript = extend(self._transcript, list(events))
        if self.store is not None:
            self.store(self._transcript)

    # ------------------------------------------------------------ resume
    @classmethod
    def resume(
        cls,
        vignette: Vignette,
        transcript: Transcript,
        store: Store | None = None,
        plan: Plan | None = None,
    ) -> Session:
        """Rebuild a session from its transcript (replaying the route that stands)."""
        session = cls(vignette, rubric_version=transcript.rubric_version, store=None, plan=plan)
        session._transcript = transcript
        for event in transcript.route():
            if session.ended or event.beat != session.node:
                raise AttuneError.single(
                    transcript.session_id,
                    f"the saved session does not fit vignette '{vignette.id}' at turn {event.turn}",
                    hint="the vignette may have changed since the session was saved; start it again",
                )
            result = session.plan.step(session.node, session.state, event.choice - 1)
            session.route.append((session.node, event.choice - 1))
            session.node, session.state, session.last = result.node, result.state, result
            session.history.append((session.node, session.state))
            if result.ended:
                session.ended, session.ending = True, result.ending
        session.store = store
        return session


class LatestWriter:
    """Saves transcripts from worker threads in order: an older transcript never overwrites a newer one.

    Events are append-only, so each is serialised once and the file is the header plus the joined
    events: saving stays cheap however long the session grows.
    """

    def __init__(self, path: Path) -> None:
        import threading

        self.path = path
        self._lock = threading.Lock()
        self._written = -1
        self._events: list[str] = []

    def __call__(self, transcript: Transcript) -> None:
        with self._lock:
            if len(transcript.events) <= self._written:
                return
            for event in transcript.events[len(self._events) :]:
                self._events.append(event.model_dump_json())
            atomic_write(self.path, layout(transcript.header_json(), self._events), mode=PRIVATE)
            self._written = len(transcript.events)
