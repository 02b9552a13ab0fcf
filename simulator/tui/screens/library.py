"""Library: the vignettes, searchable, with the trainee's unfinished sessions first."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Input, Static

from simulator.tui.screens.base import AttuneScreen

if TYPE_CHECKING:  # loaded in the worker, after the first frame
    from simulator.errors import Problem
    from simulator.model import Vignette
    from simulator.transcript import LoadedTranscript


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
        yield Header()
        yield Input(placeholder="Search by title, client, setting or content note", id="search")
        yield Static("", id="resume-hint", markup=False)
        yield DataTable(id="vignettes", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Title", "Client", "Difficulty", "Min", "Setting", "Content notes")
        self.query_one("#resume-hint", Static).update("Loading the library…")
        # start loading after the first frame is on screen: the import work would hold the GIL
        self.call_after_refresh(self.load)

    @work(thread=True, exclusive=True, group="library")
    def load(self) -> None:
        from simulator.library import load_library
        from simulator.storage import unfinished_sessions

        entries, problems = load_library(self.attune.library_paths)
        unfinished = unfinished_sessions()
        self.app.call_from_thread(self._loaded, entries, problems, unfinished)

    def _loaded(
        self,
        entries: list[tuple[Path, Vignette]],
        problems: list[Problem],
        unfinished: list[LoadedTranscript],
    ) -> None:
        self.entries, self.unfinished = entries, unfinished
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
            hint.update(f"Unfinished: {title}, {len(t.route())} choice(s) made. Press u to resume.")
        hint.display = bool(unfinished)
        self._fill("")
        self.query_one(DataTable).focus()

    def _fill(self, query: str) -> None:
        table = self.query_one(DataTable)
        table.clear()
        q = query.lower().strip()
        for path, v in self.entries:
            hay = " ".join(
                [v.title, v.client.name, v.setting, v.difficulty, *v.content_notes]
            ).lower()
            if q and q not in hay:
                continue
            row = [
                v.title,
                v.client.name,
                v.difficulty,
                str(v.minutes),
                v.setting,
                "; ".join(v.content_notes) or "—",
            ]
            table.add_row(*[Text(cell) for cell in row], key=str(path))

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self) -> None:
        self.query_one(DataTable).focus()

    def action_focus_search(self) -> None:
        self.query_one(Input).focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self._open(str(event.row_key.value))

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            self._open(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))

    def _open(self, key: str) -> None:
        for path, v in self.entries:
            if str(path) == key:
                self.attune.open_briefing(path, v)
                return

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
