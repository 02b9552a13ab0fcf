"""Every `ATTUNE_*` environment variable, read in one place.

`settings()` reads the environment each time it is called (cheap), so a test or a child process
that changes a variable is seen at once. A plain frozen dataclass rather than pydantic-settings:
importing pydantic-settings would add to every `attune` command's start-up, for ten strings
(the figure is in docs/benchmarks.md).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

DEFAULT_BUSY_TIMEOUT_S = 30.0


def _busy_timeout(raw: str | None) -> float:
    """A bad or missing value falls back to the default; never below 0.1 s."""
    try:
        return max(0.1, float(raw)) if raw else DEFAULT_BUSY_TIMEOUT_S
    except ValueError:
        return DEFAULT_BUSY_TIMEOUT_S


@dataclass(frozen=True)
class Settings:
    data_dir: Path | None
    """ATTUNE_DATA_DIR: where sessions and the default SQLite database live (default: the
    platform's user data folder)."""
    sessions_dir: Path | None
    """ATTUNE_SESSIONS_DIR: where the JSON journals live (default: sessions/ in the data folder;
    `attune serve` without logins gives each browser a folder of its own)."""
    cache_dir: Path | None
    """ATTUNE_CACHE_DIR: where validated codebook, rubric and vignettes are cached (default: the
    platform's user cache folder)."""
    no_cache: bool
    """ATTUNE_NO_CACHE: any value turns that cache off."""
    db: str | None
    """ATTUNE_DB: the course database URL when `--db` is not given."""
    db_busy_timeout: float
    """ATTUNE_DB_BUSY_TIMEOUT: seconds a writer waits for a locked SQLite database (default 30)."""
    user: str | None
    """ATTUNE_USER: who is acting when `--as` is not given (default: the login name)."""
    password: str | None
    """ATTUNE_PASSWORD: the acting person's password in shared mode (else a prompt)."""
    new_password: str | None
    """ATTUNE_NEW_PASSWORD: the password `attune user passwd` sets (else a prompt, twice)."""
    lrs_auth: str | None
    """ATTUNE_LRS_AUTH: USER:PASSWORD for the learning record store (`export --lrs`)."""
    xapi_base: str | None
    """ATTUNE_XAPI_BASE: the IRI that xAPI activity ids start with."""
    lti_ticket: str | None
    """ATTUNE_LTI_TICKET: set by `attune serve` for a browser launched from an LMS (the one-time
    ticket the served app redeems); not for users to set."""

    @staticmethod
    def variable(field: str) -> str:
        return "ATTUNE_" + field.upper()


def settings() -> Settings:
    env = os.environ

    def text(name: str) -> str | None:
        return env.get(Settings.variable(name)) or None

    data_dir, cache_dir = text("data_dir"), text("cache_dir")
    return Settings(
        data_dir=Path(data_dir) if data_dir else None,
        sessions_dir=Path(text("sessions_dir") or "") if text("sessions_dir") else None,
        cache_dir=Path(cache_dir) if cache_dir else None,
        no_cache=bool(text("no_cache")),
        db=text("db"),
        db_busy_timeout=_busy_timeout(text("db_busy_timeout")),
        user=text("user"),
        password=env.get("ATTUNE_PASSWORD"),  # an empty password is still a password
        new_password=text("new_password"),
        lrs_auth=text("lrs_auth"),
        xapi_base=text("xapi_base"),
        lti_ticket=text("lti_ticket"),
    )


def use_sessions_dir(path: Path) -> None:
    """Send this process's journals (and its children's) to `path` (ATTUNE_SESSIONS_DIR)."""
    os.environ[Settings.variable("sessions_dir")] = str(path)


def with_lti_ticket(env: dict[str, str], ticket: str | None) -> dict[str, str]:
    """A child's environment carrying (only) its own launch ticket (ATTUNE_LTI_TICKET)."""
    name = Settings.variable("lti_ticket")
    out = {k: v for k, v in env.items() if k != name}
    if ticket:
        out[name] = ticket
    return out


VARIABLES = tuple(Settings.variable(f.name) for f in fields(Settings))
"""The names of every variable, for the docs and their test."""
