"""Briefing: who the client is, what the vignette trains, content notes, and the mode."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from simulator.hosts.tui.screens.base import AttuneScreen
from simulator.hosts.tui.widgets.header import SafeHeader
from simulator.service.library import Vignette

MODES = {
    "practice": "Practice: after each choice you see the client's state and the feedback on it, and you can rewind.",
    "assessment": "Assessment: no feedback and no rewind until the debrief. Your transcript may be reviewed.",
}


class BriefingScreen(AttuneScreen):
    BINDINGS = [
        Binding("enter,s", "start", "Start", id="briefing.start", tooltip="Start the session"),
        Binding(
            "m",
            "toggle_mode",
            "Mode",
            id="briefing.mode",
            tooltip="Switch between practice and assessment",
        ),
        Binding(
            "w",
            "toggle_own_words",
            "Own words",
            id="briefing.own-words",
            tooltip="Own words first: type what you would say before the options appear",
        ),
        Binding(
            "escape", "app.pop_screen", "Back", id="briefing.back", tooltip="Back to the library"
        ),
    ]

    def __init__(self, path: Path, vignette: Vignette, mode: str) -> None:
        super().__init__()
        self.path, self.vignette, self.mode = path, vignette, mode

    def compose(self) -> ComposeResult:
        v = self.vignette
        yield SafeHeader()
        with VerticalScroll(id="briefing"):
            yield Static(v.title, classes="title", markup=False)
            yield Static(f"{v.client.name}. {v.client.background}", markup=False)
            yield Static(
                f"Setting: {v.setting}. About {v.minutes} minutes, {v.difficulty}.", markup=False
            )
            yield Static("Learning objectives", classes="heading")
            yield Static("\n".join(f"• {o}" for o in v.objectives), markup=False)
            if v.content_notes:
                yield Static("Content notes", classes="heading")
                yield Static("\n".join(f"• {n}" for n in v.content_notes), markup=False)
            yield Static("", id="mode", markup=False)
            yield Static("", id="own-words-mode", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._show_mode()

    def _show_mode(self) -> None:
        self.query_one("#mode", Static).update(MODES[self.mode] + "  (m to switch)")
        self.query_one("#own-words-mode", Static).update(
            "Own words first: on. At each moment you type what you would say, then choose the "
            "closest option.  (w to switch off)"
            if self.attune.own_words
            else "Own words first: off.  (w: type your own answer before the options appear)"
        )

    def action_toggle_own_words(self) -> None:
        self.attune.own_words = not self.attune.own_words
        self._show_mode()

    def action_toggle_mode(self) -> None:
        self.mode = "assessment" if self.mode == "practice" else "practice"
        self._show_mode()

    def action_start(self) -> None:
        self.attune.start_session(self.path, self.vignette, self.mode)
