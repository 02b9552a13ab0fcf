"""A dialog to rate the trainee's reflective practice (check-ins and rationales) on a short scale
with descriptors, with an optional note."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, RadioButton, RadioSet, Static


class ReflectionDialog(ModalScreen[tuple[int, str] | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="reflection.cancel", tooltip="Close unrated")
    ]

    def __init__(self, scale: tuple[tuple[str, str], ...], notes: str) -> None:
        super().__init__()
        self.scale, self.notes = scale, notes

    def compose(self) -> ComposeResult:
        with Vertical(id="reflection-box"):
            yield Static("Rate the reflective practice (provisional scale)", classes="title")
            yield Static(self.notes, id="reflection-notes", markup=False)
            with RadioSet(id="reflection-level"):
                # no default: a level is chosen, never taken by pressing Enter
                for level, (name, descriptor) in enumerate(self.scale):
                    yield RadioButton(f"{level} {name}: {descriptor}", id=f"level-{level}")
            yield Input(id="reflection-note", placeholder="A note (optional), then Enter")
            yield Static("", id="reflection-error", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        pressed = self.query_one(RadioSet).pressed_button
        if pressed is None or not pressed.id:
            self.query_one("#reflection-error", Static).update("Choose a level first.")
            return
        self.dismiss((int(pressed.id.removeprefix("level-")), event.value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)
