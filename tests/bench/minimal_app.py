"""The baseline for the player benchmarks: a minimal Textual app that swaps one label per key."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Label


class Minimal(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.n = 0

    def compose(self) -> ComposeResult:
        yield Label("statement 0", id="statement")

    def on_key(self) -> None:
        self.n += 1
        self.query_one("#statement", Label).update(f"statement {self.n}")


if __name__ == "__main__":
    Minimal().run()
