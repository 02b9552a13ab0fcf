"""Debrief: alliance and arousal across the session, as two sparklines."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Sparkline, Static


class Timeline(Vertical):
    def __init__(self, alliance: list[int], arousal: list[int], **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.alliance, self.arousal = alliance, arousal

    def compose(self) -> ComposeResult:
        yield Static(
            f"Alliance over the session ({' → '.join(map(str, self.alliance))})", markup=False
        )
        yield Sparkline([float(x) for x in self.alliance], id="alliance-line")
        yield Static(
            f"Arousal over the session ({' → '.join(map(str, self.arousal))})", markup=False
        )
        yield Sparkline([float(x) for x in self.arousal], id="arousal-line")
