"""Library: the vignettes, searchable, with the trainee's unfinished sessions first."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Input, Static

from simulator.hosts.tui.screens.base import AttuneScreen
from simulator.hosts.tui.widgets.header import SafeHeader

if TYPE_CHECKING:  # loaded in the worker, after the first frame
    from simulator.errors import Problem
    from simulator.service.courses import Assigned
    from simulator.service.library import Vignette
    from simulator.service.play import LoadedTranscript


COLUMNS = ("Title", "Client", "Difficulty", "Min", "Setting", "Content notes")
CELL_MAX = 36
"""Long cells are cut (the briefing has the whole text), so the table fits a browser window."""


def _short(text: str) -> str:
    return text if len(text) <= CELL_MAX else text[: CELL_MAX - 1] + "…"


class LibraryScreen(AttuneScreen):
    BINDINGS = [
        Binding(
            "/",
            "focus_search",
            "Search",
            id="library.search",
            tooltip="Search titles, clients, settings and content notes",
        ),
        Binding(
            "h",
            "history",
            "My sessions",
            id="library.history",
            tooltip="Your past sessions, with the assessor's comments and sign-off",
        ),
        Binding(
            "u",
            "resume",
            "Resume",
            id="library.resume",
            tooltip="Resume your most recent unfinished session",
        ),
        Binding(
            "enter",
            "open",
            "Open",
            id="library.open",
            tooltip="Open the briefing of the highlighted vignette",
            show=False,
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[tuple[Path, Vignette]] = []
        self.unfinished: list[LoadedTranscript] = []

    def compose(self) -> ComposeResult:
        yield SafeHeader()
        yield Input(placeholder="Search by title, client, setting or content note", id="search")
        yield Static("Loading the library…", id="resume-hint", markup=False)
        # the table is mounted when the library has loaded: the first frame comes sooner without
        # it (an empty table's styles and layout are most of a first frame's work)
        yield Footer()

    def on_mount(self) -> None:
        # start loading after the first frame is on screen: the import work would hold the GIL
        self.call_after_refresh(self.load)

    def _table(self) -> DataTable[Text] | None:
        found = self.query(DataTable)
        return found.first() if found else None

    @work(thread=True, exclusive=True, group="library")
    def load(self) -> None:
        from simulator.service.library import load_library
        from simulator.service.play import scan_journals

        entries, problems = load_library(
            self.attune.library_paths, db_url=self.attune.db_url, trainee=self.attune.trainee
        )
        unfinished, damaged = scan_journals(trainee=self.attune.trainee)
        if self.attune.trainee:
            problems = problems + self._load_assignments(self.attune.trainee)
        self.app.call_from_thread(self._loaded, entries, problems, unfinished, damaged)

    def _load_assignments(self, trainee: str) -> list[Problem]:
        """The trainee's assignments, from the course database (in this worker thread)."""
        from simulator.errors import AttuneError
        from simulator.service.courses import assigned_to, open_database

        try:
            tasks = assigned_to(open_database(self.attune.db_url), trainee)
        except AttuneError as exc:
            return list(exc.problems)
        self.attune.assigned = {t.vignette_id: t for t in tasks}
        return []

    def _loaded(
        self,
        entries: list[tuple[Path, Vignette]],
        problems: list[Problem],
        unfinished: list[LoadedTranscript],
        damaged: list[Problem],
    ) -> None:
        self.entries, self.unfinished = entries, unfinished
        for problem in damaged:
            self.notify(
                problem.render(), title="A saved session is damaged", severity="error", timeout=20
            )
        for problem in problems:
            self.notify(
                problem.render(),
                title="A vignette could not be loaded",
                severity="error",
                timeout=15,
            )
        hint = self.query_one("#resume-hint", Static)
        if unfinished:
            t = unfinished[0].transcript
            title = next((v.title for _, v in entries if v.id == t.vignette_id), t.vignette_id)
            made = len(t.route())
            hint.update(
                f"Unfinished: {title}, {made} choice{'' if made == 1 else 's'} made. Press u to resume."
            )
        hint.display = bool(unfinished)
        table: DataTable[Text] = DataTable(id="vignettes", cursor_type="row", zebra_stripes=True)
        self.mount(table, before=self.query_one(Footer))
        table.add_columns(*(("Assigned", *COLUMNS) if self.attune.assigned else COLUMNS))
        self._fill(self.query_one(Input).value)
        self.call_after_refresh(table.focus)

    def _fill(self, query: str) -> None:
        table = self._table()
        if table is None:  # still loading: the table is filled with the search text when it comes
            return
        assigned = self.attune.assigned
        table.clear()
        q = query.lower().strip()
        # the trainee's assignments first, soonest due first; then the rest of the library
        order = sorted(
            self.entries,
            key=lambda pv: (
                pv[1].id not in assigned,
                (assigned[pv[1].id].due or "9999") if pv[1].id in assigned else "",
            ),
        )
        for path, v in order:
            hay = " ".join(
                [v.title, v.client.name, v.setting, v.difficulty, *v.content_notes]
            ).lower()
            if q and q not in hay:
                continue
            task = assigned.get(v.id)
            row = [
                *([_assignment_cell(task) if task else ""] if assigned else []),
                v.title,
                v.client.name,
                v.difficulty,
                str(v.minutes),
                _short(v.setting),
                _short("; ".join(v.content_notes) or "—"),
            ]
            table.add_row(*[Text(cell) for cell in row], key=str(path))

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self) -> None:
        table = self._table()
        if table is None:
            return
        if table.row_count == 1:  # the search found one vignette: open it
            self._open(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))
            return
        table.focus()

    def action_focus_search(self) -> None:
        self.query_one(Input).focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self._open(str(event.row_key.value))

    def action_open(self) -> None:
        table = self._table()
        if table is not None and table.row_count:
            self._open(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))

    def _open(self, key: str) -> None:
        for path, v in self.entries:
            if str(path) == key:
                self.attune.open_briefing(path, v)
                return

    def action_history(self) -> None:
        from simulator.hosts.tui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen())

    def action_resume(self) -> None:
        if not self.unfinished:
            self.notify("There is no unfinished session to resume.")
            return
        loaded = self.unfinished[0]
        for path, v in self.entries:
            if v.id == loaded.transcript.vignette_id:
                self.attune.resume(path, v, loaded)
                return
        self.notify(
            f"The vignette '{loaded.transcript.vignette_id}' is not in the library.",
            severity="error",
        )


def _assignment_cell(task: Assigned) -> str:
    due = f"due {task.due}" if task.due else "no due date"
    if task.finished:
        state = "done"
    elif task.overdue:
        state = "OVERDUE"
    else:
        left = task.attempts_left
        state = f"{left} attempt{'' if left == 1 else 's'} left"
    return f"{due} · {task.mode} · {state}"
