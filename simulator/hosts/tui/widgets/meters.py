"""Practice mode: the client's arousal against the window of tolerance, and the alliance."""

from __future__ import annotations

from typing import Any

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


class ClientMeters(Static):
    def __init__(self, **kw: Any) -> None:
        super().__init__("", markup=False, **kw)

    def show(self, env: dict[str, Any], low: int, high: int) -> None:
        where = (
            "above the window"
            if env["hyper"]
            else "below the window"
            if env["hypo"]
            else "inside the window"
        )
        lines = [
            f"arousal  {bar(env['arousal'], low, high)} {env['arousal']:>2}  {where} ({low}–{high})",
            f"alliance {bar(env['alliance'])} {env['alliance']:>2}",
            f"shame    {bar(env['shame'])} {env['shame']:>2}",
        ]
        if env["rupture"] != "none":
            turns = int(env["rupture_turns"])
            lines.append(
                f"{env['rupture']} rupture open for {turns} turn{'' if turns == 1 else 's'}"
            )
        self.update("\n".join(lines))
        self.set_class(bool(env["out_of_window"]), "-out-of-window")
