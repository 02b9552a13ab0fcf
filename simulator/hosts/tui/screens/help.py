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

    def _keys(self, binding: Binding) -> str:
        """The binding's keys as a person reads them ("F1 or ?"), not Textual's names."""
        return " or ".join(
            self.app.get_key_display(Binding(key.strip(), binding.action))
            for key in binding.key.split(",")
        )

    def _available(self, binding: Binding) -> bool:
        """Whether the key does something on the screen underneath right now (a choice number
        beyond the responses offered does not)."""
        name, _, rest = binding.action.partition("(")
        params = tuple(p.strip() for p in rest.rstrip(")").split(",") if p.strip())
        return self.under.check_action(name, params) is not False

    def compose(self) -> ComposeResult:
        rows = ["Keys", ""]
        seen = set()
        choose = [
            b
            for b in self.under.BINDINGS
            if isinstance(b, Binding) and b.action.startswith("choose(") and self._available(b)
        ]
        if choose:  # one row for the response numbers that exist here
            first, last = choose[0].key, choose[-1].key
            span = first if first == last else f"{first} to {last}"
            rows.append(f"{span:<14} {'Choose':<12} Choose the response with that number")
        for binding in [*self.under.BINDINGS, *self.app.BINDINGS]:
            if not isinstance(binding, Binding) or binding.id in seen:
                continue
            seen.add(binding.id)
            if binding.action.startswith("choose("):
                continue
            label = binding.description or binding.action
            note = "" if self._available(binding) else "  (not available now)"
            rows.append(f"{self._keys(binding):<14} {label:<12} {binding.tooltip}{note}")
        rows += [
            "",
            "Ctrl+P opens the command palette. Every choice is saved the moment you make it.",
        ]
        with VerticalScroll(id="help-box"):
            yield Static("\n".join(rows), markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
