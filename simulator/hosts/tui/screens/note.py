"""A small dialog for a rationale note or a check-in answer; dismisses with the text or None."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class NoteDialog(ModalScreen[str | None]):
    BINDINGS = [
        Binding(
            "escape", "cancel", "Cancel", id="note.cancel", tooltip="Close without saving the note"
        )
    ]

    def __init__(self, prompt: str, value: str = "") -> None:
        super().__init__()
        self.prompt, self.value = prompt, value

    def compose(self) -> ComposeResult:
        with Vertical(id="note-box"):
            yield Static(self.prompt, markup=False)
            yield Input(value=self.value, id="note-input", placeholder="Type, then Enter")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
