"""LTI 1.3 for the hosts: registering platforms, the served app's login, launch and deep-linking
endpoints, and grade passback when a session ends or is signed off. The protocol is in
`simulator.reach.lti`; this is its one door for the CLI and `attune serve`.

A database without registered platforms never reaches the network from here: a session's end
costs one indexed query when it belongs to an assignment, none otherwise.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from simulator.errors import AttuneError
from simulator.play.transcript import Transcript
from simulator.reach.lti import require_jwt
from simulator.reach.lti.grades import Pending, deliver, pending, queue
from simulator.reach.lti.launch import Mapped, Refused, accept, login_redirect, redeem, validate
from simulator.reach.lti.registry import (
    Platform,
    jwks,
    platforms,
    register,
    remove,
    rotate_key,
    signing_key,
)
from simulator.store.database import Database, open_database

log = logging.getLogger("attune.lti")

PATHS = {
    "login": "/lti/login",
    "launch": "/lti/launch",
    "jwks": "/lti/jwks",
    "deeplink": "/lti/deeplink",
}
"""Where `attune serve` answers the platform (the deep-linking URL is a launch URL too)."""


def tool_urls(public_url: str) -> dict[str, str]:
    """What an LMS administrator pastes into the LMS, for a tool reached at `public_url`."""
    base = public_url.rstrip("/")
    return {name: base + path for name, path in PATHS.items()}


@dataclass(frozen=True)
class Opened:
    """A launch accepted: `ticket` opens the served app (kind "play") or sends the instructor's
    pick (kind "deeplink")."""

    kind: str
    ticket: str
    mapped: Mapped


def login(db: Database, params: dict[str, str], public_url: str) -> str:
    """The redirect to the platform's authorisation endpoint."""
    urls = tool_urls(public_url)
    target = params.get("target_link_uri", "")
    redirect = urls["deeplink"] if target == urls["deeplink"] else urls["launch"]
    return login_redirect(db, params, redirect)


def launch(db: Database, form: dict[str, str]) -> Opened:
    """Validate and map a launch. A refusal (`Refused`) is logged and stores nothing."""
    try:
        found = validate(db, form)
        ids = {i for i, _, _ in picker_choices(db.url)}
        ticket, mapped = accept(db, found, ids.__contains__)
    except Refused as exc:
        log.warning("LTI launch refused: %s", exc.problems[0].render().replace("\n", " "))
        raise
    kind = "deeplink" if mapped.extra.get("return_url") else "play"
    log.info("LTI launch: %s (%s) %s", mapped.person, mapped.role, mapped.vignette_id or kind)
    return Opened(kind, ticket, mapped)


def picker_choices(db_url: str | None) -> list[tuple[str, str, str]]:
    """The vignettes an instructor may pick: (id, title, difficulty)."""
    from simulator.service.library import load_library

    found, _ = load_library(db_url=db_url)
    return [(v.id, v.title, v.difficulty) for _, v in found]


def redeem_play(db: Database, ticket: str) -> Mapped:
    return redeem(db, ticket, "play")


def deep_link(
    db: Database,
    ticket: str,
    *,
    vignette_id: str,
    mode: str,
    attempts: int,
    public_url: str,
    db_url: str | None,
) -> tuple[str, str]:
    """The return URL and signed response for the instructor's pick."""
    from simulator.reach.lti.deeplink import response

    titles = {i: t for i, t, _ in picker_choices(db_url)}
    if vignette_id not in titles:
        raise AttuneError.single(
            f"vignette '{vignette_id}'", "not in the library", hint="pick one from the list"
        )
    request = redeem(db, ticket, "deeplink")
    return response(
        db,
        request,
        vignette_id=vignette_id,
        title=titles[vignette_id],
        mode=mode,
        attempts=attempts,
        launch_url=tool_urls(public_url)["launch"],
    )


# ------------------------------------------------------------------ grades


def session_stored(db_url: str | None, transcript: Transcript) -> bool:
    """A session's record was stored in the course database (as it was played, or later by
    `attune sync`): once a session of an assignment has ended, its score goes to the LMS
    activities it belongs to (`session_ended`). Returns whether it had ended so."""
    if transcript.assignment_id is None or not transcript.has_ended:
        return False
    session_ended(db_url, transcript.session_id)
    return True


def session_ended(db_url: str | None, session_id: str) -> None:
    """A session ended: its score goes to the LMS activities it belongs to, pending the
    assessor's sign-off. Never raises: what cannot be sent waits in the outbox."""
    import sqlalchemy as sa

    from simulator.store.schema import sessions

    try:
        db = open_database(db_url)
        with db.read() as conn:
            overall = conn.execute(
                sa.select(sessions.c.overall).where(sessions.c.id == session_id)
            ).scalar()
        if overall is not None and queue(db, session_id, int(overall), final=False):
            _deliver(db, session_id)
    except AttuneError as exc:  # the database: the session's own save reports it
        log.warning("LTI grade for %s not queued: %s", session_id, exc.problems[0].message)


def signed_off(db: Database, session_id: str) -> None:
    """An assessor signed a session off: the score with the overrides goes to the LMS as
    fully graded, with the verdict as its comment."""
    from simulator.course.review import judgement_of
    from simulator.service.scores import default_rubric

    try:
        judged = judgement_of(db, session_id, default_rubric())
        if judged is None or judged.signoff is None:
            return
        verdict = str(judged.signoff["verdict"]).replace("_", " ")
        by, summary = judged.signoff["assessor"], judged.signoff["summary"]
        comment = f"Signed off ({verdict}) by {by}: {summary}"
        if queue(db, session_id, judged.overall, final=True, comment=comment):
            _deliver(db, session_id)
    except AttuneError as exc:  # the sign-off itself is stored; the grade can be sent later
        log.warning("LTI grade for %s not queued: %s", session_id, exc.problems[0].message)


def _deliver(db: Database, session_id: str) -> None:
    try:
        require_jwt()
    except AttuneError as exc:
        log.warning("LTI grade for %s waits in the outbox: %s", session_id, exc.problems[0].message)
        return
    _, waiting = deliver(db, session_id)
    for p in waiting:
        log.warning("LTI grade for %s waits in the outbox: %s", p.session_id, p.last_error)


def retry(db: Database) -> tuple[int, list[Pending]]:
    """Send everything in the outbox (`attune lti retry`)."""
    require_jwt()
    return deliver(db)


__all__ = [
    "Mapped",
    "Opened",
    "Pending",
    "Platform",
    "Refused",
    "deep_link",
    "jwks",
    "launch",
    "login",
    "pending",
    "picker_choices",
    "platforms",
    "redeem_play",
    "register",
    "remove",
    "require_jwt",
    "retry",
    "rotate_key",
    "session_ended",
    "session_stored",
    "signed_off",
    "signing_key",
    "tool_urls",
]
