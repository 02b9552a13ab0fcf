"""The served app for a person launched from an LMS: a trainee lands on the activity's vignette,
staff on its sessions, and a used launch ticket on the login screen, told why."""

from __future__ import annotations

import time
import urllib.parse
from pathlib import Path

import pytest

from simulator.reach.lti import claims as c
from simulator.reach.lti.launch import Launch, accept, login_redirect
from simulator.reach.lti.registry import register
from simulator.store.database import open_database
from tests.conftest import wait_until
from tests.lms_standin import INSTRUCTOR, LEARNER

NOWHERE = "http://127.0.0.1:9"
"""A platform that never answers (the discard port: refused at once, no network needed)."""


def _ticket(db_url: str, role: str, sub: str, name: str) -> str:
    """A launch as `validate` hands it over (the validation itself is tested in test_lti.py)."""
    db = open_database(db_url)
    plat = register(db, issuer="https://lms.example.edu", client_id="c1", deployments=["d1"],
                    auth_url=f"{NOWHERE}/auth", token_url=f"{NOWHERE}/token",
                    jwks_url=f"{NOWHERE}/jwks", actor=None)  # fmt: skip
    where = login_redirect(db, {"iss": plat.issuer, "login_hint": sub}, "http://t/lti/launch")
    state = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(where).query))["state"]
    claims = {
        "sub": sub,
        "name": name,
        "iat": int(time.time()),
        c.MESSAGE_TYPE: c.RESOURCE_LINK_REQUEST,
        c.ROLES: [role],
        c.CONTEXT: {"id": "course-9", "title": "Resistance seminar"},
        c.RESOURCE_LINK: {"id": "rl-9"},
        c.CUSTOM: {"vignette": "ray"},
        c.AGS_ENDPOINT: {
            "scope": [c.SCOPE_SCORE, c.SCOPE_LINEITEM],
            "lineitem": f"{NOWHERE}/lineitems/9",
        },
    }
    found = Launch(plat, claims, c.attune_role([role]) or "", state)
    ticket, _ = accept(db, found, lambda _vignette: True)
    return ticket


@pytest.mark.parametrize(("role", "screen"), [(LEARNER, "BriefingScreen"),
                                              (INSTRUCTOR, "ReviewListScreen")])  # fmt: skip
async def test_a_launched_person_opens_without_a_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, role: str, screen: str
) -> None:
    from simulator.hosts.cli import served_app

    db_url = f"sqlite:///{tmp_path / 'course.db'}"
    monkeypatch.setenv("ATTUNE_LTI_TICKET", _ticket(db_url, role, "u-9", "Ola Person"))
    app = served_app(db_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: type(app.screen).__name__ == screen, screen)
        assert app.login is not None and app.login.identity.name == "Ola Person"
        assert app.login.identity.authenticated
        if screen == "BriefingScreen":
            assert app.trainee == "Ola Person" and app.screen.vignette.id == "ray"  # type: ignore[attr-defined]
        else:
            assert app.reviewer == "Ola Person"
            assert app.review_filters == {"cohort": "Resistance seminar", "vignette": "ray"}


async def test_a_used_launch_ticket_shows_the_login_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simulator.hosts.cli import served_app
    from simulator.service.lti import redeem_play

    db_url = f"sqlite:///{tmp_path / 'course.db'}"
    ticket = _ticket(db_url, LEARNER, "u-10", "Pia Person")
    redeem_play(open_database(db_url), ticket)  # used once already (a reload of the page)
    monkeypatch.setenv("ATTUNE_LTI_TICKET", ticket)
    app = served_app(db_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: type(app.screen).__name__ == "LoginScreen", "the login")
        notice = str(app.screen.query_one("#login-notice").render())
        assert "used or has expired" in notice and "open the activity again" in notice
        assert app.login is None and app.trainee is None


def test_launches_map_once_and_an_unanswered_grade_waits_on_each_backend(db_url: str) -> None:
    """The mapping and the outbox on SQLite and PostgreSQL: a second launch by the same person
    adds nobody; a session's end queues its score; a platform that does not answer leaves it
    waiting, with the reason, for `attune lti retry`."""
    import sqlalchemy as sa

    from simulator.service.lti import pending, redeem_play, retry
    from simulator.store.schema import assignments, cohorts, lti_outbox, members, people
    from tests.test_lti import _play_to_the_end

    first = redeem_play(open_database(db_url), _ticket(db_url, LEARNER, "u-11", "Quin Person"))
    again = redeem_play(open_database(db_url), _ticket(db_url, LEARNER, "u-11", "Quin Person"))
    assert first.person == again.person == "Quin Person"
    db = open_database(db_url)
    with db.read() as conn:
        for table, n in ((people, 1), (cohorts, 1), (members, 1), (assignments, 1)):
            assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() == n
    session_id = _play_to_the_end(db_url, "Quin Person", "ray")
    (waiting,) = pending(db)
    assert waiting.session_id == session_id and "did not answer" in (waiting.last_error or "")
    sent, still = retry(db)
    assert sent == 0 and len(still) == 1 and still[0].tries == 2
    with db.read() as conn:
        score = conn.execute(sa.select(lti_outbox.c.score)).scalar_one()
    assert '"gradingProgress": "PendingManual"' in score and '"userId": "u-11"' in score
