"""A dialog to sign off a transcript: competent or not yet, with a summary for the trainee."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, RadioButton, RadioSet, Static


class SignOffDialog(ModalScreen[tuple[str, str] | None]):
    BINDINGS = [
        Binding(
            "escape", "cancel", "Cancel", id="signoff.cancel", tooltip="Close without signing off"
        )
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="signoff-box"):
            yield Static("Sign off this transcript", classes="title")
            with RadioSet(id="verdict"):
                # no default: a verdict is chosen, never taken by pressing Enter
                yield RadioButton("Competent", id="competent")
                yield RadioButton("Not yet", id="not_yet")
            yield Input(id="summary", placeholder="Summary for the trainee (required), then Enter")
            yield Static("", id="signoff-error", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        summary = event.value.strip()
        if not summary:
            self.query_one("#signoff-error", Static).update("A summary is needed.")
            return
        pressed = self.query_one(RadioSet).pressed_button
        if pressed is None or not pressed.id:
            self.query_one("#signoff-error", Static).update("Choose Competent or Not yet first.")
            return
        self.dismiss((pressed.id, summary))

    def action_cancel(self) -> None:
        self.dismiss(None)
