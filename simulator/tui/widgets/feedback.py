"""Practice mode: one line of feedback naming the rule that fired and its instrument."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static


class FeedbackLine(Static):
    def __init__(self, **kw: Any) -> None:
        super().__init__("", markup=False, **kw)

    def show(self, points: int, rule: str, text: str, source: str) -> None:
        self.update(f"{points:+d}  {rule}: {text}  ({source})")
        self.set_class(points < 0, "-cost")
        self.set_class(points > 0, "-credit")
