"""Debrief: one selectable item per turn, with its explanation and the client's inner experience."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import ListItem, Static


class TurnItem(ListItem):
    def __init__(self, turn: int, text: str, cost: bool) -> None:
        super().__init__(classes="-cost" if cost else "")
        self.turn = turn
        self.text = text

    def compose(self) -> ComposeResult:
        yield Static(self.text, markup=False)
