"""Courses for the hosts: the course database, who is acting (`simulator.course.auth` decides
shared mode and identity), cohorts and assignments, cohort analytics, syncing journals, and
review. The hosts reach these only through here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from simulator.course import review
from simulator.course.analytics import (
    histogram,
    hot_spots,
    score_distributions,
)
from simulator.course.auth import (
    Identity,
    LoginSession,
    acting_name,
    identify,
    local_identity,
    login,
    logins_enabled,
    may_read_transcript,
    require,
    set_password,
    shared_mode,
    writer,
)
from simulator.course.courses import (
    Assigned,
    add_members,
    assign,
    assigned_to,
    cohort_info,
    create_cohort,
    delete_cohort,
    ensure_person,
    list_cohorts,
    progress,
    remove_members,
    unassign,
)
from simulator.course.review import (
    Listed,
    Review,
    integrity_line,
    judgement_of,
    judgement_text,
    list_transcripts,
    load_review,
    reflection_notes,
    require_reviewer,
    rewound_text,
    summary_text,
    turn_review_text,
)
from simulator.errors import Problem
from simulator.store.database import (
    Database,
    default_url,
    open_database,
)
from simulator.store.dbstore import (
    full_session_id,
    load_transcript_from_db,
    stored_transcript,
)
from simulator.store.journal import (
    journal_files,
    vignette_for,
)


def sync_journals(
    db: Database,
    files: list[Path] | None = None,
    tick: Callable[[], None] | None = None,
    owner: str | None = None,
    actor: str | None = None,
) -> tuple[int, list[Problem]]:
    """Store every journalled session the database is missing (`simulator.store.journal`);
    a stored session of an LMS assignment that has ended sends its score, as it would have had
    its end reached the database as it was played (`service.lti.session_stored`)."""
    from simulator.service.lti import session_stored
    from simulator.store.journal import sync_journals as store_journals

    return store_journals(
        db, files, tick, owner, actor, on_stored=lambda t: session_stored(db.url, t)
    )


def database_exists(db_url: str | None) -> bool:
    """Whether a course database was named, or the default one has been created."""
    from simulator.settings import settings

    return bool(db_url or settings().db) or Path(default_url().removeprefix("sqlite:///")).is_file()


def shared_database(db_url: str | None) -> bool:
    """Whether the course database is shared (then everyone logs in). A database that was
    neither named nor created yet is nobody's, and none is created to find out."""
    if not database_exists(db_url):
        return False
    db = open_database(db_url)
    try:
        return shared_mode(db)
    finally:
        db.close()


def review_action(db: Database, action: str, *args: object) -> None:
    """One home for an assessor's writes (comment, override, reflection rating, sign-off): a
    sign-off also sends the graded score to the LMS when the session came from one."""
    getattr(review, action)(db, *args)
    if action == "sign_off":
        from simulator.service.lti import signed_off

        signed_off(db, str(args[0]))


__all__ = [
    "Assigned",
    "Database",
    "Identity",
    "Listed",
    "LoginSession",
    "Review",
    "acting_name",
    "add_members",
    "assign",
    "assigned_to",
    "cohort_info",
    "create_cohort",
    "database_exists",
    "default_url",
    "delete_cohort",
    "ensure_person",
    "full_session_id",
    "histogram",
    "hot_spots",
    "identify",
    "integrity_line",
    "journal_files",
    "judgement_of",
    "judgement_text",
    "list_cohorts",
    "list_transcripts",
    "load_review",
    "load_transcript_from_db",
    "local_identity",
    "login",
    "logins_enabled",
    "may_read_transcript",
    "open_database",
    "progress",
    "reflection_notes",
    "remove_members",
    "require",
    "require_reviewer",
    "review",
    "review_action",
    "rewound_text",
    "score_distributions",
    "set_password",
    "shared_database",
    "shared_mode",
    "stored_transcript",
    "summary_text",
    "sync_journals",
    "turn_review_text",
    "unassign",
    "vignette_for",
    "writer",
]
