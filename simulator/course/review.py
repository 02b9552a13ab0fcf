"""Assessor review, headless: find transcripts, read them turn by turn, comment, override a turn's
move codes or points (the original stays; the audit trail records who, when and why), sign off,
and measure agreement between assessors.

Overrides never change the transcript or the vignette on disk. The effective score is the pure
scorer run on the vignette with the overridden turns' move codes replaced, with any overridden
points put in place of the scorer's; both the original and the effective score are shown.
Only registered assessors and course leaders may comment, override or sign off.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from scoring.rubric import Rubric
from scoring.scorer import ScoreReport, overall, score_route
from simulator.content.codebook import codebook
from simulator.content.model import Vignette
from simulator.course.auth import Identity, may_read_transcript
from simulator.course.courses import record
from simulator.errors import AttuneError, did_you_mean
from simulator.play.transcript import ChoiceEvent, Transcript, now
from simulator.store.database import Database
from simulator.store.schema import (
    VERDICTS,
    cohorts,
    comments,
    overrides,
    people,
    sessions,
    signoffs,
)

STATUSES = ("in progress", "to review", "competent", "not yet")


@dataclass(frozen=True)
class Listed:
    session_id: str
    vignette_id: str
    trainee: str | None
    cohort: str | None
    mode: str
    started_at: str
    ended_at: str | None
    overall: int | None
    band: str | None
    status: str


def list_transcripts(
    db: Database,
    *,
    cohort: str | None = None,
    vignette: str | None = None,
    trainee: str | None = None,
    status: str | None = None,
    limit: int = 500,
    viewer: Identity | None = None,
) -> list[Listed]:
    """Sessions, newest first, filtered in SQL. Status: in progress (no ending), to review
    (ended, not signed off), competent or not yet (the latest sign-off). A trainee `viewer`
    sees only their own sessions, whatever the filters say."""
    if viewer is not None and not viewer.reviewer:
        trainee = viewer.name
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


@dataclass
class Override:
    id: int
    turn: int
    field: str
    original: Any
    value: Any
    reason: str
    author: str
    at: str


@dataclass
class Review:
    """Everything the review screen shows for one transcript."""

    transcript: Transcript
    vignette: Vignette
    original: ScoreReport
    effective: ScoreReport
    effective_overall: int
    comments: list[dict[str, Any]] = field(default_factory=list)
    overrides: list[Override] = field(default_factory=list)
    signoffs: list[dict[str, Any]] = field(default_factory=list)
    agreement: Agreement | None = None
    integrity: str = ""
    """The hash-chain verification of the stored transcript, in words."""

    def turn_events(self) -> dict[int, ChoiceEvent]:
        return {e.turn: e for e in self.transcript.route()}

    def rewound(self) -> list[ChoiceEvent]:
        return self.transcript.rewound()


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
    v = vignette_for(t, f"session {session_id}")
    route = [(e.beat, e.choice - 1) for e in t.route()]
    original = score_route(v, route, rubric, recorded_rubric_version=t.rubric_version)
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
        notes = [
            dict(r)
            for r in conn.execute(
                sa.select(comments)
                .where(comments.c.session_id == session_id)
                .order_by(comments.c.id)
            ).mappings()
        ]
        offs = [
            dict(r)
            for r in conn.execute(
                sa.select(signoffs)
                .where(signoffs.c.session_id == session_id)
                .order_by(signoffs.c.id)
            ).mappings()
        ]
    moves = {o.turn: list(o.value) for o in ovs if o.field == "moves"}  # the latest wins
    points = {o.turn: int(o.value) for o in ovs if o.field == "points"}
    effective = score_route(_recoded(v, route, moves), route, rubric)
    net = sum(points.get(ts.turn, ts.points) for ts in effective.turns) + sum(
        ln.points for ln in effective.end
    )
    eff_overall = overall(rubric, net, len(effective.turns))
    review = Review(t, v, original, effective, eff_overall, notes, ovs, offs)
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


def _turn_in_range(review_turns: int, turn: int, session_id: str) -> None:
    if not 1 <= turn <= review_turns:
        raise AttuneError.single(
            f"session {session_id}",
            f"there is no turn {turn}",
            hint=f"turns run from 1 to {review_turns}",
        )


def add_comment(db: Database, session_id: str, turn: int | None, author: str, text: str) -> None:
    require_reviewer(db, author)
    if not text.strip():
        raise AttuneError.single("comment", "the comment is empty", hint="write something")
    with db.begin() as conn:
        conn.execute(
            comments.insert().values(
                session_id=session_id, turn=turn, author=author, at=now(), text=text
            )
        )
        record(conn, author, "comment", session_id, turn=turn)


def override_moves(
    db: Database, review: Review, turn: int, codes: list[str], author: str, reason: str
) -> None:
    _may_override(db, review, turn, author)
    known = codebook().moves
    for code in codes:
        if code not in known:
            raise AttuneError.single(
                "move codes", f"unknown move code '{code}'", hint=did_you_mean(code, known, "codes")
            )
    if not codes:
        raise AttuneError.single("move codes", "no move code given", hint="e.g. complex_reflection")
    _override(db, review, turn, "moves", codes, author, reason)


def override_points(
    db: Database, review: Review, turn: int, points: int, author: str, reason: str
) -> None:
    _may_override(db, review, turn, author)
    if not -20 <= points <= 20:
        raise AttuneError.single("points", f"{points} is out of range", hint="use -20 to 20")
    _override(db, review, turn, "points", points, author, reason)


def _may_override(db: Database, review: Review, turn: int, author: str) -> None:
    require_reviewer(db, author)
    _turn_in_range(len(review.original.turns), turn, review.transcript.session_id)


def _override(
    db: Database, review: Review, turn: int, what: str, value: Any, author: str, reason: str
) -> None:
    """Record an override of a turn's `what` (moves or points); the scorer's original stays."""
    sid = review.transcript.session_id
    original = getattr(review.original.turns[turn - 1], what)
    if not reason.strip():
        raise AttuneError.single(
            "override", "an override needs a reason", hint="say why, for the audit trail"
        )
    with db.begin() as conn:
        conn.execute(
            overrides.insert().values(
                session_id=sid,
                turn=turn,
                field=what,
                original=json.dumps(original),
                value=json.dumps(value),
                reason=reason,
                author=author,
                at=now(),
            )
        )
        record(conn, author, f"override.{what}", sid, turn=turn, original=original, value=value,
               reason=reason)  # fmt: skip


def sign_off(db: Database, session_id: str, assessor: str, verdict: str, summary: str) -> None:
    require_reviewer(db, assessor)
    if verdict not in VERDICTS:
        raise AttuneError.single(
            "verdict", f"unknown verdict '{verdict}'", hint="use competent or not_yet"
        )
    if not summary.strip():
        raise AttuneError.single(
            "sign-off", "a sign-off needs a summary", hint="a sentence or two for the trainee"
        )
    with db.begin() as conn:
        ended = conn.execute(
            sa.select(sessions.c.ended_at).where(sessions.c.id == session_id)
        ).scalar()
        if ended is None:
            raise AttuneError.single(
                f"session {session_id}",
                "the session has not ended yet",
                hint="sign off once the trainee has finished",
            )
        conn.execute(
            signoffs.insert().values(
                session_id=session_id, assessor=assessor, verdict=verdict, summary=summary, at=now()
            )
        )
        record(conn, assessor, "signoff", session_id, verdict=verdict)


# ------------------------------------------------------------------ agreement


@dataclass(frozen=True)
class Agreement:
    raters: tuple[str, str]
    turns: int
    observed: float
    kappa: float | None
    """Cohen's kappa on each turn's move codes (the set of codes as one category); None when
    chance agreement is total and kappa is undefined."""


def cohen_kappa(a: list[Any], b: list[Any]) -> float | None:
    """Cohen's kappa for two raters' categorical codes of the same items."""
    n = len(a)
    if n == 0 or n != len(b):
        return None
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    expected: float = sum(ca[k] * cb[k] for k in ca) / (n * n)
    if expected == 1:
        return None
    return float((observed - expected) / (1 - expected))


def agreement(review: Review) -> Agreement | None:
    """Agreement on move codes between the two most recent raters of this transcript. A rater's
    coding of a turn is their own override of it, or the vignette's coding they accepted; a rater
    is anyone who signed off or overrode move codes."""
    raters: list[str] = []
    for who in [o.author for o in review.overrides if o.field == "moves"] + [
        s["assessor"] for s in review.signoffs
    ]:
        if who in raters:
            raters.remove(who)
        raters.append(who)
    if len(raters) < 2:
        return None
    first, second = raters[-2], raters[-1]
    base = [tuple(sorted(t.moves)) for t in review.original.turns]

    def coding(who: str) -> list[tuple[str, ...]]:
        codes = list(base)
        for o in review.overrides:
            if o.field == "moves" and o.author == who:
                codes[o.turn - 1] = tuple(sorted(o.value))
        return codes

    a, b = coding(first), coding(second)
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n if n else 0.0
    return Agreement((first, second), n, observed, cohen_kappa(a, b))


# ------------------------------------------------------------------ text (shared by the TUI)


def summary_text(review: Review) -> str:
    t, o = review.transcript, review.original
    prov = " (provisional band)" if o.band_provisional else ""
    lines = [
        f"{review.vignette.title} — trainee {t.trainee or 'unnamed'}, {t.mode} mode, "
        f"started {t.started_at[:16].replace('T', ' ')}",
        f"Scorer: {o.overall}/100, {o.band}{prov}; rubric {o.rubric_version}.",
        review.integrity,
    ]
    if review.overrides:
        lines.append(
            f"With assessor overrides: {review.effective_overall}/100 "
            f"({len(review.overrides)} override(s); the scorer's original is kept)."
        )
    a = review.agreement
    if a is not None:
        kappa = "undefined (no variation)" if a.kappa is None else f"{a.kappa:.2f}"
        lines.append(
            f"Agreement between {a.raters[0]} and {a.raters[1]} on move codes: "
            f"Cohen's kappa {kappa}, {a.observed:.0%} of {a.turns} turns identical."
        )
    for s in review.signoffs:
        verdict = "competent" if s["verdict"] == "competent" else "not yet"
        lines.append(f"Signed off by {s['assessor']} ({s['at'][:10]}): {verdict}. {s['summary']}")
    if not review.signoffs:
        lines.append("Not signed off yet.")
    return "\n".join(lines)


def turn_review_text(review: Review, turn: int) -> str:
    from scoring.report import state_line

    ts = review.original.turns[turn - 1]
    event = review.turn_events().get(turn)
    v = review.vignette
    out = [
        f'Turn {turn} — {v.client.name}: "{ts.client}"',
        f'  Trainee chose {ts.choice}: "{ts.say}"  [{", ".join(ts.moves) or "no code"}]',
    ]
    if event is not None:
        out.append(f"  Rationale: {event.rationale or '(none given)'}")
        if event.elapsed_ms is not None:
            out.append(f"  Time taken: {event.elapsed_ms / 1000:.1f} s")
        if event.checkin:
            out.append(f"  Self-awareness note: {event.checkin}")
    out.append(f"  Client state then: {state_line(v, ts.state)}")
    out += [f"  {ln.points:+d}  {ln.rule}: {ln.text}  ({ln.source})" for ln in ts.lines]
    for o in review.overrides:
        if o.turn == turn:
            was = ", ".join(o.original) if o.field == "moves" else f"{o.original:+d}"
            now_ = ", ".join(o.value) if o.field == "moves" else f"{int(o.value):+d}"
            out.append(
                f"  Override ({o.field}) by {o.author}, {o.at[:16].replace('T', ' ')}: "
                f"{now_} (was {was}). Reason: {o.reason}"
            )
    for c in review.comments:
        if c["turn"] == turn:
            out.append(f"  Comment by {c['author']}: {c['text']}")
    return "\n".join(out)


def rewound_text(review: Review) -> str:
    undone = review.rewound()
    if not undone:
        return "No rewound branches."
    v = review.vignette
    lines = ["Rewound branches (choices the trainee undid; they do not count towards the score):"]
    for e in undone:
        beat = v.beat_map.get(e.beat)
        said = beat.choices[e.choice - 1].say if beat and e.choice <= len(beat.choices) else e.say
        lines.append(f'  turn {e.turn} at "{e.beat}": chose {e.choice}, "{said}"')
        if e.rationale:
            lines.append(f"    rationale: {e.rationale}")
    return "\n".join(lines)
