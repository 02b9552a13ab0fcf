"""Reading for review: the transcripts an assessor may see, and one transcript with its original
and effective scores, comments, overrides, sign-offs and integrity."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from scoring.rubric import Rubric
from scoring.scorer import overall, score_route
from simulator.content.model import Vignette
from simulator.course.auth import Identity, may_read_transcript
from simulator.course.review.agreement import agreement
from simulator.course.review.model import STATUSES, Judgement, Listed, Override, Review
from simulator.errors import AttuneError, did_you_mean
from simulator.play.transcript import Transcript
from simulator.store.database import Database
from simulator.store.schema import (
    cohorts,
    comments,
    members,
    overrides,
    people,
    reflection_ratings,
    sessions,
    signoffs,
)


def list_transcripts(
    db: Database,
    *,
    cohort: str | None = None,
    vignette: str | None = None,
    trainee: str | None = None,
    status: str | None = None,
    limit: int = 500,
    viewer: Identity | None = None,
    reviewer: str | None = None,
    practice: bool | None = None,
) -> list[Listed]:
    """Sessions, newest first, filtered in SQL. Status: in progress (no ending), to review
    (ended, not signed off), competent or not yet (the latest sign-off). A trainee `viewer`
    sees only their own sessions, whatever the filters say. An assessor (`viewer`, or the
    `reviewer` named) sees only the cohorts they belong to; course leaders see every cohort.
    `practice`: True for sessions played outside any cohort only, False for cohort sessions only
    (the review queue's default), None for both."""
    if viewer is not None and not viewer.reviewer:
        trainee = viewer.name
    scope = _assessor_cohorts(db, reviewer or (viewer.name if viewer is not None else None))
    latest = (
        sa.select(signoffs.c.session_id, sa.func.max(signoffs.c.id).label("last"))
        .group_by(signoffs.c.session_id)
        .subquery()
    )
    verdict = (
        sa.select(signoffs.c.session_id, signoffs.c.verdict)
        .join(latest, latest.c.last == signoffs.c.id)
        .subquery()
    )
    status_expr = sa.case(
        (sessions.c.ended_at.is_(None), "in progress"),
        (verdict.c.verdict == "competent", "competent"),
        (verdict.c.verdict == "not_yet", "not yet"),
        else_="to review",
    )
    q = (
        sa.select(
            sessions.c.id.label("session_id"),
            sessions.c.vignette_id,
            sessions.c.trainee,
            cohorts.c.name.label("cohort"),
            sessions.c.mode,
            sessions.c.started_at,
            sessions.c.ended_at,
            sessions.c.overall,
            sessions.c.band,
            status_expr.label("status"),
        )
        .outerjoin(cohorts, cohorts.c.id == sessions.c.cohort_id)
        .outerjoin(verdict, verdict.c.session_id == sessions.c.id)
        .where(sessions.c.source == "play")
        .order_by(sessions.c.started_at.desc())
        .limit(limit)
    )
    if scope is not None:
        q = q.where(sessions.c.cohort_id.in_(scope) | sessions.c.cohort_id.is_(None))
    if practice is not None:
        q = q.where(
            sessions.c.cohort_id.is_(None) if practice else sessions.c.cohort_id.is_not(None)
        )
    if cohort:
        q = q.where(cohorts.c.name == cohort)
    if vignette:
        q = q.where(sessions.c.vignette_id == vignette)
    if trainee:
        q = q.where(sessions.c.trainee == trainee)
    if status:
        if status not in STATUSES:
            raise AttuneError.single(
                "--status",
                f"unknown status '{status}'",
                hint=did_you_mean(status, STATUSES, "statuses"),
            )
        q = q.where(status_expr == status)
    with db.read() as conn:
        return [Listed(**row) for row in conn.execute(q).mappings().all()]


def _assessor_cohorts(db: Database, name: str | None) -> list[int] | None:
    """The cohorts an assessor belongs to, or None (no limit) for anyone else."""
    if name is None:
        return None
    with db.read() as conn:
        person = conn.execute(
            sa.select(people.c.id, people.c.role).where(people.c.name == name)
        ).first()
        if person is None or person.role != "assessor":
            return None
        return list(
            conn.execute(
                sa.select(members.c.cohort_id).where(members.c.person_id == person.id)
            ).scalars()
        )


def require_reviewer(db: Database, name: str) -> str:
    """The person's role, if they may review (assessor or course leader); else a clear refusal."""
    with db.read() as conn:
        role = conn.execute(sa.select(people.c.role).where(people.c.name == name)).scalar()
    if role not in ("assessor", "course_leader"):
        what = "is not registered" if role is None else f"is a {role}"
        raise AttuneError.single(
            f"person '{name}'",
            f"{what}; only assessors and course leaders can comment, override or sign off",
            hint="a course leader can add you: attune cohort add COHORT NAME --role assessor",
        )
    return str(role)


def _recoded(v: Vignette, route: list[tuple[str, int]], moves: dict[int, list[str]]) -> Vignette:
    """A copy of the vignette in which the choices taken at the overridden turns carry the
    assessor's move codes (only for scoring; nothing is written)."""
    if not moves:
        return v
    data = v.model_dump(by_alias=True, exclude_none=True)
    index = {b["id"]: b for b in data["beats"]}
    for turn, codes in moves.items():
        beat, choice = route[turn - 1]
        index[beat]["choices"][choice]["moves"] = codes
    return Vignette.model_validate(data)


def load_review(
    db: Database, session_id: str, rubric: Rubric, viewer: Identity | None = None
) -> Review:
    from simulator.store.dbstore import stored_transcript
    from simulator.store.journal import vignette_for

    t = stored_transcript(db, session_id)
    if viewer is not None:
        may_read_transcript(viewer, t.trainee)
    v = vignette_for(t, f"session {session_id}", db)
    route = [(e.beat, e.choice - 1) for e in t.route()]
    original = score_route(
        v, route, rubric, recorded_rubric_version=t.rubric_version, order=t.order_map()
    )
    with db.read() as conn:
        rows = conn.execute(
            sa.select(overrides)
            .where(overrides.c.session_id == session_id)
            .order_by(overrides.c.id)
        ).mappings()
        ovs = [
            Override(
                r["id"],
                r["turn"],
                r["field"],
                json.loads(r["original"]),
                json.loads(r["value"]),
                r["reason"],
                r["author"],
                r["at"],
            )
            for r in rows
        ]
        notes, offs, rated = (
            _session_rows(conn, table, session_id)
            for table in (comments, signoffs, reflection_ratings)
        )
    moves = {o.turn: list(o.value) for o in ovs if o.field == "moves"}  # the latest wins
    points = {o.turn: int(o.value) for o in ovs if o.field == "points"}
    effective = score_route(_recoded(v, route, moves), route, rubric, order=t.order_map())
    net = sum(points.get(ts.turn, ts.points) for ts in effective.turns) + sum(
        ln.points for ln in effective.end
    )
    eff_overall = overall(rubric, net, len(effective.turns), effective.ending_kind == "stalled")
    review = Review(t, v, original, effective, eff_overall, notes, ovs, offs, rated)
    review.agreement = agreement(review)
    review.integrity = integrity_line(t)
    return review


def integrity_line(t: Transcript) -> str:
    from simulator.play.chain import check_chain

    found = check_chain(t, f"session {t.session_id}")
    if not found:
        return f"Integrity: intact (hash chain over {len(t.events)} events verifies)."
    message = found[0].message[:1].upper() + found[0].message[1:]
    return f"Integrity: NOT INTACT. {message}. {found[0].hint or ''}".strip()


def _session_rows(conn: Connection, table: sa.Table, session_id: str) -> list[dict[str, Any]]:
    """A session's comments, sign-offs or ratings, oldest first."""
    query = sa.select(table).where(table.c.session_id == session_id).order_by(table.c.id)
    return [dict(r) for r in conn.execute(query).mappings()]


def judgement_of(
    db: Database, session_id: str, rubric: Rubric, viewer: Identity | None = None
) -> Judgement | None:
    """The assessors' judgement of a stored session, or None when it is not in the database."""
    with db.read() as conn:
        stored = conn.execute(sa.select(sessions.c.id).where(sessions.c.id == session_id)).first()
    if stored is None:
        return None
    return load_review(db, session_id, rubric, viewer).judgement()
