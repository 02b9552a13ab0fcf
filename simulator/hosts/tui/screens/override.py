"""A dialog for an assessor's change: a value and the reason for it (both required)."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class OverrideDialog(ModalScreen[tuple[str, str] | None]):
    BINDINGS = [
        Binding(
            "escape",
            "cancel",
            "Cancel",
            id="override.cancel",
            tooltip="Close without changing anything",
        )
    ]

    def __init__(
        self,
        prompt: str,
        value: str = "",
        value_hint: str = "",
        check: Callable[[str], str | None] | None = None,
    ) -> None:
        """`check` says what is wrong with a value (and how to fix it), or None: the dialog
        stays open, with everything typed, until the value passes."""
        super().__init__()
        self.prompt, self.value, self.value_hint, self.check = prompt, value, value_hint, check

    def compose(self) -> ComposeResult:
        with Vertical(id="override-box"):
            yield Static(self.prompt, markup=False)
            yield Input(value=self.value, id="override-value", placeholder=self.value_hint)
            yield Input(
                id="override-reason", placeholder="Reason (required, kept in the audit trail)"
            )
            yield Static("", id="override-error", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        value = self.query_one("#override-value", Input).value.strip()
        reason = self.query_one("#override-reason", Input).value.strip()
        if event.input.id == "override-value":
            self.query_one("#override-reason", Input).focus()
            return
        error = self.query_one("#override-error", Static)
        wrong = self.check(value) if self.check is not None and value else None
        if wrong:
            error.update(wrong)
            self.query_one("#override-value", Input).focus()
            return
        if not value or not reason:
            error.update("Both a value and a reason are needed.")
            return
        self.dismiss((value, reason))

    def action_cancel(self) -> None:
        self.dismiss(None)
