"""Help: every key of the screen underneath, with what it does."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "close", "Close", id="help.close", tooltip="Close the help")]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        rows = ["Keys", ""]
        seen = set()
        for binding in [*self.under.BINDINGS, *self.app.BINDINGS]:
            if not isinstance(binding, Binding) or binding.id in seen:
                continue
            seen.add(binding.id)
            rows.append(
                f"{binding.key:<14} {binding.description or binding.action:<12} {binding.tooltip}"
            )
        rows += [
            "",
            "Ctrl+P opens the command palette. Every choice is saved the moment you make it.",
        ]
        with VerticalScroll(id="help-box"):
            yield Static("\n".join(rows), markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
