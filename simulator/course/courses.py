"""People, cohorts, assignments and progress, on the course database.

Every change is written with an audit row (who, when, what) in the same transaction. Names are
how course leaders refer to people and cohorts; they are unique.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from simulator.errors import AttuneError, did_you_mean
from simulator.play.transcript import Transcript, now
from simulator.store.database import Database
from simulator.store.schema import ROLES, assignments, audit, cohorts, members, people, sessions


def record(conn: Connection, actor: str | None, action: str, target: str, **detail: Any) -> None:
    conn.execute(
        audit.insert().values(
            at=now(),
            actor=actor,
            action=action,
            target=target,
            detail=json.dumps(detail, sort_keys=True) if detail else None,
        )
    )


def cohort_id(conn: Connection, name: str) -> int:
    found = conn.execute(sa.select(cohorts.c.id).where(cohorts.c.name == name)).scalar()
    if found is None:
        known = list(conn.execute(sa.select(cohorts.c.name)).scalars())
        raise AttuneError.single(
            f"cohort '{name}'",
            "no such cohort",
            hint=did_you_mean(name, known, "cohorts")
            if known
            else "create it with `attune cohort create NAME`",
        )
    return int(found)


def ensure_person(conn: Connection, name: str, role: str, actor: str | None) -> int:
    if role not in ROLES:
        raise AttuneError.single(
            f"person '{name}'", f"unknown role '{role}'", hint=f"use one of {', '.join(ROLES)}"
        )
    row = conn.execute(sa.select(people.c.id, people.c.role).where(people.c.name == name)).first()
    if row is not None:
        if row.role != role:
            raise AttuneError.single(
                f"person '{name}'",
                f"already registered as {row.role}, not {role}",
                hint="use another name, or leave out --role to keep the existing role",
            )
        return int(row.id)
    new_id = conn.execute(
        people.insert().values(name=name, role=role, created_at=now()).returning(people.c.id)
    ).scalar_one()
    record(conn, actor, "person.add", name, role=role)
    return int(new_id)


def create_cohort(db: Database, name: str, actor: str | None) -> None:
    with db.begin() as conn:
        if conn.execute(sa.select(cohorts.c.id).where(cohorts.c.name == name)).first():
            raise AttuneError.single(
                f"cohort '{name}'", "already exists", hint="pick another name, or add people to it"
            )
        conn.execute(cohorts.insert().values(name=name, created_at=now(), created_by=actor))
        record(conn, actor, "cohort.create", name)


def add_members(db: Database, cohort: str, names: list[str], role: str, actor: str | None) -> int:
    """Add people (registering them with `role` if new). Returns how many were newly added."""
    added = 0
    with db.begin() as conn:
        cid = cohort_id(conn, cohort)
        for name in names:
            pid = ensure_person(conn, name, role, actor)
            there = conn.execute(
                sa.select(members.c.person_id).where(
                    members.c.cohort_id == cid, members.c.person_id == pid
                )
            ).first()
            if there is None:
                conn.execute(members.insert().values(cohort_id=cid, person_id=pid))
                record(conn, actor, "cohort.add", cohort, person=name, role=role)
                added += 1
    return added


def remove_members(db: Database, cohort: str, names: list[str], actor: str | None) -> None:
    """Take people out of a cohort. Their sessions and transcripts stay. Someone who is not in
    the cohort is an error, and then nobody is removed."""
    with db.begin() as conn:
        cid = cohort_id(conn, cohort)
        ids = {}
        for name in names:
            pid = conn.execute(
                sa.select(people.c.id)
                .join(members, members.c.person_id == people.c.id)
                .where(people.c.name == name, members.c.cohort_id == cid)
            ).scalar()
            if pid is None:
                raise AttuneError.single(
                    f"cohort '{cohort}'",
                    f"'{name}' is not in this cohort",
                    hint=f'`attune cohort show "{cohort}"` lists its people',
                )
            ids[name] = pid
        for name, pid in ids.items():
            conn.execute(
                members.delete().where(members.c.cohort_id == cid, members.c.person_id == pid)
            )
            record(conn, actor, "cohort.remove", cohort, person=name)


def delete_cohort(db: Database, cohort: str, actor: str | None) -> int:
    """Delete a cohort with its memberships and assignments. Its sessions and transcripts are
    kept (no longer linked to the cohort or an assignment). Returns how many sessions it had."""
    with db.begin() as conn:
        cid = cohort_id(conn, cohort)
        kept = conn.execute(
            sa.update(sessions)
            .where(sessions.c.cohort_id == cid)
            .values(cohort_id=None, assignment_id=None)
        ).rowcount
        conn.execute(members.delete().where(members.c.cohort_id == cid))
        conn.execute(assignments.delete().where(assignments.c.cohort_id == cid))
        conn.execute(cohorts.delete().where(cohorts.c.id == cid))
        record(conn, actor, "cohort.delete", cohort, sessions_kept=int(kept or 0))
    return int(kept or 0)


def unassign(db: Database, cohort: str, vignette_id: str, actor: str | None) -> None:
    """Withdraw an assignment. Sessions already played on it are kept, as practice."""
    with db.begin() as conn:
        cid = cohort_id(conn, cohort)
        aid = conn.execute(
            sa.select(assignments.c.id).where(
                assignments.c.cohort_id == cid, assignments.c.vignette_id == vignette_id
            )
        ).scalar()
        if aid is None:
            raise AttuneError.single(
                f"cohort '{cohort}'",
                f"'{vignette_id}' is not assigned to this cohort",
                hint=f'`attune cohort show "{cohort}"` lists its assignments',
            )
        conn.execute(
            sa.update(sessions).where(sessions.c.assignment_id == aid).values(assignment_id=None)
        )
        conn.execute(assignments.delete().where(assignments.c.id == aid))
        record(conn, actor, "unassign", cohort, vignette=vignette_id)


@dataclass(frozen=True)
class CohortInfo:
    name: str
    created_at: str
    people: list[tuple[str, str]]
    """(name, role), by role then name."""
    assignments: list[dict[str, Any]]


def list_cohorts(db: Database) -> list[tuple[str, int, int]]:
    """(name, people, assignments) for every cohort."""
    n_people = (
        sa.select(sa.func.count())
        .select_from(members)
        .where(members.c.cohort_id == cohorts.c.id)
        .scalar_subquery()
    )
    n_assign = (
        sa.select(sa.func.count())
        .select_from(assignments)
        .where(assignments.c.cohort_id == cohorts.c.id)
        .scalar_subquery()
    )
    with db.read() as conn:
        rows = conn.execute(
            sa.select(cohorts.c.name, n_people, n_assign).order_by(cohorts.c.name)
        ).all()
    return [(r[0], int(r[1]), int(r[2])) for r in rows]


def cohort_info(db: Database, name: str) -> CohortInfo:
    with db.read() as conn:
        cid = cohort_id(conn, name)
        created = conn.execute(sa.select(cohorts.c.created_at).where(cohorts.c.id == cid)).scalar()
        who = conn.execute(
            sa.select(people.c.name, people.c.role)
            .join(members, members.c.person_id == people.c.id)
            .where(members.c.cohort_id == cid)
            .order_by(people.c.role, people.c.name)
        ).all()
        tasks = conn.execute(
            sa.select(assignments).where(assignments.c.cohort_id == cid).order_by(assignments.c.due)
        ).mappings()
        return CohortInfo(name, str(created), [(w[0], w[1]) for w in who], [dict(t) for t in tasks])


def assign(
    db: Database,
    cohort: str,
    vignette_id: str,
    *,
    mode: str,
    due: date | None,
    attempts: int,
    rationale_required: bool,
    actor: str | None,
    own_words: bool = False,
) -> None:
    with db.begin() as conn:
        cid = cohort_id(conn, cohort)
        values = {
            "mode": mode,
            "due": due.isoformat() if due else None,
            "attempts": attempts,
            "rationale_required": rationale_required,
            "own_words": own_words,
        }
        existing = conn.execute(
            sa.select(assignments.c.id).where(
                assignments.c.cohort_id == cid, assignments.c.vignette_id == vignette_id
            )
        ).scalar()
        if existing is None:
            conn.execute(
                assignments.insert().values(
                    cohort_id=cid,
                    vignette_id=vignette_id,
                    created_at=now(),
                    created_by=actor,
                    **values,
                )
            )
            record(conn, actor, "assign", f"{cohort}/{vignette_id}", **values)
        else:
            conn.execute(assignments.update().where(assignments.c.id == existing).values(values))
            record(conn, actor, "assign.update", f"{cohort}/{vignette_id}", **values)


@dataclass(frozen=True)
class Assigned:
    """One assignment as a trainee sees it."""

    assignment_id: int
    cohort_id: int
    cohort: str
    vignette_id: str
    mode: str
    due: str | None
    attempts: int
    rationale_required: bool
    used: int
    """Sessions started for it."""
    finished: int
    best: int | None
    overdue: bool
    own_words: bool = False
    """The trainee types their own answer before the options appear."""

    @property
    def attempts_left(self) -> int:
        return max(0, self.attempts - self.used)


def assigned_to(db: Database, trainee: str, today: date | None = None) -> list[Assigned]:
    """The trainee's assignments, soonest due first (those without a due date last)."""
    today = today or date.today()
    used = (
        sa.select(
            sessions.c.assignment_id,
            sa.func.count().label("used"),
            sa.func.count(sessions.c.ended_at).label("finished"),
            sa.func.max(sessions.c.overall).label("best"),
        )
        .where(sessions.c.trainee == trainee)
        .group_by(sessions.c.assignment_id)
        .subquery()
    )
    query = (
        sa.select(
            assignments,
            cohorts.c.name.label("cohort"),
            sa.func.coalesce(used.c.used, 0).label("used"),
            sa.func.coalesce(used.c.finished, 0).label("finished"),
            used.c.best,
        )
        .join(cohorts, cohorts.c.id == assignments.c.cohort_id)
        .join(members, members.c.cohort_id == cohorts.c.id)
        .join(people, people.c.id == members.c.person_id)
        .outerjoin(used, used.c.assignment_id == assignments.c.id)
        .where(people.c.name == trainee)
    )
    with db.read() as conn:
        rows = conn.execute(query).mappings().all()
    out = [
        Assigned(
            r["id"],
            r["cohort_id"],
            r["cohort"],
            r["vignette_id"],
            r["mode"],
            r["due"],
            r["attempts"],
            bool(r["rationale_required"]),
            int(r["used"]),
            int(r["finished"]),
            r["best"],
            bool(r["due"]) and r["due"] < today.isoformat() and int(r["finished"]) == 0,
            bool(r["own_words"]),
        )
        for r in rows
    ]
    out.sort(key=lambda a: (a.due is None, a.due or "", a.vignette_id))
    return out


@dataclass(frozen=True)
class ProgressRow:
    trainee: str
    vignette_id: str
    due: str | None
    attempts: int
    used: int
    finished: int
    best: int | None
    best_band: str | None
    status: str
    """done | done late | in progress | not started | overdue"""
    best_with_overrides: bool = False
    """The best score is the one after an assessor's overrides (the scorer's is lower or higher)."""


def progress(db: Database, cohort: str, today: date | None = None) -> list[ProgressRow]:
    """Who has done what in a cohort: one row per trainee and assignment, aggregated in SQL."""
    today_s = (today or date.today()).isoformat()
    with db.read() as conn:
        cid = cohort_id(conn, cohort)
        trainees = (
            sa.select(people.c.name)
            .join(members, members.c.person_id == people.c.id)
            .where(members.c.cohort_id == cid, people.c.role == "trainee")
            .subquery()
        )
        per = (
            sa.select(
                sessions.c.trainee,
                sessions.c.assignment_id,
                sa.func.count().label("used"),
                sa.func.count(sessions.c.ended_at).label("finished"),
                sa.func.max(sessions.c.overall).label("best"),
                sa.func.min(sessions.c.ended_at).label("first_done"),
            )
            .where(sessions.c.cohort_id == cid)
            .group_by(sessions.c.trainee, sessions.c.assignment_id)
            .subquery()
        )
        rows = conn.execute(
            sa.select(
                trainees.c.name,
                assignments.c.id,
                assignments.c.vignette_id,
                assignments.c.due,
                assignments.c.attempts,
                sa.func.coalesce(per.c.used, 0),
                sa.func.coalesce(per.c.finished, 0),
                per.c.best,
                per.c.first_done,
            )
            .select_from(trainees)
            .join(assignments, assignments.c.cohort_id == cid)
            .outerjoin(
                per,
                sa.and_(per.c.trainee == trainees.c.name, per.c.assignment_id == assignments.c.id),
            )
            .order_by(trainees.c.name, assignments.c.due, assignments.c.vignette_id)
        ).all()
    from scoring.rubric import default_rubric

    rubric = default_rubric()
    adjusted = _best_with_overrides(db, cid, rubric)
    out = []
    for name, aid, vid, due, attempts, used, finished, best, first_done in rows:
        overridden = (name, aid) in adjusted
        if overridden:
            best = adjusted[(name, aid)]
        if finished:
            # finished after the day it was due: still done, and said to be late
            status = "done late" if due and first_done and first_done[:10] > due else "done"
        elif due and due < today_s:
            status = "overdue"
        elif used:
            status = "in progress"
        else:
            status = "not started"
        band = rubric.overall_band(best) if best is not None else None
        out.append(
            ProgressRow(
                name, vid, due, attempts, int(used), int(finished), best, band, status, overridden
            )
        )
    return out


def _best_with_overrides(db: Database, cid: int, rubric: Any) -> dict[tuple[str, int], int]:
    """Per (trainee, assignment) whose finished sessions an assessor overrode, the best score
    counting each overridden session at its score after the overrides (as the review shows)."""
    from simulator.course.review.queries import load_review
    from simulator.store.schema import overrides

    with db.read() as conn:
        finished = conn.execute(
            sa.select(
                sessions.c.id, sessions.c.trainee, sessions.c.assignment_id, sessions.c.overall
            ).where(
                sessions.c.cohort_id == cid,
                sessions.c.ended_at.is_not(None),
                sessions.c.assignment_id.is_not(None),
            )
        ).all()
        touched = set(
            conn.execute(
                sa.select(overrides.c.session_id).where(
                    overrides.c.session_id.in_([r.id for r in finished])
                )
            ).scalars()
        )
    groups = {(r.trainee, r.assignment_id) for r in finished if r.id in touched}
    best: dict[tuple[str, int], int] = {}
    for r in finished:
        key = (r.trainee, r.assignment_id)
        if key not in groups:
            continue
        score = load_review(db, r.id, rubric).effective_overall if r.id in touched else r.overall
        if score is not None:
            best[key] = max(best.get(key, score), score)
    return best


def attempt_for(db: Database, trainee: str, vignette_id: str) -> Assigned | None:
    """The assignment a new session of this vignette counts towards, if the trainee has one.
    Refuses, with a clear message, when every allowed attempt has been used."""
    found = [a for a in assigned_to(db, trainee) if a.vignette_id == vignette_id]
    if not found:
        return None
    open_ = [a for a in found if a.attempts_left > 0]
    if not open_:
        a = found[0]
        raise AttuneError.single(
            f"assignment '{a.vignette_id}' in cohort '{a.cohort}'",
            f"all {a.attempts} allowed attempt(s) have been used",
            hint="ask your course leader for another attempt (attune assign ... --attempts N)",
        )
    return open_[0]


def claim_attempt(db: Database, task: Assigned, t: Transcript) -> None:
    """Count a new session towards its assignment, atomically: the attempts are counted and the
    session's row written in one write transaction (SQLite BEGIN IMMEDIATE; on PostgreSQL a lock
    per assignment and trainee), so sessions started at the same moment cannot all take the last
    attempt."""
    from simulator.store.dbstore import session_row

    with db.begin() as conn:
        if db.dialect == "postgresql":
            conn.execute(
                sa.text("SELECT pg_advisory_xact_lock(7203, hashtext(:k))"),
                {"k": f"{task.assignment_id}:{t.trainee}"},
            )
        used = conn.execute(
            sa.select(sa.func.count()).where(
                sessions.c.assignment_id == task.assignment_id, sessions.c.trainee == t.trainee
            )
        ).scalar()
        if int(used or 0) >= task.attempts:
            raise AttuneError.single(
                f"assignment '{task.vignette_id}' in cohort '{task.cohort}'",
                f"all {task.attempts} allowed attempt(s) have been used",
                hint="ask your course leader for another attempt (attune assign ... --attempts N)",
            )
        conn.execute(sessions.insert().values(session_row(t)))
