"""Review one transcript: each turn with the trainee's words, rationale, time, notes and the
scorer's explanation; comment, override move codes or points, rate the reflective practice, and
sign off."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, ListView, Static

from simulator.hosts.tui.screens.base import AttuneScreen
from simulator.hosts.tui.screens.note import NoteDialog
from simulator.hosts.tui.screens.override import OverrideDialog
from simulator.hosts.tui.screens.reflection import ReflectionDialog
from simulator.hosts.tui.screens.signoff import SignOffDialog
from simulator.hosts.tui.widgets.header import SafeHeader
from simulator.hosts.tui.widgets.turns import TurnItem

if TYPE_CHECKING:
    from simulator.service.courses import Review


class TranscriptReviewScreen(AttuneScreen):
    BINDINGS = [
        Binding(
            "c",
            "comment",
            "Comment",
            id="review.comment",
            tooltip="Comment on the highlighted turn",
        ),
        Binding(
            "m",
            "override_moves",
            "Recode",
            id="review.moves",
            tooltip="Override the highlighted turn's move codes, with a reason",
        ),
        Binding(
            "p",
            "override_points",
            "Points",
            id="review.points",
            tooltip="Override the highlighted turn's points, with a reason",
        ),
        Binding(
            "f",
            "rate_reflection",
            "Reflection",
            id="review.reflection",
            tooltip="Rate the check-in notes and rationales (reflective practice)",
        ),
        Binding(
            "s",
            "sign_off",
            "Sign off",
            id="review.signoff",
            tooltip="Sign off: competent or not yet",
        ),
        Binding("escape", "back", "Back", id="review.back", tooltip="Back to the transcript list"),
    ]

    def __init__(self, session_id: str) -> None:
        super().__init__()
        self.session_id = session_id
        self.review: Review | None = None

    def compose(self) -> ComposeResult:
        yield SafeHeader()
        with VerticalScroll(id="review"):
            yield Static("Review", classes="title")
            yield Static("Loading…", id="review-summary", markup=False)
            yield ListView(id="review-turns")
            yield Static("", id="review-rewound", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"Review — session {self.session_id[:8]}"
        self.load()

    @work(thread=True, exclusive=True, group="review")
    def load(self) -> None:
        from simulator.errors import AttuneError
        from simulator.service.courses import load_review, open_database

        try:
            review = load_review(
                open_database(self.attune.db_url), self.session_id, self.attune.rubric
            )
        except AttuneError as exc:
            self.app.call_from_thread(self._status, exc.problems[0].render())
            return
        self.app.call_from_thread(self._show, review)

    def _status(self, text: str) -> None:
        self.query_one("#review-summary", Static).update(text)

    def _show(self, review: Review) -> None:
        from simulator.service.courses import rewound_text, summary_text, turn_review_text

        self.review = review
        self._status(summary_text(review))
        view = self.query_one(ListView)
        keep = view.index
        view.clear()
        for t in review.original.turns:
            view.append(TurnItem(t.turn, turn_review_text(review, t.turn), t.points < 0))
        if review.original.turns:
            view.index = keep if keep is not None and keep < len(review.original.turns) else 0
        self.query_one("#review-rewound", Static).update(rewound_text(review))
        view.focus()

    def _turn(self) -> int | None:
        item = self.query_one(ListView).highlighted_child
        return item.turn if isinstance(item, TurnItem) else None

    def _act(self, action: str, *args: object) -> None:
        """Run a review action in a worker, then reload; refusals are shown, not raised."""
        self._run(action, args)

    @work(thread=True, group="review-write")
    def _run(self, action: str, args: tuple[object, ...]) -> None:
        from simulator.errors import AttuneError
        from simulator.service.courses import open_database, review_action

        try:
            db = open_database(self.attune.db_url)
            review_action(db, action, *args)
        except AttuneError as exc:
            self.app.call_from_thread(
                self.notify,
                exc.problems[0].render(),
                title="Not saved",
                severity="error",
                timeout=12,
            )
            return
        self.app.call_from_thread(self.notify, "Saved, with an entry in the audit trail.")
        self.app.call_from_thread(self.load)

    def action_comment(self) -> None:
        turn = self._turn()
        if turn is None:
            return

        def done(text: str | None) -> None:
            if text:
                self._act("add_comment", self.session_id, turn, self.attune.reviewer, text)

        self.app.push_screen(NoteDialog(f"Comment on turn {turn}"), done)

    def action_override_moves(self) -> None:
        turn, review = self._turn(), self.review
        if turn is None or review is None:
            return
        current = ", ".join(review.original.turns[turn - 1].moves)

        from simulator.service.courses import review as core

        def done(result: tuple[str, str] | None) -> None:
            if result:
                codes = core.parse_move_codes(result[0])
                self._act("override_moves", review, turn, codes, self.attune.reviewer, result[1])

        def check(text: str) -> str | None:
            problem = core.move_codes_problem(core.parse_move_codes(text))
            return None if problem is None else problem.problems[0].render()

        self.app.push_screen(
            OverrideDialog(
                f"Move codes for turn {turn} (comma-separated)", current, "e.g. persuade", check
            ),
            done,
        )

    def action_override_points(self) -> None:
        turn, review = self._turn(), self.review
        if turn is None or review is None:
            return
        current = str(review.original.turns[turn - 1].points)

        def done(result: tuple[str, str] | None) -> None:
            if result:
                points = int(result[0])
                self._act("override_points", review, turn, points, self.attune.reviewer, result[1])

        def check(text: str) -> str | None:
            try:
                points = int(text)
            except ValueError:
                return f"'{text}' is not a whole number of points (e.g. -2)."
            return None if -20 <= points <= 20 else f"{points} is out of range: use -20 to 20."

        self.app.push_screen(
            OverrideDialog(f"Points for turn {turn}", current, "e.g. -2", check), done
        )

    def action_rate_reflection(self) -> None:
        from simulator.service.courses import reflection_notes
        from simulator.service.courses import review as core

        review = self.review
        if review is None:
            return

        def done(result: tuple[int, str] | None) -> None:
            if result is not None:
                self._act(
                    "rate_reflection", self.session_id, self.attune.reviewer, result[0], result[1]
                )

        self.app.push_screen(
            ReflectionDialog(core.REFLECTION_SCALE, reflection_notes(review)), done
        )

    def action_sign_off(self) -> None:
        def done(result: tuple[str, str] | None) -> None:
            if result:
                self._act("sign_off", self.session_id, self.attune.reviewer, result[0], result[1])

        self.app.push_screen(SignOffDialog(), done)

    def action_back(self) -> None:
        self.app.pop_screen()
