"""The base of attunement's full screens: typed access to the app's navigation."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen

if TYPE_CHECKING:
    from simulator.hosts.tui.app import AttuneApp


class AttuneScreen(Screen[None]):
    @property
    def attune(self) -> AttuneApp:
        return cast("AttuneApp", self.app)
