"""My sessions: the trainee's past sessions, each with its score, the assessor's sign-off, comments
and reflection rating (the same text as `attune history`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Static

from simulator.hosts.tui.screens.base import AttuneScreen
from simulator.hosts.tui.widgets.header import SafeHeader

if TYPE_CHECKING:
    from simulator.service.courses import Listed


class HistoryScreen(AttuneScreen):
    BINDINGS = [
        Binding("escape", "back", "Back", id="history.back", tooltip="Back to the library"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Listed] = []

    def compose(self) -> ComposeResult:
        yield SafeHeader()
        yield Static("Loading your sessions…", id="history-count", markup=False)
        yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="history-detail"):
            yield Static("", id="history-text", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "My sessions"
        self.query_one(DataTable).add_columns("Started", "Vignette", "Mode", "Score", "Judgement")
        self.load()

    def _viewer(self) -> tuple[object | None, str | None]:
        login = self.attune.login
        return (login.identity if login is not None else None), self.attune.trainee

    @work(thread=True, exclusive=True, group="history")
    def load(self) -> None:
        from simulator.errors import AttuneError
        from simulator.service.courses import list_transcripts, open_database

        viewer, trainee = self._viewer()
        try:
            rows = list_transcripts(
                open_database(self.attune.db_url),
                trainee=trainee,
                viewer=viewer,  # type: ignore[arg-type]
            )
        except AttuneError as exc:
            self.app.call_from_thread(self._say, exc.problems[0].render())
            return
        self.app.call_from_thread(self._show, rows)

    def _say(self, text: str) -> None:
        self.query_one("#history-count", Static).update(text)

    def _show(self, rows: list[Listed]) -> None:
        self.rows = rows
        table = self.query_one(DataTable)
        table.clear()
        for r in rows:
            score = f"{r.overall}/100" if r.overall is not None else "unfinished"
            judged = {"to review": "pending sign-off"}.get(r.status, r.status)
            cells = [r.started_at[:16].replace("T", " "), r.vignette_id, r.mode, score, judged]
            table.add_row(*[Text(c) for c in cells], key=r.session_id)
        self._say(
            f"{len(rows)} session(s). Enter shows one with the assessor's comments and sign-off."
            if rows
            else "No sessions in the course database yet."
        )
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.detail(str(event.row_key.value))

    @work(thread=True, exclusive=True, group="history-detail")
    def detail(self, session_id: str) -> None:
        from simulator.errors import AttuneError
        from simulator.service.courses import judgement_text, load_review, open_database
        from simulator.service.scores import render_report

        viewer, _ = self._viewer()
        try:
            review = load_review(
                open_database(self.attune.db_url),
                session_id,
                self.attune.rubric,
                viewer,  # type: ignore[arg-type]
            )
        except AttuneError as exc:
            self.app.call_from_thread(self._detail, exc.problems[0].render())
            return
        text = (
            "The assessor's judgement\n"
            + judgement_text(review)
            + "\n\n"
            + render_report(review.original, review.vignette, self.attune.rubric)
        )
        self.app.call_from_thread(self._detail, text)

    def _detail(self, text: str) -> None:
        self.query_one("#history-text", Static).update(text)

    def action_back(self) -> None:
        self.app.pop_screen()
