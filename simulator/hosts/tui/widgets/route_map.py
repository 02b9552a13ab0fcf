"""Debrief: the route drawn on the vignette map (the beats taken, with the choices not taken)."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static


class RouteMap(Static):
    def __init__(self, **kw: Any) -> None:
        super().__init__("", markup=False, **kw)

    def show(self, rows: list[str]) -> None:
        self.update("\n".join(rows))
