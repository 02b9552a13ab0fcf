"""The closing scene: how the session ended, in the client's last words, before the debrief."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from simulator.hosts.tui.screens.base import AttuneScreen
from simulator.hosts.tui.widgets.header import SafeHeader

if TYPE_CHECKING:
    from simulator.service.play import Play


class ClosingScreen(AttuneScreen):
    BINDINGS = [
        Binding(
            "enter,d",
            "debrief",
            "Debrief",
            id="closing.debrief",
            tooltip="See your score and what it rests on",
        ),
    ]

    def __init__(self, run: Play) -> None:
        super().__init__()
        self.run = run

    def compose(self) -> ComposeResult:
        closing = self.run.closing()
        v = self.run.vignette
        yield SafeHeader()
        with VerticalScroll(id="closing"):
            yield Static(closing.title, classes="title", markup=False, id="closing-title")
            if closing.client:
                yield Static(
                    f'{v.client.name}: "{closing.client}"', markup=False, id="closing-words"
                )
            if closing.turn_limit:
                yield Static(
                    f"The session reached its limit of {v.turn_limit} choices without an ending: "
                    "it scores as stalled. Nothing was lost; every choice is in the record.",
                    markup=False,
                    id="closing-words",
                )
            yield Static("Press Enter for your debrief.", classes="hint", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"{self.run.vignette.title} — the end of the session"
        # while the client's last words are read, the debrief's code is made ready
        self.call_after_refresh(self._prepare_debrief)

    def _prepare_debrief(self) -> None:
        import simulator.hosts.tui.screens.debrief  # noqa: F401

    def action_debrief(self) -> None:
        self.attune.show_debrief(self.run)
