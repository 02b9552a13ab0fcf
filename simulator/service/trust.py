"""Trust and reach for the hosts: verifying transcripts, exports (CSV, JSON, HTML, xAPI) and the
learning record store's outbox."""

from __future__ import annotations

from scoring.rubric import Rubric
from simulator.reach import export, lrs
from simulator.reach.integrity import (
    verify_against_database,
    verify_file,
    verify_stored,
)


def attach_judgements(
    items: list[export.Scored], db_url: str | None, stored: set[str], rubric: Rubric
) -> None:
    """Give each exported session the assessors' judgement from the course database: always for
    sessions read from it (`stored`, already checked against the reader), and for transcript
    files when the database has no logins (a single person's)."""
    from simulator.service.courses import (
        database_exists,
        judgement_of,
        open_database,
        shared_mode,
    )

    if not items or not database_exists(db_url):
        return
    db = open_database(db_url)
    try:
        shared = shared_mode(db)
        for s in items:
            sid = s.transcript.session_id
            if sid in stored or not shared:
                s.judgement = judgement_of(db, sid, rubric)
    finally:
        db.close()


__all__ = [
    "attach_judgements",
    "export",
    "lrs",
    "verify_against_database",
    "verify_file",
    "verify_stored",
]
