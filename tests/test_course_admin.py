"""Course management: take someone out of a cohort, delete a cohort (transcripts kept), withdraw
an assignment, warn on a past due date, and show a late completion as late."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from scoring.rubric import default_rubric
from simulator.content.library import bundled_path
from simulator.content.loader import load_vignette
from simulator.course.courses import (
    add_members,
    assign,
    attempt_for,
    cohort_info,
    create_cohort,
    delete_cohort,
    progress,
    remove_members,
    unassign,
)
from simulator.errors import AttuneError
from simulator.play.session import Session
from simulator.store.database import open_database
from simulator.store.dbstore import DbStore
from simulator.store.schema import audit, sessions
from tests.conftest import cli

RAY = load_vignette(bundled_path("ray"))  # type: ignore[arg-type]


def _course(db_url: str) -> object:
    db = open_database(db_url)
    create_cohort(db, "C", "lead")
    add_members(db, "C", ["amy", "ben"], "trainee", "lead")
    assign(
        db, "C", "ray", mode="practice", due=date(2026, 1, 10), attempts=3,
        rationale_required=False, actor="lead",
    )  # fmt: skip
    task = attempt_for(db, "amy", "ray")
    assert task is not None
    s = Session(
        RAY,
        rubric_version=default_rubric().version,
        trainee="amy",
        assignment_id=task.assignment_id,
        cohort_id=task.cohort_id,
    )
    s.store = DbStore(db, RAY, default_rubric())
    while not s.ended:
        s.choose(0)
    return db


def _session_count(db: object) -> int:
    with db.read() as conn:  # type: ignore[attr-defined]
        return int(conn.execute(sa.select(sa.func.count()).select_from(sessions)).scalar() or 0)


def test_a_completion_after_the_due_date_is_late(db_url: str) -> None:
    db = _course(db_url)
    rows = {r.trainee: r.status for r in progress(db, "C", date(2026, 12, 1))}  # type: ignore[arg-type]
    assert rows == {"amy": "done late", "ben": "overdue"}


def test_people_cohorts_and_assignments_can_be_removed_and_transcripts_stay(db_url: str) -> None:
    db = _course(db_url)
    with pytest.raises(AttuneError, match="'cas' is not in this cohort"):
        remove_members(db, "C", ["ben", "cas"], "lead")  # type: ignore[arg-type]
    assert {p for p, _ in cohort_info(db, "C").people} == {"amy", "ben"}  # type: ignore[arg-type]
    remove_members(db, "C", ["ben"], "lead")  # type: ignore[arg-type]
    assert {p for p, _ in cohort_info(db, "C").people} == {"amy"}  # type: ignore[arg-type]
    with pytest.raises(AttuneError, match="not assigned"):
        unassign(db, "C", "sophie", "lead")  # type: ignore[arg-type]
    unassign(db, "C", "ray", "lead")  # type: ignore[arg-type]
    assert cohort_info(db, "C").assignments == []  # type: ignore[arg-type]
    assert _session_count(db) == 1
    assert delete_cohort(db, "C", "lead") == 1  # type: ignore[arg-type]
    with pytest.raises(AttuneError, match="no such cohort"):
        cohort_info(db, "C")  # type: ignore[arg-type]
    assert _session_count(db) == 1  # amy's transcript is kept
    with db.read() as conn:  # type: ignore[attr-defined]
        actions = set(conn.execute(sa.select(audit.c.action)).scalars())
    assert {"cohort.remove", "unassign", "cohort.delete"} <= actions


def test_the_commands_confirm_warn_and_refuse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    monkeypatch.setenv("ATTUNE_DB", url)
    monkeypatch.setenv("ATTUNE_DATA_DIR", str(tmp_path))
    assert cli("cohort", "create", "C").exit_code == 0
    assert cli("cohort", "add", "C", "amy").exit_code == 0
    past = cli("assign", "C", "ray", "--due", "2020-01-01")
    assert past.exit_code == 0 and "is in the past" in past.output
    assert cli("cohort", "remove", "C", "nobody").exit_code == 2
    assert cli("unassign", "C", "sophie").exit_code == 2
    from click.testing import CliRunner

    from simulator.hosts.cli import main

    declined = CliRunner().invoke(main, ["cohort", "delete", "C"], input="n\n")
    assert declined.exit_code == 1 and "nothing deleted" in declined.output
    assert "C  1 people" in cli("cohort", "list").output
    assert cli("unassign", "C", "ray").exit_code == 0
    done = cli("cohort", "delete", "C", "--yes")
    assert done.exit_code == 0 and "deleted cohort 'C'" in done.output
