"""Grades back to the LMS (Assignment and Grade Services 2.0), through an outbox.

When a session linked to an LMS activity ends, its score is queued with
`activityProgress: Completed` and `gradingProgress: PendingManual` (an assessor has yet to sign
it off); after the sign-off, the score with the assessors' overrides is queued as `FullyGraded`.
A queued score is sent at once. One the platform refuses or does not answer stays in the outbox
with the reason, until `attune lti retry` (`deliver`) sends it.

The access token comes by the OAuth 2 client-credentials grant with a JWT bearer assertion
signed by the tool's key (IMS Security Framework §4.1). A line item is created when the
resource link has none and the platform grants the line-item scope.
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from simulator.course.courses import record
from simulator.play.transcript import now
from simulator.reach.lti import claims as c
from simulator.reach.lti.registry import Platform, platform, sign
from simulator.store.database import Database
from simulator.store.schema import (
    assignments,
    lti_link_people,
    lti_links,
    lti_outbox,
    lti_users,
    people,
    sessions,
)

TIMEOUT_S = 10
"""How long one request to the platform may take before the score waits in the outbox."""


class Undelivered(Exception):
    """The platform refused or did not answer."""


@dataclass(frozen=True)
class Pending:
    id: int
    session_id: str
    issuer: str
    tries: int
    last_error: str | None
    created_at: str


def _links_for(conn: sa.Connection, session_id: str) -> list[tuple[Any, str]]:
    """The LMS resource links the trainee launched this session's assignment through, with
    their LMS user id."""
    row = conn.execute(
        sa.select(sessions.c.assignment_id, sessions.c.trainee).where(sessions.c.id == session_id)
    ).first()
    if row is None or row.assignment_id is None or not row.trainee:
        return []
    found = conn.execute(
        sa.select(lti_links, lti_users.c.sub)
        .join(
            lti_link_people,
            (lti_link_people.c.platform_id == lti_links.c.platform_id)
            & (lti_link_people.c.resource_link_id == lti_links.c.resource_link_id),
        )
        .join(people, people.c.id == lti_link_people.c.person_id)
        .join(
            lti_users,
            (lti_users.c.person_id == people.c.id)
            & (lti_users.c.platform_id == lti_links.c.platform_id),
        )
        .where(lti_links.c.assignment_id == row.assignment_id, people.c.name == row.trainee)
    ).all()
    return [(link, str(link.sub)) for link in found if c.SCOPE_SCORE in link.scopes.split()]


def queue(db: Database, session_id: str, score: int, *, final: bool, comment: str = "") -> int:
    """Queue the session's score for every LMS activity it belongs to; returns how many."""
    stamp = datetime.now(UTC).isoformat(timespec="milliseconds")
    with db.begin() as conn:
        targets = _links_for(conn, session_id)
        for link, sub in targets:
            body: dict[str, Any] = {
                "userId": sub,
                "scoreGiven": max(0, min(c.SCORE_MAXIMUM, score)),
                "scoreMaximum": c.SCORE_MAXIMUM,
                "activityProgress": "Completed",
                "gradingProgress": "FullyGraded" if final else "PendingManual",
                "timestamp": stamp,
            }
            if comment:
                body["comment"] = comment
            conn.execute(
                lti_outbox.insert().values(
                    platform_id=link.platform_id,
                    session_id=session_id,
                    resource_link_id=link.resource_link_id,
                    score=json.dumps(body, sort_keys=True),
                    created_at=now(),
                )
            )
    return len(targets)


def pending(db: Database) -> list[Pending]:
    from simulator.store.schema import lti_platforms

    with db.read() as conn:
        rows = conn.execute(
            sa.select(lti_outbox, lti_platforms.c.issuer)
            .join(lti_platforms, lti_platforms.c.id == lti_outbox.c.platform_id)
            .where(lti_outbox.c.sent_at.is_(None))
            .order_by(lti_outbox.c.id)
        ).all()
    return [
        Pending(r.id, r.session_id, r.issuer, r.tries, r.last_error, r.created_at) for r in rows
    ]


def deliver(db: Database, session_id: str | None = None) -> tuple[int, list[Pending]]:
    """Send what waits in the outbox (for one session, or all), oldest first. Returns how many
    were sent and what is still waiting, each with the reason."""
    sent = 0
    tokens: dict[int, str] = {}
    with db.read() as conn:
        query = sa.select(lti_outbox).where(lti_outbox.c.sent_at.is_(None))
        if session_id is not None:
            query = query.where(lti_outbox.c.session_id == session_id)
        rows = conn.execute(query.order_by(lti_outbox.c.id)).all()
    for row in rows:
        try:
            if row.platform_id is None:
                raise Undelivered("the platform was removed")
            plat = platform(db, int(row.platform_id))
            lineitem = _lineitem(db, plat, row.resource_link_id, tokens)
            _post_score(db, plat, lineitem, json.loads(row.score), tokens)
        except Undelivered as exc:
            with db.begin() as conn:
                conn.execute(
                    lti_outbox.update()
                    .where(lti_outbox.c.id == row.id)
                    .values(tries=row.tries + 1, last_error=str(exc)[:500])
                )
            continue
        with db.begin() as conn:
            conn.execute(
                lti_outbox.update()
                .where(lti_outbox.c.id == row.id)
                .values(tries=row.tries + 1, last_error=None, sent_at=now())
            )
            record(conn, None, "lti.score", row.session_id, issuer=plat.issuer)
        sent += 1
    waiting = [p for p in pending(db) if session_id in (None, p.session_id)]
    return sent, waiting


# ------------------------------------------------------------------ HTTP


def _request(
    url: str, *, data: bytes | None, headers: dict[str, str], method: str = "POST"
) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:
            return int(resp.status), bytes(resp.read())
    except urllib.error.HTTPError as exc:
        body = exc.read()[:300].decode("utf-8", "replace")
        raise Undelivered(f"{url} answered HTTP {exc.code}: {body}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise Undelivered(f"{url} did not answer: {reason}") from None


def _token(plat: Platform, db: Database, tokens: dict[int, str]) -> str:
    if plat.id in tokens:
        return tokens[plat.id]
    issued = int(time.time())
    assertion = sign(
        db,
        {
            "iss": plat.client_id,
            "sub": plat.client_id,
            "aud": plat.token_url,
            "iat": issued,
            "exp": issued + 300,
            "jti": secrets.token_urlsafe(16),
        },
    )
    form = urllib.parse.urlencode(
        {
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
            "scope": f"{c.SCOPE_SCORE} {c.SCOPE_LINEITEM}",
        }
    ).encode("ascii")
    _, body = _request(
        plat.token_url,
        data=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
    )
    try:
        token = str(json.loads(body)["access_token"])
    except (ValueError, KeyError, TypeError):
        raise Undelivered(f"{plat.token_url} gave no access_token") from None
    tokens[plat.id] = token
    return token


def _lineitem(db: Database, plat: Platform, resource_link_id: str, tokens: dict[int, str]) -> str:
    key = (lti_links.c.platform_id == plat.id) & (lti_links.c.resource_link_id == resource_link_id)
    with db.read() as conn:
        link = conn.execute(sa.select(lti_links).where(key)).first()
    if link is None:
        raise Undelivered(f"the LMS activity {resource_link_id} is no longer linked")
    if link.lineitem_url:
        return str(link.lineitem_url)
    if not link.lineitems_url or c.SCOPE_LINEITEM not in link.scopes.split():
        raise Undelivered(
            "the platform named no line item for this activity and does not let the tool create one"
        )
    with db.read() as conn:
        label = conn.execute(
            sa.select(assignments.c.vignette_id).where(assignments.c.id == link.assignment_id)
        ).scalar()
    body = json.dumps(
        {
            "scoreMaximum": c.SCORE_MAXIMUM,
            "label": f"attunement: {label}",
            "resourceLinkId": resource_link_id,
            "resourceId": str(label),
            "tag": "attunement",
        }
    ).encode("utf-8")
    _, answer = _request(
        link.lineitems_url,
        data=body,
        headers={
            "Content-Type": "application/vnd.ims.lis.v2.lineitem+json",
            "Accept": "application/vnd.ims.lis.v2.lineitem+json",
            "Authorization": f"Bearer {_token(plat, db, tokens)}",
        },
    )
    try:
        url = str(json.loads(answer)["id"])
    except (ValueError, KeyError, TypeError):
        raise Undelivered(f"{link.lineitems_url} did not return the new line item's id") from None
    with db.begin() as conn:
        conn.execute(lti_links.update().where(key).values(lineitem_url=url))
    return url


def _scores_url(lineitem: str) -> str:
    parts = urllib.parse.urlsplit(lineitem)
    return urllib.parse.urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def _post_score(
    db: Database, plat: Platform, lineitem: str, body: dict[str, Any], tokens: dict[int, str]
) -> None:
    _request(
        _scores_url(lineitem),
        data=json.dumps(body).encode("utf-8"),
        headers={
            "Content-Type": "application/vnd.ims.lis.v1.score+json",
            "Authorization": f"Bearer {_token(plat, db, tokens)}",
        },
    )
