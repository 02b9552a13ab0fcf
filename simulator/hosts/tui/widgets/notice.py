"""Play screen: a short notice under the responses (a rewind, say); hidden when there is none.
The feedback on a response is shown above, in the conversation, under the response it is about."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static


class PlayNotice(Static):
    def __init__(self, **kw: Any) -> None:
        super().__init__("", markup=False, **kw)

    def say(self, text: str) -> None:
        self.update(text)
        self.display = bool(text)
