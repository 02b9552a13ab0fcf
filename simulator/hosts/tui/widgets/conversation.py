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


class Conversation(VerticalScroll):
    def __init__(self, client_name: str, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.client_name = client_name
        self.can_focus = False  # the keys stay with the responses
        self.text = ""
        """Everything shown, as plain text (what a screen reader or a test reads)."""
        self._exchanges: list[Static] = []

    def compose(self) -> ComposeResult:
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
        texts = [self._exchange(x) for x in exchanges]
        # one Static per exchange, kept between turns: update, add the new, drop the rewound
        while len(self._exchanges) > len(texts):
            self._exchanges.pop().remove()
        for widget, text in zip(self._exchanges, texts, strict=False):
            widget.update(text)
        fresh = [Static(text, classes="exchange") for text in texts[len(self._exchanges) :]]
        notes = self.query_one("#conversation-feedback", Static)
        if fresh:
            self.mount_all(fresh, before=notes)
            self._exchanges.extend(fresh)
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
        shown = [*texts, *([told] if feedback else []), *([loop] if loop_turn else [])]
        self.text = "\n\n".join(text.plain for text in shown)
        self.display = bool(texts)
        if self._exchanges:
            last = self._exchanges[-1]
            self.call_after_refresh(self.scroll_to_widget, last, top=True, animate=False)
