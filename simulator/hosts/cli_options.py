"""Options shared by several `attune` commands (kept tiny: the CLI imports it at start-up)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def db_option(f: F) -> F:
    return click.option(
        "--db",
        "db_url",
        metavar="URL",
        help="Database URL: sqlite:///file.db or postgresql://user@host/db "
        "(default: ATTUNE_DB, else SQLite in your data folder).",
    )(f)


def actor_option(f: F) -> F:
    return click.option(
        "--as",
        "actor",
        metavar="NAME",
        help="Who is making the change, for the audit trail (default: ATTUNE_USER or your login).",
    )(f)


def transcripts_option(f: F) -> F:
    """Transcript files as arguments, and `--session ID` for sessions in the database."""
    f = click.option(
        "--session",
        "session_ids",
        multiple=True,
        metavar="ID",
        help="A session stored in the database (repeatable).",
    )(f)
    return click.argument("files", nargs=-1, type=click.Path(path_type=Path))(f)
