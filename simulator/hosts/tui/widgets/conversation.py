"""The conversation so far, above the client's current line: what the client said and how they
looked, the trainee's own words, and in practice mode every feedback line on the last response,
grouped under it. It scrolls so that the last exchange starts at the top: the previous client
line stays on screen with the current one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from simulator.service.play import Exchange
    from simulator.service.scores import Line


SHOWN = 30
"""The most exchanges kept on screen: every turn redraws them, so a session far longer than any
turn limit would slow each key press (the debrief keeps the whole record)."""


class Conversation(VerticalScroll):
    def __init__(self, client_name: str, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.client_name = client_name
        self.can_focus = False  # the keys stay with the responses
        self.text = ""
        """Everything shown, as plain text (what a screen reader or a test reads)."""
        self._exchanges: list[Static] = []
        self._plain: list[str] = []
        """What each exchange Static shows, to change only what a turn changes."""

    def compose(self) -> ComposeResult:
        yield Static("", id="conversation-earlier")
        yield Static("", id="conversation-feedback")
        yield Static("", id="conversation-loop")

    def _exchange(self, x: Exchange) -> Text:
        text = Text()
        text.append(f'{self.client_name}: "{x.client}"', style="bold")
        if x.nonverbal:
            text.append(f"\n({x.nonverbal})", style="italic dim")
        if x.own_words:
            text.append(f'\nYou, in your own words: "{x.own_words}"', style="dim")
        text.append(f'\nYou: "{x.said}"', style="cyan")
        return text

    def show(self, exchanges: list[Exchange], feedback: list[Line], loop_turn: int | None) -> None:
        earlier = max(0, len(exchanges) - SHOWN)
        texts = [self._exchange(x) for x in exchanges[earlier:]]
        plain = [text.plain for text in texts]
        self._sync(texts, plain)
        note = self.query_one("#conversation-earlier", Static)
        note.update(
            f"… {earlier} earlier exchange{'' if earlier == 1 else 's'} (the debrief has them all)"
            if earlier
            else ""
        )
        note.display = bool(earlier)
        notes = self.query_one("#conversation-feedback", Static)
        told = Text()
        if feedback:
            told.append("Feedback on your last response:", style="bold")
            for ln in feedback:
                style = "red" if ln.points < 0 else "green" if ln.points > 0 else ""
                told.append(f"\n  {ln.points:+d}  {ln.rule}: {ln.text}  ({ln.source})", style=style)
        notes.update(told)
        notes.display = bool(feedback)
        loop = Text()
        if loop_turn is not None:
            loop.append(
                f"You've been here before: {self.client_name} said this at turn {loop_turn}. "
                "The conversation has come round again.",
                style="yellow",
            )
        looped = self.query_one("#conversation-loop", Static)
        looped.update(loop)
        looped.display = loop_turn is not None
        shown = [
            *([f"… {earlier} earlier exchanges"] if earlier else []),
            *plain,
            *([told.plain] if feedback else []),
            *([loop.plain] if loop_turn else []),
        ]
        self.text = "\n\n".join(shown)
        self.display = bool(texts)
        if self._exchanges:
            last = self._exchanges[-1]
            self.call_after_refresh(self.scroll_to_widget, last, top=True, animate=False)

    def _sync(self, texts: list[Text], plain: list[str]) -> None:
        """One Static per exchange on screen, changed as little as a turn needs: a new exchange
        is added; past the cap the oldest goes; only a rewind redraws the rest."""
        old = self._plain
        drop = next((k for k in range(len(old)) if plain[: len(old) - k] == old[k:]), None)
        if drop is None:  # a rewind: redraw what differs, drop what is gone
            while len(self._exchanges) > len(texts):
                self._exchanges.pop().remove()
            for i, (widget, text) in enumerate(zip(self._exchanges, texts, strict=False)):
                if old[i] != plain[i]:
                    widget.update(text)
            kept = len(self._exchanges)
        else:
            for _ in range(drop):
                self._exchanges.pop(0).remove()
            kept = len(old) - drop
        fresh = [Static(text, classes="exchange") for text in texts[kept:]]
        if fresh:
            self.mount_all(fresh, before=self.query_one("#conversation-feedback", Static))
            self._exchanges.extend(fresh)
        self._plain = plain
