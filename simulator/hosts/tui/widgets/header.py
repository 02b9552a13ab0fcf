"""The app's header: Textual's Header, safe when its screen goes away during its first frames.

Textual 8's Header updates its title from watchers that start when it mounts; the update catches
`NoScreen` but not `NoMatches`, so a screen removed before that update runs (the shared-mode
login gate replaces a just-opened briefing) raised inside the app and stopped it. This header
ignores both: a header that is no longer on screen has no title to show.
"""

from __future__ import annotations

import contextlib

from textual.css.query import NoMatches
from textual.dom import NoScreen
from textual.events import Mount
from textual.widgets import Header
from textual.widgets._header import HeaderTitle  # the title widget Header composes

ICON = "●"
"""The header's icon: Textual's default (U+2B58) is missing from the fonts browsers use for the
served app, where it showed as a missing-glyph box; this one is in every monospace font."""


class SafeHeader(Header):
    def __init__(self, **kw: object) -> None:
        kw.setdefault("icon", ICON)
        super().__init__(**kw)  # type: ignore[arg-type]

    def _on_mount(self, event: Mount) -> None:
        event.prevent_default()  # replaces Header's own handler (the base Widget's is a no-op here)

        async def set_title() -> None:
            with contextlib.suppress(NoScreen, NoMatches):
                self.query_one(HeaderTitle).update(self.format_title())

        for owner, name in (
            (self.app, "title"),
            (self.app, "sub_title"),
            (self.screen, "title"),
            (self.screen, "sub_title"),
        ):
            self.watch(owner, name, set_title)
