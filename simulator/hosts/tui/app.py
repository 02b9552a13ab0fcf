"""The attunement app: wires the screens to the headless core. Nothing else lives here."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

if TYPE_CHECKING:  # the core is imported when first needed, so the first frame comes fast
    from simulator.errors import AttuneError
    from simulator.service.courses import Assigned, Identity, LoginSession
    from simulator.service.library import Vignette
    from simulator.service.play import LoadedTranscript, Play
    from simulator.service.scores import Rubric


class AttuneApp(App[None]):
    CSS_PATH = "attune.tcss"
    TITLE = "attunement"
    # classes the stylesheet uses to fit small terminals (60x20 and 80x24 stay usable)
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (80, "-normal"), (120, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (28, "-tall")]

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
            show=False,  # in the help and the palette; the footer keeps room for the session's keys
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
        check_shared: bool = False,
        in_order: bool = False,
        own_words: bool = False,
        identity: Identity | None = None,
        login_notice: str = "",
    ) -> None:
        super().__init__()
        self.in_order = in_order
        self.own_words = own_words
        """Own words first, for the sessions this app starts (an assignment can also ask)."""
        """Show choices as authored rather than shuffled (`attune play --in-order`)."""
        self.require_login = require_login
        self.check_shared = check_shared
        """Find out (in a worker, after the first frame) whether the database is shared."""
        self._shared: bool | None = None
        self.login: LoginSession | None = None
        self.library_paths = library_paths
        self.db_url = db_url
        self.review_filters, self.reviewer = review, reviewer or ""
        self.assigned: dict[str, Assigned] = {}
        """The trainee's assignments by vignette id (filled by the library's loader)."""
        self.start, self.mode, self.resume_target, self.trainee = start, mode, resume, trainee
        self._rubric = rubric
        self.session: Play | None = None
        self.login_notice = login_notice
        """Why the login screen is shown (a launch from an LMS that could not be opened)."""
        self.login_at_base = require_login
        """Whether a screen from before the login (the login screen itself, or the library that
        asked for it) stays below the logged-in person's library."""
        if identity is not None:
            self._launched(identity)

    def _launched(self, identity: Identity) -> None:
        """A person the LMS has authenticated (`attune serve` as an LTI tool): logged in from
        the start, for as long as the browser's page is open (the LMS keeps the session)."""
        import math
        import time

        from simulator.service.courses import LoginSession

        self.login = LoginSession(identity, time.monotonic(), idle_expiry_s=math.inf)
        if identity.reviewer:
            self.reviewer = identity.name
            self.review_filters = self.review_filters or {}
        else:
            self.trainee = identity.name

    @property
    def rubric(self) -> Rubric:
        if self._rubric is None:
            from simulator.service.scores import default_rubric

            self._rubric = default_rubric()
        return self._rubric

    def get_default_screen(self) -> Screen[Any]:
        """The library (or, for `attune review`, the transcript list) is the base screen: painted
        first, without an empty screen before it."""
        if self.require_login:
            from simulator.hosts.tui.screens.login import LoginScreen

            return LoginScreen(self.login_notice)
        if self.review_filters is not None:
            from simulator.hosts.tui.screens.review_list import ReviewListScreen

            return ReviewListScreen(self.review_filters)
        from simulator.hosts.tui.screens.library import LibraryScreen

        return LibraryScreen()

    def on_mount(self) -> None:
        # `attune` pauses the cyclic collector for a fast start; a long session needs it back
        self.call_after_refresh(gc.enable)
        if self.check_shared:
            self.run_worker(self._check_shared, thread=True, group="gate", name="gate")
        if self.resume_target:
            self.resume(*self.resume_target)
        elif self.start:
            self.open_briefing(*self.start)

    # ------------------------------------------------------------ navigation
    def open_briefing(self, path: Path, vignette: Vignette) -> None:
        from simulator.hosts.tui.screens.briefing import BriefingScreen

        self.push_screen(BriefingScreen(path, vignette, self.mode))

    # ------------------------------------------------------------ the write gate
    def _check_shared(self) -> None:
        from simulator.service.courses import shared_database

        shared = shared_database(self.db_url)
        self.call_from_thread(self._shared_known, shared)

    def _shared_known(self, shared: bool) -> None:
        if self._shared is not None:
            return  # answered already (a session start asked before the worker did)
        self._shared = shared
        if shared and self.login is None:
            # a shared course: log in first; the login decides whose record a session writes
            from simulator.hosts.tui.screens.login import LoginScreen

            self.require_login, self.trainee = True, None
            self.login_at_base = True  # the login (then its library) sits above this library
            self.start = self.resume_target = None
            while len(self.screen_stack) > 1:
                self.pop_screen()
            self.push_screen(LoginScreen())  # above the library, which waits for the login

    def _may_write(self) -> bool:
        """Whether a session may be written now: never in a shared course before a login. Asks
        the database here only if the check begun at mount has not answered yet."""
        if self.check_shared and self._shared is None:
            from simulator.service.courses import shared_database

            self._shared_known(shared_database(self.db_url))
        return not (self.require_login and self.login is None)

    def start_session(self, path: Path, vignette: Vignette, mode: str) -> None:
        from simulator.errors import AttuneError
        from simulator.service import play as service

        if not self._may_write():
            return

        try:
            run = service.start(
                path,
                vignette,
                self.rubric,
                mode=mode,
                trainee=self.trainee,
                db_url=self.db_url,
                background=self._in_worker,
                on_db_error=self._db_failed,
                in_order=self.in_order,
                own_words=self.own_words,
            )
        except AttuneError as exc:
            self._refused(exc)
            return
        self._play(run)

    def resume(self, path: Path, vignette: Vignette, loaded: LoadedTranscript) -> None:
        from simulator.errors import AttuneError
        from simulator.service import play as service

        if not self._may_write():
            return
        try:
            run = service.resume(
                vignette,
                loaded,
                self.rubric,
                path=path,
                db_url=self.db_url,
                background=self._in_worker,
                on_db_error=self._db_failed,
                acting=self.trainee,
            )
        except AttuneError as exc:
            self._refused(exc)
            return
        if run.ended:
            self.show_debrief(run)
            return
        self.notify(f"Resumed at turn {run.turn + 1}.")
        self._play(run)

    def _refused(self, exc: AttuneError) -> None:
        """A session that cannot start or resume says why, and the player stays where it is."""
        problem = exc.problems[0]
        self.notify(f"{problem.message}. {problem.hint or ''}".strip(), severity="error")

    def _in_worker(self, save: Callable[[], None]) -> None:
        """Saves run in a worker thread: the journal, then the course database."""
        self.run_worker(save, thread=True, group="save", name="save")

    def _db_failed(self, exc: AttuneError, journal: Path) -> None:
        from simulator.service.play import db_error_note

        note = db_error_note(exc, journal)
        self.call_from_thread(
            self.notify,
            note[:1].upper() + note[1:],
            title="The database could not be written",
            severity="warning",
            timeout=12,
        )

    def _play(self, run: Play) -> None:
        from simulator.hosts.tui.screens.play import PlayScreen

        if self.session is not None and self.session is not run:
            self.session.close()  # the journal of the session left behind is free again
        self.session = run
        self.push_screen(PlayScreen(run))

    def show_closing(self, run: Play) -> None:
        """The ending's scene first (the client's last words), then the debrief."""
        from simulator.hosts.tui.screens.closing import ClosingScreen

        self.push_screen(ClosingScreen(run))

    def show_debrief(self, run: Play) -> None:
        from simulator.hosts.tui.screens.debrief import DebriefScreen

        self.push_screen(DebriefScreen(run))

    # ------------------------------------------------------------ logins (shared mode)
    def logged_in(self, identity: Identity) -> None:
        """Start the logged-in person's part of the app: their library, or the review list."""
        import time

        from simulator.service.courses import LoginSession

        self.login = LoginSession(identity, time.monotonic())
        if len(self.screen_stack) > 1:  # a login above the library (the terminal player's gate)
            self.pop_screen()
        if identity.reviewer:
            from simulator.hosts.tui.screens.review_list import ReviewListScreen

            self.review_filters, self.reviewer = {}, identity.name
            self.push_screen(ReviewListScreen({}))
        else:
            from simulator.hosts.tui.screens.library import LibraryScreen

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
            from simulator.hosts.tui.screens.login import LoginScreen

            self.login = None
            self.trainee = None
            self.review_filters = None
            while len(self.screen_stack) > 1:
                self.pop_screen()
            notice = f"{exc.problems[0].message}. {exc.problems[0].hint}"
            if isinstance(self.screen, LoginScreen):
                self.screen.expired(notice)
            else:  # the terminal player's login sits above its library
                self.push_screen(LoginScreen(notice))

    def open_review(self, session_id: str) -> None:
        from simulator.hosts.tui.screens.review import TranscriptReviewScreen

        self.push_screen(TranscriptReviewScreen(session_id))

    def show_library(self) -> None:
        # the library is the base screen, or sits just above the login screen
        while len(self.screen_stack) > (2 if self.login_at_base and self.login else 1):
            self.pop_screen()
        if self.session is not None:
            self.session.close()  # back in the library: the session may be resumed again

    def on_unmount(self) -> None:
        if self.session is not None:
            self.session.close()

    # ------------------------------------------------------------ app-wide actions
    def action_help(self) -> None:
        from simulator.hosts.tui.screens.help import HelpScreen

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
        from simulator.hosts.tui.screens.play import PlayScreen

        if isinstance(screen, PlayScreen):  # the session's own actions, where they apply
            for title, help_, action in (
                ("Rationale", "Add a note on why you choose what you choose", "rationale"),
                ("Check-in", "Answer this moment's self-awareness check-in", "checkin"),
                ("Rewind", "Take back your last choice (practice mode)", "rewind"),
            ):
                if screen.check_action(action, ()) is not False:
                    yield SystemCommand(title, help_, getattr(screen, f"action_{action}"))


def make_app(**kw: object) -> AttuneApp:
    """One factory for the CLI and the tests."""
    return AttuneApp(**kw)  # type: ignore[arg-type]
