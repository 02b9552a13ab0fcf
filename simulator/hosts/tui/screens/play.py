"""Play: the conversation so far, the client's statement, the numbered responses, and in practice
mode the meters and the feedback on the last response (grouped under it, above)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Input, Static

from simulator.hosts.tui.screens.base import AttuneScreen
from simulator.hosts.tui.screens.note import NoteDialog
from simulator.hosts.tui.widgets.choices import ChoiceList
from simulator.hosts.tui.widgets.conversation import Conversation
from simulator.hosts.tui.widgets.header import SafeHeader
from simulator.hosts.tui.widgets.meters import ClientMeters
from simulator.hosts.tui.widgets.notice import PlayNotice
from simulator.hosts.tui.widgets.statement import ClientStatement

if TYPE_CHECKING:
    from simulator.service.library import Beat
    from simulator.service.play import Play
    from simulator.service.scores import Line


def _choose_bindings() -> list[Binding]:
    return [
        Binding(
            str(n),
            f"choose({n})",
            f"Choose {n}",
            show=False,
            id=f"play.choose-{n}",
            tooltip=f"Choose response {n}",
        )
        for n in range(1, 10)
    ]


class PlayScreen(AttuneScreen):
    BINDINGS = [
        *_choose_bindings(),
        Binding(
            "r",
            "rationale",
            "Rationale",
            id="play.rationale",
            tooltip="Add a note on why you are choosing what you choose",
        ),
        Binding(
            "c",
            "checkin",
            "Check-in",
            id="play.checkin",
            tooltip="Answer the self-awareness check-in",
        ),
        Binding(
            "b",
            "rewind",
            "Rewind",
            id="play.rewind",
            tooltip="Practice mode: take back your last choice (the record keeps it)",
        ),
    ]

    def __init__(self, run: Play) -> None:
        super().__init__()
        self.run = run
        self.rationale: str | None = None
        self.checkin: str | None = None
        self.words: str | None = None
        """Own-words mode: what the trainee typed at this beat, before the options."""
        self.shown_at = time.monotonic()
        self._allowed: tuple[bool, bool, int, bool] | None = None

    def compose(self) -> ComposeResult:
        practice = self.run.mode == "practice"
        yield SafeHeader()
        with Vertical(id="play"):
            yield Conversation(self.run.vignette.client.name, id="conversation")
            yield ClientStatement(self.run.vignette.client.name, id="client")
            yield Static("", id="checkin", markup=False)
            if self.run.own_words:
                yield Input(
                    placeholder="In your own words, what would you say? Enter, then choose",
                    id="own-words",
                )
                yield Static("", id="own-words-hint", markup=False)
            yield ChoiceList(id="choices")
            yield Static("", id="more-choices", markup=False)
            yield Static("", id="notes", markup=False)
            if practice:
                yield PlayNotice(id="notice")
                yield ClientMeters(id="meters")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"{self.run.vignette.title} — {self.run.mode}"
        self.show_beat()
        if self.run.mode == "practice":
            self._show_meters()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.run.ended and action in ("choose", "checkin", "rationale", "rewind"):
            return False
        if action == "rewind":
            return self.run.mode == "practice" and self.run.turn > 0
        if action == "checkin":
            return bool(self._beat().checkin)
        if action == "choose":
            return int(str(parameters[0])) <= len(self.run.offered())
        return True

    def _beat(self) -> Beat:
        return self.run.beat()

    def on_key(self, event: events.Key) -> None:
        """A key that does nothing in this mode or at this moment says why, rather than nothing."""
        if self.run.ended:
            return
        notice = None
        if event.key == "b" and self.run.mode != "practice":
            notice = "Rewind is for practice mode; in assessment every choice stands."
        elif event.key == "b" and self.run.turn == 0:
            notice = "Nothing to rewind yet."
        elif event.key == "c" and not self._beat().checkin:
            notice = "There is no check-in at this moment."
        elif event.key.isdigit() and int(event.key) > len(self.run.offered()):
            notice = f"Choose 1 to {len(self.run.offered())}."
        if notice is not None:
            self.notify(notice, timeout=4)

    def show_beat(self, feedback: list[Line] | None = None) -> None:
        beat = self._beat()
        self.query_one(Conversation).show(
            self.run.exchanges(), feedback or [], self.run.been_here()
        )
        self.query_one(ClientStatement).show(beat.client, beat.nonverbal)
        checkin = self.query_one("#checkin", Static)
        checkin.update(f"Check-in (c): {beat.checkin}" if beat.checkin else "")
        checkin.display = bool(beat.checkin)
        self.query_one(ChoiceList).show([c.say for c in self.run.options()])
        self.rationale = self.checkin = self.words = None
        if self.run.own_words:  # recall before recognition: the options wait for the words
            typed = self.query_one("#own-words", Input)
            typed.value, typed.display = "", True
            self.query_one(ChoiceList).display = False
            self.query_one("#own-words-hint", Static).update(
                "Type what you would say to the client, then Enter. The options come next."
            )
            typed.focus()
        self._show_notes()
        self.shown_at = time.monotonic()
        self.call_after_refresh(self._cue_more)
        # the footer re-renders on refresh_bindings: only ask when what is allowed has changed
        allowed = (self.run.turn > 0, bool(beat.checkin), len(beat.choices), self.run.ended)
        if allowed != self._allowed:
            self._allowed = allowed
            self.refresh_bindings()

    def _cue_more(self) -> None:
        """In a small terminal the responses scroll inside their box: say so under it."""
        choices = self.query_one(ChoiceList)
        cue = self.query_one("#more-choices", Static)
        hidden = choices.display and choices.max_scroll_y > 0
        cue.update(
            f"↓ {len(self.run.offered())} responses: scroll, or press a number" if hidden else ""
        )
        cue.display = hidden

    def on_resize(self) -> None:
        self.call_after_refresh(self._cue_more)

    def _show_notes(self) -> None:
        parts = []
        if self.checkin:
            parts.append(f"check-in: {self.checkin}")
        if self.rationale:
            parts.append(f"rationale: {self.rationale}")
        notes = self.query_one("#notes", Static)
        notes.update(" · ".join(parts))
        notes.display = bool(parts)

    def _show_meters(self) -> None:
        v = self.run.vignette
        self.query_one(ClientMeters).show(self.run.state.env(v), v.window.low, v.window.high)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "own-words":
            return
        words = event.value.strip()
        if not words:
            self.notify("Type what you would say first; the options come next.", timeout=4)
            return
        self.words = words
        event.input.display = False
        choices = self.query_one(ChoiceList)
        choices.display = True
        near = self.run.suggest(words)
        if near is not None:
            choices.highlighted = near - 1
        self.query_one("#own-words-hint", Static).update(
            f'You would say: "{words}"\n'
            f"Suggested: {near}, the option closest to your words. It is only a suggestion; "
            "the option you choose is what is scored."
        )
        choices.focus()
        self.call_after_refresh(self._cue_more)

    def on_choice_list_chosen(self, message: ChoiceList.Chosen) -> None:
        self.action_choose(message.index + 1)

    def action_choose(self, number: int) -> None:
        if self.run.ended or not 1 <= number <= len(self.run.offered()):
            return
        if self.run.own_words and not self.words:
            self.notify("Own words first: type what you would say, then Enter.", timeout=4)
            return
        if self.run.rationale_required and not self.rationale:
            self.notify(
                "This assignment asks for a rationale with each choice. Press r, write it, "
                "then choose again.",
                title="Rationale needed",
                severity="warning",
            )
            return
        elapsed = int((time.monotonic() - self.shown_at) * 1000)
        lines = self.run.pick(
            number,
            rationale=self.rationale,
            checkin=self.checkin,
            elapsed_ms=elapsed,
            own_words=self.words,
        )
        if self.run.ended:
            self.attune.show_closing(self.run)
            return
        self.show_beat(lines)
        if self.run.mode == "practice":
            self._show_meters()
            self.query_one(PlayNotice).say("")

    def action_rationale(self) -> None:
        def keep(text: str | None) -> None:
            self.rationale = text
            self._show_notes()

        self.app.push_screen(
            NoteDialog("Why this response? (saved with your choice)", self.rationale or ""), keep
        )

    def action_checkin(self) -> None:
        beat = self._beat()
        if not beat.checkin:
            return

        def keep(text: str | None) -> None:
            self.checkin = text
            self._show_notes()

        self.app.push_screen(NoteDialog(beat.checkin, self.checkin or ""), keep)

    def action_rewind(self) -> None:
        if not self.run.can_rewind:
            return
        self.run.rewind()
        self.show_beat()
        self._show_meters()
        self.query_one(PlayNotice).say(
            "Rewound one choice. The record keeps the choice you took back."
        )
