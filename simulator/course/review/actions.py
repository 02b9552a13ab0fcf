"""What an assessor does, each with its audit row: comment, override a turn's move codes or points
(with a reason; the original stays), rate the reflective practice, and sign off."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from simulator.content.codebook import codebook
from simulator.course.courses import record
from simulator.course.review.model import REFLECTION_SCALE, Review
from simulator.course.review.queries import require_reviewer
from simulator.errors import AttuneError, did_you_mean
from simulator.play.transcript import now
from simulator.store.database import Database
from simulator.store.schema import (
    VERDICTS,
    comments,
    overrides,
    reflection_ratings,
    sessions,
    signoffs,
)


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


def parse_move_codes(text: str) -> list[str]:
    """Move codes as an assessor types them: separated by commas or spaces."""
    return [c.strip() for c in text.replace(" ", ",").split(",") if c.strip()]


def move_codes_problem(codes: list[str]) -> AttuneError | None:
    """What is wrong with these move codes (with a suggestion), or None: checked before the
    dialog closes, so a typo never loses what was typed, and again when the override is saved."""
    known = codebook().moves
    for code in codes:
        if code not in known:
            return AttuneError.single(
                "move codes", f"unknown move code '{code}'", hint=did_you_mean(code, known, "codes")
            )
    if not codes:
        return AttuneError.single(
            "move codes", "no move code given", hint="e.g. complex_reflection"
        )
    return None


def override_moves(
    db: Database, review: Review, turn: int, codes: list[str], author: str, reason: str
) -> None:
    _may_override(db, review, turn, author)
    problem = move_codes_problem(codes)
    if problem is not None:
        raise problem
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
        before = conn.execute(
            sa.select(signoffs.c.verdict, signoffs.c.at).where(
                signoffs.c.session_id == session_id, signoffs.c.assessor == assessor
            )
        ).first()
        if before is not None:
            # a verdict is given once; a second assessor may give theirs (for agreement)
            raise AttuneError.single(
                f"session {session_id}",
                f"{assessor} signed this session off already ({before.verdict.replace('_', ' ')}, "
                f"{before.at[:10]})",
                hint="add a comment to say more; another assessor may give a second verdict",
            )
        conn.execute(
            signoffs.insert().values(
                session_id=session_id, assessor=assessor, verdict=verdict, summary=summary, at=now()
            )
        )
        record(conn, assessor, "signoff", session_id, verdict=verdict)


# ------------------------------------------------------------------ agreement


def rate_reflection(db: Database, session_id: str, assessor: str, level: int, note: str) -> None:
    """Rate the session's check-in notes and rationales on `REFLECTION_SCALE` (0-2). The
    latest rating of each assessor counts; every rating is audited."""
    require_reviewer(db, assessor)
    if level not in range(len(REFLECTION_SCALE)):
        raise AttuneError.single(
            "reflection rating",
            f"{level} is not on the scale",
            hint="0 absent, 1 names a reaction, 2 uses the reaction as information",
        )
    with db.begin() as conn:
        known = conn.execute(sa.select(sessions.c.id).where(sessions.c.id == session_id)).first()
        if known is None:
            raise AttuneError.single(f"session {session_id}", "no such session")
        conn.execute(
            reflection_ratings.insert().values(
                session_id=session_id, assessor=assessor, level=level, note=note.strip(), at=now()
            )
        )
        record(conn, assessor, "reflection.rate", session_id, level=level)
