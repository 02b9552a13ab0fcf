"""attune serve as an LTI 1.3 tool, against an LMS stand-in on loopback (tests/lms_standin.py):
registration, the JWKS, the OIDC login, launches (and every kind of bad one), deep linking, and
grade passback at the end of a session and after the assessor's sign-off, through the outbox."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from simulator.reach.lti.claims import attune_role
from simulator.store.database import open_database
from simulator.store.schema import (
    assignments,
    cohorts,
    lti_outbox,
    lti_states,
    lti_tickets,
    lti_users,
    people,
    sessions,
)
from tests.conftest import ROOT, cli
from tests.lms_standin import INSTRUCTOR, LEARNER, TA, Platform
from tests.test_browser import _free_port, _wait_for_port


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kw: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


@dataclass
class Answer:
    status: int
    headers: Any
    text: str


def http(url: str, form: dict[str, str] | None = None) -> Answer:
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    try:
        with _opener.open(urllib.request.Request(url, data=data), timeout=60) as resp:
            return Answer(resp.status, resp.headers, resp.read().decode())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.headers, html.unescape(exc.read().decode()))


@dataclass
class Tool:
    url: str
    db_url: str
    log: Path
    lms: Platform

    def login(self, **params: str) -> dict[str, str]:
        """Start a launch as the LMS does; returns the query of the redirect to its auth URL."""
        form = {
            "iss": self.lms.issuer,
            "login_hint": "u-1",
            "target_link_uri": f"{self.url}/lti/launch",
            "lti_message_hint": "m-1",
            "client_id": self.lms.client_id,
            "lti_deployment_id": self.lms.deployment,
            **params,
        }
        answer = http(f"{self.url}/lti/login", form)
        assert answer.status == 302, answer.text
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer.headers["Location"]).query))

    def launch(self, token_for: Any = None, **claims: Any) -> Answer:
        """A whole launch: login, then the id_token posted back with the state."""
        query = self.login()
        token = (
            token_for(query["nonce"]) if token_for else self.lms.id_token(query["nonce"], **claims)
        )
        return http(f"{self.url}/lti/launch", {"id_token": token, "state": query["state"]})


@pytest.fixture(scope="module")
def tool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tool]:
    tmp = tmp_path_factory.mktemp("lti")
    lms = Platform()
    db_url = f"sqlite:///{tmp / 'course.db'}"
    assert cli("lti", "register", "--db", db_url, *lms.register_args()).exit_code == 0
    port = _free_port()
    log = tmp / "serve.log"
    env = {**os.environ, "ATTUNE_DATA_DIR": str(tmp / "data"), "ATTUNE_DB": db_url}
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "simulator", "serve", "--port", str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    lms.tool_jwks_url, lms.tool_login_url = f"{url}/lti/jwks", f"{url}/lti/login"
    try:
        _wait_for_port(port, server)
        yield Tool(url, db_url, log, lms)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        lms.close()


def _counts(db_url: str) -> dict[str, int]:
    db = open_database(db_url)
    with db.read() as conn:
        return {
            t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
            for t in (people, cohorts, assignments, lti_users, lti_tickets)
        }


def _wait_for(condition: Any, what: str, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


# ------------------------------------------------------------------ registration and keys


def test_roles_map_to_attunement_roles() -> None:
    assert attune_role([LEARNER]) == "trainee"
    assert attune_role([INSTRUCTOR]) == "course_leader"
    assert attune_role([TA]) == "assessor"
    assert attune_role(["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"]) == "assessor"
    assert attune_role([TA, INSTRUCTOR]) == "course_leader"
    assert attune_role(["Learner"]) == "trainee"
    assert attune_role(["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Staff"]) is None
    assert attune_role([]) is None and attune_role(None) is None


def test_register_list_show_and_remove(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'c.db'}"
    args = ["--issuer", "https://lms.example.edu", "--client-id", "c1",
            "--auth-url", "https://lms.example.edu/auth", "--token-url",
            "https://lms.example.edu/token", "--jwks-url", "https://lms.example.edu/jwks"]  # fmt: skip
    done = cli("lti", "register", "--db", db_url, *args, "--deployment-id", "d1",
               "--deployment-id", "d2")  # fmt: skip
    assert done.exit_code == 0, done.output
    cli("lti", "register", "--db", db_url, *args, "--deployment-id", "d3")
    listed = cli("lti", "list", "--db", db_url).output
    assert "https://lms.example.edu  client c1  deployments d1, d2, d3" in listed
    shown = cli("lti", "show", "--db", db_url, "--public-url", "https://attune.example.edu/").output
    for line in (
        "Login initiation URL:   https://attune.example.edu/lti/login",
        "Launch (redirect) URL:  https://attune.example.edu/lti/launch",
        "Deep-linking URL:       https://attune.example.edu/lti/deeplink",
        "Public keyset (JWKS):   https://attune.example.edu/lti/jwks",
    ):
        assert line in shown
    bad = cli("lti", "register", "--db", db_url, *args[:-1], "lms.example.edu/jwks",
              "--deployment-id", "d1")  # fmt: skip
    assert bad.exit_code != 0 and "--jwks-url" in bad.output and "not an http(s) URL" in bad.output
    assert (
        cli("lti", "remove", "--db", db_url, "--issuer", "https://lms.example.edu").exit_code == 0
    )
    assert "no platforms registered" in cli("lti", "list", "--db", db_url).output


def test_jwks_publishes_the_public_key_and_keeps_it_across_a_rotation(tool: Tool) -> None:
    import json

    first = json.loads(http(f"{tool.url}/lti/jwks").text)["keys"]
    assert len(first) == 1 and first[0]["kty"] == "RSA" and first[0]["alg"] == "RS256"
    assert {"n", "e", "kid"} <= set(first[0]) and not {"d", "p", "q", "dp", "dq"} & set(first[0])
    done = cli("lti", "rotate-key", "--db", tool.db_url)
    assert done.exit_code == 0
    new_kid = done.output.split()[-1]
    keys = json.loads(http(f"{tool.url}/lti/jwks").text)["keys"]
    assert [k["kid"] for k in keys] == [new_kid, first[0]["kid"]]  # the old one stays published


# ------------------------------------------------------------------ the login


def test_login_redirects_to_the_platform_with_every_parameter(tool: Tool) -> None:
    query = tool.login()
    assert query["scope"] == "openid" and query["response_type"] == "id_token"
    assert query["response_mode"] == "form_post" and query["prompt"] == "none"
    assert query["client_id"] == tool.lms.client_id
    assert query["redirect_uri"] == f"{tool.url}/lti/launch"
    assert query["login_hint"] == "u-1" and query["lti_message_hint"] == "m-1"
    again = tool.login()
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    assert again["state"] != query["state"] and again["nonce"] != query["nonce"]
    # kept on the server, not in a cookie (a frame that blocks third-party cookies still works)
    answer = http(f"{tool.url}/lti/login?" + urllib.parse.urlencode(
        {"iss": tool.lms.issuer, "login_hint": "u-1", "client_id": tool.lms.client_id}))  # fmt: skip
    assert answer.status == 302 and "Set-Cookie" not in answer.headers
    assert answer.headers["Location"].startswith(f"{tool.lms.url}/auth?")
    db = open_database(tool.db_url)
    with db.read() as conn:
        kept = conn.execute(
            sa.select(lti_states.c.nonce).where(lti_states.c.state == query["state"])
        )
        assert kept.scalar() == query["nonce"]


def test_a_login_from_an_unknown_issuer_is_refused(tool: Tool) -> None:
    answer = http(f"{tool.url}/lti/login", {"iss": "https://other.example", "login_hint": "x"})
    assert answer.status == 400
    assert "not registered with attunement" in answer.text and "attune lti register" in answer.text


# ------------------------------------------------------------------ bad launches


def _wrong(tool: Tool, change: str) -> Any:
    lms = tool.lms

    def token(nonce: str) -> str:
        claims = lms.claims(nonce, sub=f"bad-{change}")
        if change == "expired":
            claims["iat"], claims["exp"] = int(time.time()) - 900, int(time.time()) - 600
        elif change == "audience":
            claims["aud"] = "some-other-tool"
        elif change == "issuer":
            claims["iss"] = "https://other.example"
        elif change == "deployment":
            claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] = "dep-unknown"
        elif change == "role":
            claims["https://purl.imsglobal.org/spec/lti/claim/roles"] = []
        elif change == "version":
            claims["https://purl.imsglobal.org/spec/lti/claim/version"] = "1.1"
        elif change == "nonce":
            claims["nonce"] = "a-nonce-this-login-never-issued"
        if change == "wrong-key":
            return lms.sign(claims, wrong_key=True)
        signed = lms.sign(claims)
        if change == "tampered":
            head, body, sig = signed.split(".")
            import base64
            import json

            data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            data["https://purl.imsglobal.org/spec/lti/claim/roles"] = [INSTRUCTOR]
            body = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
            return f"{head}.{body}.{sig}"
        return signed

    return token


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ("expired", "the token has expired"),
        ("audience", "the token is for another tool"),
        ("issuer", "not the platform this login began with"),
        ("deployment", "this deployment is not registered"),
        ("tampered", "signature does not verify"),
        ("wrong-key", "signed with a key the platform does not publish"),
        ("role", "carries no role attunement knows"),
        ("version", "LTI version '1.1' is not supported"),
        ("nonce", "not the one this login issued"),
    ],
)
def test_a_bad_launch_is_refused_clearly_logged_and_stores_nothing(
    tool: Tool, change: str, says: str
) -> None:
    before = _counts(tool.db_url)
    answer = tool.launch(_wrong(tool, change))
    assert answer.status == 401
    assert "This launch could not be opened" in answer.text and says in answer.text
    assert "What to do:" in answer.text
    assert "/ws/lti/" not in answer.text
    assert _counts(tool.db_url) == before

    def logged() -> str:  # the server's log wraps long lines
        return " ".join(tool.log.read_text(errors="replace").split())

    _wait_for(lambda: f"LTI launch refused: {says}" in logged() or says in logged(), "the log")
    assert "LTI launch refused" in logged()


def test_a_replayed_launch_is_refused_and_stores_nothing_more(tool: Tool) -> None:
    query = tool.login()
    form = {"id_token": tool.lms.id_token(query["nonce"], sub="replay"), "state": query["state"]}
    assert http(f"{tool.url}/lti/launch", form).status == 200
    before = _counts(tool.db_url)
    again = http(f"{tool.url}/lti/launch", form)
    assert again.status == 401 and "used already (a replayed nonce)" in again.text
    assert _counts(tool.db_url) == before


def test_a_launch_without_a_login_is_refused(tool: Tool) -> None:
    token = tool.lms.id_token("n", sub="nologin")
    answer = http(f"{tool.url}/lti/launch", {"id_token": token, "state": "made-up"})
    assert answer.status == 401 and "did not start with a login here" in answer.text


def test_a_trainee_launch_of_an_activity_without_a_vignette_says_what_to_do(tool: Tool) -> None:
    before = _counts(tool.db_url)
    answer = tool.launch(sub="novig", custom={}, link="rl-empty")
    assert answer.status == 401 and "names no vignette" in answer.text
    assert "deep linking" in answer.text
    unknown = tool.launch(sub="novig", custom={"vignette": "nobody"}, link="rl-unknown")
    assert "not in attunement's library" in unknown.text
    assert _counts(tool.db_url) == before


# ------------------------------------------------------------------ a whole launch and its grades


def _play_to_the_end(db_url: str, person: str, vignette_id: str) -> str:
    """What the served app does for a launched trainee: start the assignment's session and
    choose until it ends (the passback runs as the last choice is saved)."""
    from simulator.service.library import open_vignette
    from simulator.service.play import start
    from simulator.service.scores import default_rubric

    path, v = open_vignette(Path(vignette_id), db_url)
    play = start(path, v, default_rubric(), trainee=person, db_url=db_url, warm=False)
    while not play.ended:
        play.choose(0)
    play.close()
    return play.transcript.session_id


def test_a_launch_opens_the_app_then_grades_go_back_pending_then_fully_graded(tool: Tool) -> None:
    from simulator.service.courses import load_review, review_action
    from simulator.service.lti import redeem_play
    from simulator.service.scores import default_rubric

    lms = tool.lms
    answer = tool.launch(sub="learner-1", name="Alma Learner", link="rl-grade",
                         custom={"vignette": "ray", "mode": "assessment", "attempts": "2"})  # fmt: skip
    assert answer.status == 200, answer.text
    ticket = re.search(r"/ws/lti/([A-Za-z0-9_-]+)", answer.text)
    assert ticket is not None and 'data-session-websocket-url="ws://' in answer.text
    db = open_database(tool.db_url)
    mapped = redeem_play(db, ticket.group(1))
    assert (mapped.person, mapped.role, mapped.vignette_id, mapped.mode) == (
        "Alma Learner", "trainee", "ray", "assessment",
    )  # fmt: skip
    assert mapped.cohort == "Working with resistance"
    with pytest.raises(Exception, match="used or has expired"):
        redeem_play(db, ticket.group(1))  # once only
    with db.read() as conn:
        task = conn.execute(sa.select(assignments)).mappings().one()
    assert (task["vignette_id"], task["mode"], task["attempts"]) == ("ray", "assessment", 2)

    session_id = _play_to_the_end(tool.db_url, "Alma Learner", "ray")
    # the platform named no line item: the tool created one, got a token, and sent the score
    assert len(lms.lineitems) == 1 and lms.lineitems[0]["resourceLinkId"] == "rl-grade"
    assert lms.lineitems[0]["scoreMaximum"] == 100
    first = lms.scores[-1]
    with db.read() as conn:
        overall = conn.execute(
            sa.select(sessions.c.overall).where(sessions.c.id == session_id)
        ).scalar_one()
    assert first["lineitem"].endswith("/lineitems/1")
    assert first["content_type"] == "application/vnd.ims.lis.v1.score+json"
    assert first["userId"] == "learner-1" and first["scoreGiven"] == overall
    assert first["scoreMaximum"] == 100 and first["activityProgress"] == "Completed"
    assert first["gradingProgress"] == "PendingManual" and first["timestamp"].endswith("+00:00")
    assert lms.tokens_issued[-1]["claims"]["aud"] == f"{lms.url}/token"

    # the assessor overrides a turn and signs off: the gradebook gets the overridden score
    cli("user", "add", "Sam Assessor", "--role", "assessor", "--db", tool.db_url)
    review = load_review(db, session_id, default_rubric())
    turn = review.original.turns[0]
    review_action(db, "override_points", review, 1, max(-20, turn.points - 10), "Sam Assessor",
                  "pressed too early")  # fmt: skip
    review_action(db, "sign_off", session_id, "Sam Assessor", "competent", "Well paced.")
    final = lms.scores[-1]
    judged = load_review(db, session_id, default_rubric()).judgement()
    assert final["gradingProgress"] == "FullyGraded" and final["activityProgress"] == "Completed"
    assert final["scoreGiven"] == judged.overall != overall
    assert "competent" in final["comment"] and "Well paced." in final["comment"]
    assert final["lineitem"] == first["lineitem"]  # the line item is made once


def test_a_refused_grade_waits_in_the_outbox_until_retry_sends_it(tool: Tool) -> None:
    lms = tool.lms
    lineitem = f"{lms.url}/lineitems/77"
    answer = tool.launch(sub="learner-2", name="Ben Learner", link="rl-outbox",
                         custom={"vignette": "liam"}, lineitem=lineitem)  # fmt: skip
    assert answer.status == 200
    lms.refuse_scores = 2
    sent_before = len(lms.scores)
    session_id = _play_to_the_end(tool.db_url, "Ben Learner", "liam")
    assert len(lms.scores) == sent_before  # refused, kept
    db = open_database(tool.db_url)
    with db.read() as conn:
        row = conn.execute(sa.select(lti_outbox).where(lti_outbox.c.session_id == session_id)).one()
    assert row.sent_at is None and "HTTP 503" in row.last_error and row.tries == 1
    failed = cli("lti", "retry", "--db", tool.db_url)
    assert failed.exit_code == 1 and "1 waiting" in failed.output and "HTTP 503" in failed.output
    done = cli("lti", "retry", "--db", tool.db_url)
    assert done.exit_code == 0 and "sent 1 grade(s); 0 waiting" in done.output
    assert lms.scores[-1]["lineitem"] == lineitem  # the platform's own line item
    assert lms.scores[-1]["userId"] == "learner-2"
    assert "no LMS" not in done.output


def test_a_session_stored_later_by_sync_sends_its_score_then(tool: Tool, tmp_path: Path) -> None:
    """A session played while the course database could not take its events (here: not
    saved there at all, only to its journal) sends no grade; `attune sync` stores it later,
    and the LMS gets the score then, once."""
    from simulator.service.courses import sync_journals
    from simulator.service.library import open_vignette
    from simulator.service.play import start
    from simulator.service.scores import default_rubric

    lms = tool.lms
    answer = tool.launch(sub="learner-4", name="Dee Learner", link="rl-sync",
                         custom={"vignette": "nadia"})  # fmt: skip
    assert answer.status == 200
    path, v = open_vignette(Path("nadia"), tool.db_url)
    journal = tmp_path / "dee.json"
    play = start(path, v, default_rubric(), trainee="Dee Learner", db_url=tool.db_url,
                 out=journal, use_database=False, warm=False)  # fmt: skip
    while not play.ended:
        play.choose(0)
    play.close()
    sent = [s for s in lms.scores if s["userId"] == "learner-4"]
    assert sent == []  # the database never saw the end
    db = open_database(tool.db_url)
    stored, problems = sync_journals(db, [journal])
    assert (stored, problems) == (1, [])
    sent = [s for s in lms.scores if s["userId"] == "learner-4"]
    assert len(sent) == 1 and sent[0]["gradingProgress"] == "PendingManual"
    with db.read() as conn:
        overall = conn.execute(
            sa.select(sessions.c.overall).where(sessions.c.id == play.transcript.session_id)
        ).scalar_one()
    assert sent[0]["scoreGiven"] == overall
    assert sync_journals(db, [journal]) == (0, [])  # already stored: nothing sent again
    assert len([s for s in lms.scores if s["userId"] == "learner-4"]) == 1


def test_a_session_outside_any_lms_sends_nothing(tool: Tool) -> None:
    before = len(tool.lms.scores)
    cli("cohort", "create", "local", "--db", tool.db_url)
    cli("cohort", "add", "local", "Cara", "--db", tool.db_url)
    cli("assign", "local", "ray", "--db", tool.db_url)
    _play_to_the_end(tool.db_url, "Cara", "ray")
    assert len(tool.lms.scores) == before
    db = open_database(tool.db_url)
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(lti_outbox).where(
            lti_outbox.c.sent_at.is_(None))).scalar() == 0  # fmt: skip


# ------------------------------------------------------------------ deep linking


def test_an_instructor_picks_a_vignette_and_the_lms_gets_a_signed_link(tool: Tool) -> None:
    lms = tool.lms
    query = tool.login(target_link_uri=f"{tool.url}/lti/deeplink")
    assert query["redirect_uri"] == f"{tool.url}/lti/deeplink"
    token = lms.id_token(query["nonce"], sub="teacher-1", name="Tess Teacher",
                         roles=[INSTRUCTOR], message_type="LtiDeepLinkingRequest")  # fmt: skip
    picker = http(f"{tool.url}/lti/deeplink", {"id_token": token, "state": query["state"]})
    assert picker.status == 200 and "Add an attunement activity" in picker.text
    assert 'value="sophie"' in picker.text and 'name="attempts"' in picker.text
    ticket = re.search(r'name="ticket" value="([^"]+)"', picker.text)
    assert ticket is not None
    back = http(f"{tool.url}/lti/deeplink/pick",
                {"ticket": ticket.group(1), "vignette": "sophie", "mode": "assessment",
                 "attempts": "2"})  # fmt: skip
    assert back.status == 200 and f'action="{lms.url}/deeplink-return"' in back.text
    jwt_value = re.search(r'name="JWT" value="([^"]+)"', back.text)
    assert jwt_value is not None
    assert http(f"{lms.url}/deeplink-return", {"JWT": jwt_value.group(1)}).status == 200
    claims = lms.deep_link_responses[-1]  # verified by the stand-in against the tool's JWKS
    assert claims["iss"] == lms.client_id and claims["aud"] == lms.issuer
    dl = "https://purl.imsglobal.org/spec/lti-dl/claim/"
    assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == (
        "LtiDeepLinkingResponse"
    )
    assert claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] == lms.deployment
    assert claims[dl + "data"] == "opaque-dl-data"
    (item,) = claims[dl + "content_items"]
    assert item["type"] == "ltiResourceLink" and item["url"] == f"{tool.url}/lti/launch"
    assert item["custom"] == {"vignette": "sophie", "mode": "assessment", "attempts": "2"}
    assert item["lineItem"]["scoreMaximum"] == 100
    # the pick works once
    again = http(f"{tool.url}/lti/deeplink/pick",
                 {"ticket": ticket.group(1), "vignette": "sophie", "mode": "practice",
                  "attempts": "1"})  # fmt: skip
    assert again.status == 400 and "used or has expired" in again.text
    # and the activity it made launches a learner into that vignette
    launched = tool.launch(sub="learner-3", name="Dee Learner", link="rl-dl",
                           custom=item["custom"])  # fmt: skip
    assert launched.status == 200 and "/ws/lti/" in launched.text


def test_only_instructors_deep_link(tool: Tool) -> None:
    before = _counts(tool.db_url)
    answer = tool.launch(sub="learner-dl", roles=[LEARNER], message_type="LtiDeepLinkingRequest")
    assert answer.status == 401 and "only instructors pick activities" in answer.text
    assert _counts(tool.db_url) == before


# ------------------------------------------------------------------ in a browser


def test_a_browser_launched_from_the_lms_plays_to_the_debrief_and_the_lms_gets_the_score(
    tool: Tool,
) -> None:
    """The whole path as a trainee meets it: the LMS's page starts the login, the platform posts
    the id_token back, the served app opens on the activity's vignette without a password, and
    the score reaches the stand-in's gradebook when the session ends."""
    from playwright.sync_api import sync_playwright

    from tests.test_browser import CAPTURE, CHROMIUM, FLAGS, SHOTS, focus_terminal, page_shows

    lms = tool.lms
    lms.next_launch = {"sub": "browser-1", "name": "Bea Browser", "link": "rl-browser",
                       "custom": {"vignette": "ray", "mode": "practice"}}  # fmt: skip
    before = len(lms.scores)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.add_init_script(CAPTURE)
        page.goto(f"{lms.url}/start?login_hint=browser-1&target={tool.url}/lti/launch")

        def shows(text: str) -> None:
            page_shows(page, text)

        shows("Learning objectives")  # the activity's briefing, with no login screen before it
        assert "Log in to attunement" not in page.evaluate("window.__attuneOut")
        assert lms.auth_requests[-1]["login_hint"] == "browser-1"
        focus_terminal(page, 640, 700)  # the terminal takes the keys once it has the focus
        page.keyboard.press("Enter")  # start the session
        db = open_database(tool.db_url)

        def choices_stored() -> tuple[int, bool]:
            with db.read() as conn:
                row = conn.execute(
                    sa.select(sessions.c.id, sessions.c.ended_at)
                    .where(sessions.c.trainee == "Bea Browser")
                ).first()  # fmt: skip
                if row is None:
                    return 0, False
                from simulator.store.schema import events

                n = conn.execute(
                    sa.select(sa.func.count()).where(
                        events.c.session_id == row.id, events.c.kind == "choice"
                    )
                ).scalar_one()
            return int(n), row.ended_at is not None

        for turn in range(1, 13):
            page.keyboard.press("1")
            _wait_for(lambda turn=turn: choices_stored()[0] >= turn, f"choice {turn}", 120)  # type: ignore[misc]
            if choices_stored()[1]:
                break
        shows("Press Enter for your debrief")
        page.keyboard.press("Enter")
        shows("Overall")
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "lti-debrief.png"))
        browser.close()
    _wait_for(lambda: len(lms.scores) > before, "the score at the LMS", 120)
    score = lms.scores[-1]
    assert score["userId"] == "browser-1" and score["gradingProgress"] == "PendingManual"
    with db.read() as conn:
        overall = conn.execute(
            sa.select(sessions.c.overall).where(sessions.c.trainee == "Bea Browser")
        ).scalar_one()
    assert score["scoreGiven"] == overall
