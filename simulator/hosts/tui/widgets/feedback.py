"""Practice mode: the feedback on the last choice, a line per rule that fired, each naming its
instrument (the most telling first)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.widgets import Static

if TYPE_CHECKING:
    from simulator.service.scores import Line


class FeedbackLine(Static):
    def __init__(self, **kw: Any) -> None:
        super().__init__("", markup=False, **kw)

    def show(self, lines: list[Line]) -> None:
        self.update(
            "\n".join(f"{ln.points:+d}  {ln.rule}: {ln.text}  ({ln.source})" for ln in lines)
        )
        points = lines[0].points if lines else 0
        self.set_class(points < 0, "-cost")
        self.set_class(points > 0, "-credit")
