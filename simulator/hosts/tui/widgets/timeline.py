"""Debrief: the session over time. Alliance as a sparkline; arousal as a small chart with a turn
axis and the client's window of tolerance drawn as a band, so the moments outside it stand out."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Sparkline, Static

CELL = 4
"""Characters per turn on the arousal chart."""


def arousal_chart(values: list[int], low: int, high: int) -> Text:
    """Arousal at the start and after each turn, one column per turn, the window as a band."""
    top = min(10, max([*values, high]) + 1)
    bottom = max(0, min([*values, low]) - 1)
    text = Text()
    for level in range(top, bottom - 1, -1):
        inside = low <= level <= high
        text.append(f"{level:>3} ", style="dim")
        text.append("┤" if level in (low, high) else "│", style="dim")
        for value in values:
            cell = "●".center(CELL) if value == level else " " * CELL
            style = "bold yellow" if value == level and not inside else "bold"
            text.append(
                cell, style=(style if value == level else "") + (" on #16324a" if inside else "")
            )
        if level == high:
            text.append(f"  window top ({high})", style="dim")
        elif level == low:
            text.append(f"  window bottom ({low})", style="dim")
        text.append("\n")
    text.append("    └" + "┬".center(CELL, "─") * len(values) + "\n", style="dim")
    text.append("     " + "".join(str(n).center(CELL) for n in range(len(values))), style="dim")
    text.append("  turn", style="dim")
    return text


class Timeline(Vertical):
    def __init__(
        self, alliance: list[int], arousal: list[int], window: tuple[int, int], **kw: object
    ) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.alliance, self.arousal, self.window = alliance, arousal, window

    def compose(self) -> ComposeResult:
        yield Static(
            f"Alliance over the session ({' → '.join(map(str, self.alliance))})", markup=False
        )
        yield Sparkline([float(x) for x in self.alliance], id="alliance-line")
        yield Static(
            "Arousal over the session, turn by turn (the shaded band is the client's window of "
            "tolerance; a yellow point is outside it)",
            markup=False,
        )
        yield Static(arousal_chart(self.arousal, *self.window), id="arousal-chart")
