"""What the client says and how they look, shown literally (vignette text is never markup)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static


class ClientStatement(Vertical):
    def __init__(self, name: str, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.client_name = name

    def compose(self) -> ComposeResult:
        yield Static("", id="statement", markup=False)
        yield Static("", id="nonverbal", markup=False)

    def show(self, text: str, nonverbal: str | None) -> None:
        self.query_one("#statement", Static).update(f'{self.client_name}: "{text}"')
        cue = self.query_one("#nonverbal", Static)
        cue.update(f"({nonverbal})" if nonverbal else "")
        cue.display = bool(nonverbal)
