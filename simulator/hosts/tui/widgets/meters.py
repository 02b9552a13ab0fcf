"""Practice mode: the client's arousal against the window of tolerance, the alliance and shame.
Two renderings: full bars, and one line for short terminals (the stylesheet picks one by the
screen's height class)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static


def bar(value: int, low: int | None = None, high: int | None = None, top: int = 10) -> str:
    cells = []
    for i in range(top + 1):
        mark = "█" if i <= value else "·"
        if low is not None and i == low:
            cells.append("[")
        cells.append(mark)
        if high is not None and i == high:
            cells.append("]")
    return "".join(cells)


def _bar_text(
    label: str, value: int, style: str, low: int | None = None, high: int | None = None
) -> Text:
    """A labelled bar in colour (a bare block of white says nothing in a browser)."""
    text = Text(f"{label:<9}")
    for ch in bar(value, low, high):
        text.append(ch, style=style if ch == "█" else "dim")
    text.append(f" {value:>2}")
    return text


class ClientMeters(Vertical):
    def compose(self) -> ComposeResult:
        yield Static("", id="meters-full")
        yield Static("", id="meters-compact")

    def show(self, env: dict[str, Any], low: int, high: int) -> None:
        where = (
            "above the window"
            if env["hyper"]
            else "below the window"
            if env["hypo"]
            else "inside the window"
        )
        out = bool(env["out_of_window"])
        arousal = _bar_text("arousal", env["arousal"], "yellow" if out else "green", low, high)
        arousal.append(f"  {where} ({low}–{high})", style="yellow" if out else "")
        full = Text("\n").join(
            [
                arousal,
                _bar_text("alliance", env["alliance"], "cyan"),
                _bar_text("shame", env["shame"], "magenta"),
            ]
        )
        compact = Text(
            f"arousal {env['arousal']} ({where.removesuffix(' the window')} {low}–{high})"
            f" · alliance {env['alliance']} · shame {env['shame']}",
            style="yellow" if out else "",
        )
        if env["rupture"] != "none":
            turns = int(env["rupture_turns"])
            note = f"{env['rupture']} rupture open for {turns} turn{'' if turns == 1 else 's'}"
            full.append("\n" + note)
            compact.append(" · " + note)
        self.query_one("#meters-full", Static).update(full)
        self.query_one("#meters-compact", Static).update(compact)
        self.set_class(out, "-out-of-window")
