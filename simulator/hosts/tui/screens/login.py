"""Log in (shared mode: `attune serve`, or a database where people have passwords)."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Footer, Input, Static

from simulator.hosts.tui.screens.base import AttuneScreen
from simulator.hosts.tui.widgets.header import SafeHeader


class LoginScreen(AttuneScreen):
    def __init__(self, notice: str = "") -> None:
        super().__init__()
        self.notice = notice

    def compose(self) -> ComposeResult:
        yield SafeHeader()
        with Vertical(id="login-box"):
            yield Static("Log in to attunement", classes="title")
            yield Static(self.notice, id="login-notice", markup=False)
            yield Input(placeholder="Your name", id="login-name")
            yield Input(placeholder="Password", password=True, id="login-password")
            yield Static("", id="login-error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Log in"
        self.query_one("#login-notice", Static).display = bool(self.notice)
        self.query_one("#login-name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "login-name":
            self.query_one("#login-password", Input).focus()
            return
        name = self.query_one("#login-name", Input).value.strip()
        password = self.query_one("#login-password", Input).value
        self.query_one("#login-error", Static).update("Checking…")
        self.check(name, password)

    @work(thread=True, exclusive=True, group="login")
    def check(self, name: str, password: str) -> None:
        from simulator.errors import AttuneError
        from simulator.service.courses import login, open_database

        try:
            identity = login(open_database(self.attune.db_url), name, password)
        except AttuneError as exc:
            problem = exc.problems[0]
            text = f"{problem.message}. {problem.hint or ''}".strip()
            self.app.call_from_thread(self._failed, text)
            return
        self.app.call_from_thread(self.attune.logged_in, identity)

    def expired(self, notice: str) -> None:
        """Back here after an idle expiry: say why, and start again."""
        box = self.query_one("#login-notice", Static)
        box.update(notice)
        box.display = True
        self.query_one("#login-password", Input).value = ""
        self.query_one("#login-error", Static).update("")
        self.query_one("#login-name", Input).focus()

    def _failed(self, text: str) -> None:
        self.query_one("#login-error", Static).update(text)
        password = self.query_one("#login-password", Input)
        password.value = ""
        password.focus()
