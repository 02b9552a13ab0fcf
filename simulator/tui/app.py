"""The attunement app: wires the screens to the headless core. Nothing else lives here."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

if TYPE_CHECKING:  # the core is imported when first needed, so the first frame comes fast
    from scoring.rubric import Rubric
    from simulator.auth import Identity, LoginSession
    from simulator.courses import Assigned
    from simulator.dbstore import SessionSaver
    from simulator.model import Vignette
    from simulator.session import Session
    from simulator.transcript import LoadedTranscript


class AttuneApp(App[None]):
    CSS_PATH = "attune.tcss"
    TITLE = "attunement"
    BINDINGS = [
        Binding(
            "f1,question_mark",
            "help",
            "Help",
            id="app.help",
            tooltip="Show the keys for this screen",
        ),
        Binding(
            "ctrl+t",
            "toggle_theme",
            "Theme",
            id="app.theme",
            tooltip="Switch between the light and dark themes",
        ),
        Binding(
            "ctrl+q", "quit", "Quit", id="app.quit", tooltip="Quit; your session is already saved"
        ),
    ]

    def __init__(
        self,
        *,
        library_paths: list[Path] | None = None,
        start: tuple[Path, Vignette] | None = None,
        mode: str = "practice",
        resume: tuple[Path, Vignette, LoadedTranscript] | None = None,
        trainee: str | None = None,
        rubric: Rubric | None = None,
        db_url: str | None = None,
        review: dict[str, str | None] | None = None,
        reviewer: str | None = None,
        require_login: bool = False,
    ) -> None:
        super().__init__()
        self.require_login = require_login
        self.login: LoginSession | None = None
        self.library_paths = library_paths
        self.db_url = db_url
        self.review_filters, self.reviewer = review, reviewer or ""
        self.assigned: dict[str, Assigned] = {}
        """The trainee's assignments by vignette id (filled by the library's loader)."""
        self.start, self.mode, self.resume_target, self.trainee = start, mode, resume, trainee
        self._rubric = rubric
        self.session: Session | None = None

    @property
    def rubric(self) -> Rubric:
        if self._rubric is None:
            from scoring.rubric import default_rubric

            self._rubric = default_rubric()
        return self._rubric

    def get_default_screen(self) -> Screen[Any]:
        """The library (or, for `attune review`, the transcript list) is the base screen: painted
        first, without an empty screen before it."""
        if self.require_login:
            from simulator.tui.screens.login import LoginScreen

            return LoginScreen()
        if self.review_filters is not None:
            from simulator.tui.screens.review_list import ReviewListScreen

            return ReviewListScreen(self.review_filters)
        from simulator.tui.screens.library import LibraryScreen

        return LibraryScreen()

    def on_mount(self) -> None:
        # `attune` pauses the cyclic collector for a fast start; a long session needs it back
        self.call_after_refresh(gc.enable)
        if self.resume_target:
            self.resume(*self.resume_target)
        elif self.start:
            self.open_briefing(*self.start)

    # ------------------------------------------------------------ navigation
    def open_briefing(self, path: Path, vignette: Vignette) -> None:
        from simulator.tui.screens.briefing import BriefingScreen

        self.push_screen(BriefingScreen(path, vignette, self.mode))

    def start_session(self, path: Path, vignette: Vignette, mode: str) -> None:
        from simulator.library import bundled_dir
        from simulator.session import Session
        from simulator.transcript import file_sha256

        task = self.assigned.get(vignette.id)
        if task is not None and task.attempts_left == 0:
            self.notify(
                f"All {task.attempts} attempt(s) of this assignment have been used. "
                "Ask your course leader for another.",
                title="No attempts left",
                severity="error",
            )
            return
        shipped = path.resolve().parent == bundled_dir().resolve()
        session = Session(
            vignette,
            rubric_version=self.rubric.version,
            mode=task.mode if task else mode,
            trainee=self.trainee,
            vignette_path=None if shipped else str(path.resolve()),
            vignette_sha256=file_sha256(path),
            assignment_id=task.assignment_id if task else None,
            cohort_id=task.cohort_id if task else None,
        )
        saver = self._saver(vignette, session.transcript.session_id)
        saver.journal(session.transcript)  # on disk from its first moment; the database follows
        self._play(session, saver, bool(task and task.rationale_required))

    def resume(self, path: Path, vignette: Vignette, loaded: LoadedTranscript) -> None:
        from simulator.session import Session

        session = Session.resume(vignette, loaded.transcript)
        saver = self._saver(vignette, session.transcript.session_id, Path(loaded.path))
        if session.ended:
            self.show_debrief(session)
            return
        self.notify(f"Resumed at turn {session.turn + 1}.")
        task = self.assigned.get(vignette.id)
        self._play(session, saver, bool(task and task.rationale_required))

    def _saver(
        self, vignette: Vignette, session_id: str, journal: Path | None = None
    ) -> SessionSaver:
        """The journal file first, then the course database (opened by the first save, in a worker)."""
        from simulator.dbstore import SessionSaver
        from simulator.session import LatestWriter
        from simulator.storage import session_path

        def db_failed(exc: Exception) -> None:
            message = getattr(exc, "problems", [exc])[0]
            self.call_from_thread(
                self.notify,
                f"Your choices are saved on this computer; `attune sync` will store them. ({message})",
                title="The database could not be written",
                severity="warning",
                timeout=12,
            )

        return SessionSaver(
            LatestWriter(journal or session_path(session_id)),
            self.db_url,
            vignette,
            self.rubric,
            on_db_error=db_failed,
        )

    def _play(self, session: Session, saver: SessionSaver, rationale_required: bool) -> None:
        from simulator.tui.screens.play import PlayScreen

        self.session = session
        screen = PlayScreen(session, self.rubric, saver, rationale_required)
        self.push_screen(screen)

    def show_debrief(self, session: Session) -> None:
        from simulator.tui.screens.debrief import DebriefScreen

        self.push_screen(DebriefScreen(session, self.rubric))

    # ------------------------------------------------------------ logins (shared mode)
    def logged_in(self, identity: Identity) -> None:
        """Start the logged-in person's part of the app: their library, or the review list."""
        import time

        from simulator.auth import LoginSession

        self.login = LoginSession(identity, time.monotonic())
        if identity.reviewer:
            from simulator.tui.screens.review_list import ReviewListScreen

            self.review_filters, self.reviewer = {}, identity.name
            self.push_screen(ReviewListScreen({}))
        else:
            from simulator.tui.screens.library import LibraryScreen

            self.trainee = identity.name
            self.push_screen(LibraryScreen())
        self.notify(f"Logged in as {identity.name} ({identity.role.replace('_', ' ')}).")
        self.set_interval(30, self._check_idle, name="idle-check")

    async def on_event(self, event: events.Event) -> None:
        # every key and click reaches the app first: that is activity, for the idle expiry
        if (
            self.login is not None
            and isinstance(event, (events.Key, events.MouseDown))
            and not event.is_forwarded
        ):
            self._check_idle()
        await super().on_event(event)

    def _check_idle(self) -> None:
        """An idle login expires: back to the login screen (every choice is already saved)."""
        import time

        from simulator.errors import AttuneError

        if self.login is None:
            return
        try:
            self.login.touch(time.monotonic())
        except AttuneError as exc:
            from simulator.tui.screens.login import LoginScreen

            self.login = None
            self.trainee = None
            self.review_filters = None
            while len(self.screen_stack) > 1:
                self.pop_screen()
            if isinstance(self.screen, LoginScreen):
                self.screen.expired(f"{exc.problems[0].message}. {exc.problems[0].hint}")

    def open_review(self, session_id: str) -> None:
        from simulator.tui.screens.review import TranscriptReviewScreen

        self.push_screen(TranscriptReviewScreen(session_id))

    def show_library(self) -> None:
        # the library is the base screen, or sits just above the login screen
        while len(self.screen_stack) > (2 if self.login is not None else 1):
            self.pop_screen()

    # ------------------------------------------------------------ app-wide actions
    def action_help(self) -> None:
        from simulator.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Library", "Back to the vignette library", self.show_library)
        yield SystemCommand(
            "Toggle light/dark",
            "Switch between the light and dark themes",
            self.action_toggle_theme,
        )
        yield SystemCommand("Help", "Show the keys for this screen", self.action_help)


def make_app(**kw: object) -> AttuneApp:
    """One factory for the CLI and the tests."""
    return AttuneApp(**kw)  # type: ignore[arg-type]
