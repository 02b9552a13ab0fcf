"""Where sessions live on this computer: one versioned JSON transcript (the journal) per session in
the user's data directory, written before the course database."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from simulator.errors import AttuneError, Problem
from simulator.play.transcript import LoadedTranscript, load_transcript


def data_dir() -> Path:
    from simulator.settings import settings

    override = settings().data_dir
    if override:
        return override
    from platformdirs import user_data_dir

    return Path(user_data_dir("attunement", appauthor=False))


def sessions_dir() -> Path:
    from simulator.settings import settings

    return settings().sessions_dir or data_dir() / "sessions"


def session_path(session_id: str) -> Path:
    return sessions_dir() / f"{session_id}.json"


class Journals(NamedTuple):
    unfinished: list[LoadedTranscript]
    """Sessions without an ending, newest first."""
    damaged: list[Problem]
    """Journals that cannot be read, each located, with how to recover."""


def scan_journals(vignette_id: str | None = None, trainee: str | None = None) -> Journals:
    """The saved sessions without an ending, newest first, and every journal that cannot be read
    (never skipped in silence); only `trainee`'s when one is given (on a shared server, nobody
    resumes someone else's session)."""
    folder = sessions_dir()
    if not folder.is_dir():
        return Journals([], [])
    found: list[LoadedTranscript] = []
    damaged: list[Problem] = []
    for path in sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True):
        try:
            loaded = load_transcript(path)
        except AttuneError as exc:
            first = exc.problems[0]
            damaged.append(
                first._replace(
                    message=f"a saved session is damaged and cannot be resumed: {first.message}",
                    hint=f"`attune verify {path}` shows what changed; the course database keeps "
                    "its own copy of every stored choice (`attune export --session ID`). Move "
                    "the file out of the sessions folder once you have what you need.",
                )
            )
            continue
        t = loaded.transcript
        if (
            t.ending is None
            and t.events  # a session left before its first choice has nothing to resume
            and (vignette_id is None or t.vignette_id == vignette_id)
            and (trainee is None or t.trainee == trainee)
        ):
            found.append(loaded)
    return Journals(found, damaged)


class JournalLock:
    """Holds a session's journal while it is played, so a second window cannot resume the same
    session and interleave its choices with this one's. The lock is the kernel's (`flock` on a
    `.lock` file beside the journal): a killed player releases it by dying."""

    def __init__(self, journal: Path) -> None:
        self.path = journal.with_suffix(".lock")
        self._fd: int | None = None

    def acquire(self, session_id: str) -> JournalLock:
        import fcntl
        import os

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise AttuneError.single(
                f"session {session_id}",
                "this session is already open in another window",
                hint="carry on there, or close it first; two players on one session would mix "
                "their choices",
            ) from None
        self._fd = fd
        return self

    def release(self) -> None:
        import os

        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the lock
            self._fd = None


def is_course_copy(path: Path) -> bool:
    """Whether `path` is this machine's copy of a course vignette from the database (in
    `<data dir>/course-vignettes`, written by `simulator.store.vignettes.local_copy`)."""
    try:
        return path.resolve().is_relative_to((data_dir() / "course-vignettes").resolve())
    except OSError:
        return False
