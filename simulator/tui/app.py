"""The attunement app: wires the screens to the headless core. Nothing else lives here."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

if TYPE_CHECKING:  # the core is imported when first needed, so the first frame comes fast
    from scoring.rubric import Rubric
    from simulator.model import Vignette
    from simulator.session import LatestWriter, Session
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
    ) -> None:
        super().__init__()
        self.library_paths = library_paths
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
        """The library is the base screen: painted first, without an empty screen before it."""
        from simulator.tui.screens.library import LibraryScreen

        return LibraryScreen()

    def on_mount(self) -> None:
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
        from simulator.session import LatestWriter, Session
        from simulator.storage import session_path
        from simulator.transcript import file_sha256

        shipped = path.resolve().parent == bundled_dir().resolve()
        session = Session(
            vignette,
            rubric_version=self.rubric.version,
            mode=mode,
            trainee=self.trainee,
            vignette_path=None if shipped else str(path.resolve()),
            vignette_sha256=file_sha256(path),
        )
        writer = LatestWriter(session_path(session.transcript.session_id))
        writer(session.transcript)
        self._play(session, writer)

    def resume(self, path: Path, vignette: Vignette, loaded: LoadedTranscript) -> None:
        from simulator.session import LatestWriter, Session

        session = Session.resume(vignette, loaded.transcript)
        writer = LatestWriter(Path(loaded.path))
        if session.ended:
            self.show_debrief(session)
            return
        self.notify(f"Resumed at turn {session.turn + 1}.")
        self._play(session, writer)

    def _play(self, session: Session, writer: LatestWriter) -> None:
        from simulator.tui.screens.play import PlayScreen

        self.session = session
        self.push_screen(PlayScreen(session, self.rubric, writer))

    def show_debrief(self, session: Session) -> None:
        from simulator.tui.screens.debrief import DebriefScreen

        self.push_screen(DebriefScreen(session, self.rubric))

    def show_library(self) -> None:
        while len(self.screen_stack) > 1:
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
