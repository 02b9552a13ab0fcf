"""`attune verify` and `attune export`: trust in transcripts, and getting them out."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from simulator.cli_courses import db_option


def _database_if_any(db_url: str | None) -> Any:
    """The course database when one is named or the default one exists; else None."""
    from simulator.database import default_url, open_database

    if db_url or os.environ.get("ATTUNE_DB"):
        return open_database(db_url)
    default = default_url()
    if Path(default.removeprefix("sqlite:///")).is_file():
        return open_database(default)
    return None


@click.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--session",
    "session_ids",
    multiple=True,
    metavar="ID",
    help="Verify a session stored in the database (repeatable).",
)
@db_option
def verify(files: tuple[Path, ...], session_ids: tuple[str, ...], db_url: str | None) -> None:
    """Say whether transcripts are intact, and where they were changed if not.

    FILES are transcripts written by `attune play`, `attune autoplay` or `attune export`. When the
    course database has the same session, the file is also compared with its copy there.
    Exit 0: all intact; 1: something was changed; 2: a file or session cannot be found.
    """
    from simulator.integrity import verify_against_database, verify_file, verify_stored

    if not files and not session_ids:
        raise click.UsageError("name a transcript file, or --session ID")
    db = _database_if_any(db_url) if files else None
    changed = False
    for path in files:
        verdict = verify_file(path)
        findings = verdict.findings
        if verdict.intact and db is not None:
            from simulator.transcript import load_transcript

            findings = verify_against_database(db, path, load_transcript(path).transcript)
        if findings:
            changed = True
            for problem in findings:
                click.echo(f"CHANGED  {problem.render()}")
        else:
            click.echo(f"intact   {verdict.render()}")
    if session_ids:
        from simulator.database import open_database

        stored_db = db or open_database(db_url)
        for sid in session_ids:
            verdict = verify_stored(stored_db, sid)
            changed |= not verdict.intact
            click.echo(("intact   " if verdict.intact else "CHANGED  ") + verdict.render())
    sys.exit(1 if changed else 0)


COMMANDS = (verify,)
