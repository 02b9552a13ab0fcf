"""Review: the list of transcripts an assessor can open (an assessor's own cohorts), filtered by
cohort, vignette, trainee and status; practice sessions outside any cohort behind a filter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Input, Static

from simulator.hosts.tui.screens.base import AttuneScreen
from simulator.hosts.tui.widgets.header import SafeHeader

if TYPE_CHECKING:
    from simulator.service.courses import Listed

FILTERS = ("cohort", "vignette", "trainee", "status", "sessions")
PLACEHOLDERS = {
    "status": "status (to review, competent…)",
    "sessions": "sessions: course (or practice)",
}


class ReviewListScreen(AttuneScreen):
    BINDINGS = [
        Binding("f", "focus_filters", "Filter", id="review.filter", tooltip="Edit the filters"),
        Binding("ctrl+r", "reload", "Reload", id="review.reload", tooltip="Reload the transcripts"),
        Binding(
            "enter",
            "open",
            "Open",
            id="review.open",
            tooltip="Open the highlighted transcript",
            show=False,
        ),
    ]

    def __init__(self, filters: dict[str, str | None]) -> None:
        super().__init__()
        self.filters = filters
        self.rows: list[Listed] = []

    def compose(self) -> ComposeResult:
        yield SafeHeader()
        with Horizontal(id="review-filters"):
            for name in FILTERS:
                yield Input(
                    value=self.filters.get(name) or "",
                    placeholder=PLACEHOLDERS.get(name, name),
                    id=f"filter-{name}",
                )
        yield Static("Loading transcripts…", id="review-count", markup=False)
        yield DataTable(id="transcripts", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Review"
        self.query_one(DataTable).add_columns(
            "Started", "Trainee", "Vignette", "Cohort", "Mode", "Score", "Status"
        )
        self.load()

    @work(thread=True, exclusive=True, group="review-list")
    def load(self) -> None:
        from simulator.errors import AttuneError
        from simulator.service.courses import list_transcripts, open_database

        try:
            f = self.filters
            rows = list_transcripts(
                open_database(self.attune.db_url),
                cohort=f.get("cohort") or None,
                vignette=f.get("vignette") or None,
                trainee=f.get("trainee") or None,
                status=f.get("status") or None,
                reviewer=self.attune.reviewer or None,
                # anonymous practice sessions sit behind this filter, not in the queue
                practice=(f.get("sessions") or "course").strip().lower().startswith("p"),
            )
        except AttuneError as exc:
            self.app.call_from_thread(self._failed, exc.problems[0].render())
            return
        self.app.call_from_thread(self._show, rows)

    def _failed(self, message: str) -> None:
        self.query_one("#review-count", Static).update(message)

    def _show(self, rows: list[Listed]) -> None:
        self.rows = rows
        table = self.query_one(DataTable)
        table.clear()
        for r in rows:
            score = f"{r.overall} {r.band}" if r.overall is not None else "—"
            cells = [
                r.started_at[:16].replace("T", " "),
                r.trainee or "—",
                r.vignette_id,
                r.cohort or "—",
                r.mode,
                score,
                r.status,
            ]
            table.add_row(*[Text(c) for c in cells], key=r.session_id)
        shown = ", ".join(f"{k} {v}" for k, v in self.filters.items() if v)
        self.query_one("#review-count", Static).update(
            f"{len(rows)} transcript(s)"
            + (f" ({shown})" if shown else "")
            + ". Enter opens one; scores are provisional bands."
        )
        table.focus()

    def on_screen_resume(self) -> None:
        if self.rows:  # back from a transcript: sign-offs may have changed a status
            self.load()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        name = (event.input.id or "").removeprefix("filter-")
        self.filters[name] = event.value.strip() or None
        self.load()

    def action_focus_filters(self) -> None:
        self.query_one("#filter-cohort", Input).focus()

    def action_reload(self) -> None:
        self.load()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.attune.open_review(str(event.row_key.value))

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if self.rows and table.cursor_row is not None:
            self.attune.open_review(self.rows[table.cursor_row].session_id)
