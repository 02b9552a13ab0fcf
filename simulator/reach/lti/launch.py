"""An LTI 1.3 launch: the OpenID Connect third-party-initiated login, the validation of the
platform's id_token, and what it maps to (IMS LTI Core 1.3 §5, IMS Security Framework §5.1).

Nothing a launch carries is trusted before its signature, issuer, audience, times, nonce,
deployment, message type and version have been checked; a refused launch stores nothing. The
login's state and nonce are kept here on the server, never in a cookie, so a browser that blocks
third-party cookies inside the LMS's frame still launches.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa

from simulator.course.courses import record
from simulator.errors import AttuneError
from simulator.play.transcript import now
from simulator.reach.lti import claims as c
from simulator.reach.lti.registry import Platform, find, platform
from simulator.store.database import Database
from simulator.store.schema import (
    assignments,
    cohorts,
    lti_contexts,
    lti_link_people,
    lti_links,
    lti_states,
    lti_tickets,
    lti_users,
    members,
    people,
)

STATE_LIFETIME = timedelta(minutes=10)
"""How long a login may take between the redirect and the launch."""
TICKET_LIFETIME = timedelta(minutes=5)
"""How long the page a launch returns has to open the app (or send the pick)."""
KEEP_USED = timedelta(days=2)
"""How long used or expired login states and tickets are kept (then removed at a login)."""
LEEWAY_S = 60
"""Clock difference allowed between the platform and the tool."""
MODES = ("practice", "assessment")


class Refused(AttuneError):
    """A launch refused: the message says what was wrong; nothing was stored."""


def refuse(what: str, message: str, hint: str) -> Refused:
    return Refused([AttuneError.single(what, message, hint=hint).problems[0]])


# ------------------------------------------------------------------ the login


def login_redirect(db: Database, params: dict[str, str], launch_url: str) -> str:
    """The platform's authorisation URL for a third-party-initiated login (`params`: what the
    LMS sent to the login URL). Keeps a fresh state and nonce."""
    issuer = params.get("iss", "")
    if not issuer or not params.get("login_hint"):
        raise refuse(
            "login",
            "the login request has no iss or login_hint",
            "start the activity from the LMS; this URL is the tool's login initiation URL",
        )
    found = find(db, issuer, params.get("client_id"))
    if found is None:
        raise refuse(
            f"issuer '{issuer}'",
            "this platform is not registered with attunement",
            "an administrator registers it: attune lti register --issuer ...",
        )
    deployment = params.get("lti_deployment_id")
    if deployment and deployment not in found.deployments:
        raise refuse(
            f"deployment '{deployment}'",
            "this deployment is not registered for the platform",
            "add it: attune lti register ... --deployment-id ID",
        )
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    stale = (datetime.now(UTC) - KEEP_USED).isoformat()
    with db.begin() as conn:
        # logins and tickets long past use: a nonce older than this could not pass anyway
        conn.execute(lti_states.delete().where(lti_states.c.created_at < stale))
        conn.execute(lti_tickets.delete().where(lti_tickets.c.created_at < stale))
        conn.execute(
            lti_states.insert().values(
                state=state, nonce=nonce, platform_id=found.id, created_at=now()
            )
        )
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": found.client_id,
        "redirect_uri": launch_url,
        "login_hint": params["login_hint"],
        "state": state,
        "nonce": nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    sep = "&" if "?" in found.auth_url else "?"
    return found.auth_url + sep + urlencode(query)


# ------------------------------------------------------------------ the launch

_jwk_clients: dict[str, Any] = {}
"""One PyJWKClient per platform JWKS URL: it fetches the keys and caches them."""


def _platform_key(jwks_url: str, token: str) -> Any:
    import jwt

    client = _jwk_clients.get(jwks_url)
    if client is None:
        client = _jwk_clients[jwks_url] = jwt.PyJWKClient(
            jwks_url, cache_keys=True, lifespan=300, timeout=10
        )
    try:
        return client.get_signing_key_from_jwt(token).key
    except jwt.PyJWKClientConnectionError as exc:
        raise refuse(
            "platform keys",
            f"the platform's public keys could not be fetched from {jwks_url}: {exc}",
            "check the JWKS URL (attune lti list) and that the LMS is reachable",
        ) from None
    except jwt.PyJWKClientError:
        raise refuse(
            "id_token",
            "the token is signed with a key the platform does not publish",
            "launch again from the LMS; if it repeats, check the platform's JWKS URL",
        ) from None
    except jwt.InvalidTokenError:
        raise refuse("id_token", "the token is not a JWT", "launch again from the LMS") from None


@dataclass(frozen=True)
class Launch:
    """A validated launch."""

    platform: Platform
    claims: dict[str, Any]
    role: str
    state: str

    @property
    def message_type(self) -> str:
        return str(self.claims[c.MESSAGE_TYPE])

    @property
    def sub(self) -> str:
        return str(self.claims["sub"])


def validate(db: Database, form: dict[str, str]) -> Launch:
    """Check the id_token the platform posted: the state and its nonce (used once), the
    signature by the platform's JWKS, iss, aud/azp, exp, iat, the deployment, the message type,
    the LTI version and a role. Raises `Refused`; stores nothing."""
    import jwt

    token, state = form.get("id_token", ""), form.get("state", "")
    if form.get("error"):
        raise refuse(
            "launch",
            f"the LMS refused the login: {form.get('error')} {form.get('error_description', '')}",
            "launch again from the LMS",
        )
    if not token or not state:
        raise refuse("launch", "no id_token or state was posted", "launch again from the LMS")
    with db.read() as conn:
        row = conn.execute(sa.select(lti_states).where(lti_states.c.state == state)).first()
    if row is None:
        raise refuse(
            "launch",
            "this launch did not start with a login here (unknown state)",
            "launch again from the LMS",
        )
    if row.used_at is not None:
        raise refuse(
            "launch",
            "this launch was used already (a replayed nonce)",
            "open the activity again from the LMS",
        )
    if datetime.fromisoformat(row.created_at) < datetime.now(UTC) - STATE_LIFETIME:
        raise refuse("launch", "the login took too long", "open the activity again from the LMS")
    if row.platform_id is None:
        raise refuse("launch", "the platform was removed", "an administrator registers it again")
    plat = platform(db, int(row.platform_id))
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        raise refuse("id_token", "the token is not a JWT", "launch again from the LMS") from None
    if unverified.get("iss") != plat.issuer:
        raise refuse(
            f"issuer '{unverified.get('iss')}'",
            "the token's issuer is not the platform this login began with",
            "register the platform: attune lti register --issuer ...",
        )
    key = _platform_key(plat.jwks_url, token)
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=["RS256", "RS384", "RS512"],
            audience=plat.client_id,
            issuer=plat.issuer,
            leeway=LEEWAY_S,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]},
        )
    except jwt.ExpiredSignatureError:
        raise refuse("id_token", "the token has expired", "launch again from the LMS") from None
    except jwt.InvalidAudienceError:
        raise refuse(
            "id_token",
            f"the token is for another tool (its audience is not {plat.client_id})",
            "check the client id registered for this platform (attune lti list)",
        ) from None
    except jwt.InvalidSignatureError:
        raise refuse(
            "id_token",
            "the token's signature does not verify: it was changed or not signed by the platform",
            "launch again from the LMS",
        ) from None
    except jwt.ImmatureSignatureError:
        raise refuse("id_token", "the token is not valid yet", "check the server's clock") from None
    except jwt.MissingRequiredClaimError as exc:
        raise refuse(
            "id_token", f"the token has no '{exc.claim}' claim", "launch again from the LMS"
        ) from None
    except jwt.InvalidTokenError as exc:
        raise refuse(
            "id_token", f"the token is not valid: {exc}", "launch again from the LMS"
        ) from None
    if float(claims["iat"]) > time.time() + LEEWAY_S:
        raise refuse("id_token", "the token was issued in the future", "check the server's clock")
    aud = claims["aud"]
    if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") != plat.client_id:
        raise refuse(
            "id_token",
            "the token has several audiences and its azp is not this tool",
            "check the client id registered for this platform",
        )
    if claims["nonce"] != row.nonce:
        raise refuse(
            "id_token",
            "the token's nonce is not the one this login issued (a replayed token)",
            "open the activity again from the LMS",
        )
    deployment = claims.get(c.DEPLOYMENT_ID)
    if deployment not in plat.deployments:
        raise refuse(
            f"deployment '{deployment}'",
            "this deployment is not registered for the platform",
            "add it: attune lti register ... --deployment-id ID",
        )
    if claims.get(c.VERSION) != c.LTI_VERSION:
        raise refuse(
            "id_token",
            f"LTI version {claims.get(c.VERSION)!r} is not supported (1.3.0 is)",
            "configure the tool as LTI 1.3 in the LMS",
        )
    if claims.get(c.MESSAGE_TYPE) not in (c.RESOURCE_LINK_REQUEST, c.DEEP_LINKING_REQUEST):
        raise refuse(
            "id_token",
            f"message type {claims.get(c.MESSAGE_TYPE)!r} is not one attunement answers",
            "use a resource link or the content picker (deep linking)",
        )
    role = c.attune_role(claims.get(c.ROLES))
    if role is None:
        raise refuse(
            "id_token",
            "the launch carries no role attunement knows (Learner, Instructor, "
            "TeachingAssistant or Mentor)",
            "ask the LMS administrator to give you a role in this course",
        )
    if claims[c.MESSAGE_TYPE] == c.DEEP_LINKING_REQUEST and role != "course_leader":
        raise refuse(
            "deep linking", "only instructors pick activities", "ask the course's instructor"
        )
    if claims[c.MESSAGE_TYPE] == c.DEEP_LINKING_REQUEST and not (
        claims.get(c.DL_SETTINGS) or {}
    ).get("deep_link_return_url"):
        raise refuse(
            "deep linking", "the request has no deep_link_return_url", "try again from the LMS"
        )
    return Launch(plat, claims, role, state)


# ------------------------------------------------------------------ what a launch maps to


@dataclass(frozen=True)
class Activity:
    """What a resource link opens: a vignette in a mode, with so many attempts."""

    vignette_id: str
    mode: str = "practice"
    attempts: int = 3

    @staticmethod
    def from_custom(custom: object) -> Activity | None:
        if not isinstance(custom, dict) or not custom.get("vignette"):
            return None
        mode = str(custom.get("mode") or "practice")
        if mode not in MODES:
            raise refuse(
                "custom parameter mode",
                f"'{mode}' is not a mode",
                "use practice or assessment (pick the activity again in the LMS)",
            )
        try:
            attempts = int(custom.get("attempts") or 3)
        except ValueError:
            attempts = 0
        if attempts < 1:
            raise refuse(
                "custom parameter attempts",
                f"'{custom.get('attempts')}' is not a number of attempts",
                "use a whole number of at least 1",
            )
        return Activity(str(custom["vignette"]), mode, attempts)


@dataclass(frozen=True)
class Mapped:
    """Whom and what a launch opens in the served app."""

    person: str
    role: str
    vignette_id: str | None = None
    mode: str = "practice"
    cohort: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _unique(conn: sa.Connection, table: sa.Table, name: str, tail: str) -> str:
    name = name.strip()[:80] or tail
    taken = conn.execute(sa.select(table.c.id).where(table.c.name == name)).first()
    return name if taken is None else f"{name} ({tail})"[:100]


def _person(conn: sa.Connection, launch: Launch) -> str:
    claims = launch.claims
    row = conn.execute(
        sa.select(people.c.id, people.c.name, people.c.role)
        .join(lti_users, lti_users.c.person_id == people.c.id)
        .where(lti_users.c.platform_id == launch.platform.id, lti_users.c.sub == launch.sub)
    ).first()
    if row is not None:
        if row.role != launch.role:  # the LMS decides the role: it changed there
            conn.execute(people.update().where(people.c.id == row.id).values(role=launch.role))
            record(conn, "lti", "lti.role", row.name, was=row.role, now=launch.role)
        return str(row.name)
    shown = str(
        claims.get("name")
        or " ".join(str(claims.get(k, "")) for k in ("given_name", "family_name")).strip()
        or claims.get("email")
        or f"lms-{launch.sub}"
    )
    name = _unique(conn, people, shown, f"lms {launch.sub[:12]}")
    pid = conn.execute(
        people.insert().values(name=name, role=launch.role, created_at=now()).returning(people.c.id)
    ).scalar_one()
    conn.execute(
        lti_users.insert().values(platform_id=launch.platform.id, sub=launch.sub, person_id=pid)
    )
    record(conn, "lti", "person.add", name, role=launch.role, issuer=launch.platform.issuer)
    return name


def _cohort(conn: sa.Connection, launch: Launch, person: str) -> str | None:
    context = launch.claims.get(c.CONTEXT)
    if not isinstance(context, dict) or not context.get("id"):
        return None
    cid = conn.execute(
        sa.select(lti_contexts.c.cohort_id).where(
            lti_contexts.c.platform_id == launch.platform.id,
            lti_contexts.c.context_id == str(context["id"]),
        )
    ).scalar()
    if cid is None:
        title = str(context.get("title") or context.get("label") or context["id"])
        name = _unique(conn, cohorts, title, str(context["id"])[:20])
        cid = conn.execute(
            cohorts.insert()
            .values(name=name, created_at=now(), created_by="lti")
            .returning(cohorts.c.id)
        ).scalar_one()
        conn.execute(
            lti_contexts.insert().values(
                platform_id=launch.platform.id, context_id=str(context["id"]), cohort_id=cid
            )
        )
        record(conn, "lti", "cohort.create", name, issuer=launch.platform.issuer)
    pid = conn.execute(sa.select(people.c.id).where(people.c.name == person)).scalar_one()
    joined = conn.execute(
        sa.select(members.c.person_id).where(members.c.cohort_id == cid, members.c.person_id == pid)
    ).first()
    if joined is None:
        conn.execute(members.insert().values(cohort_id=cid, person_id=pid))
    return str(conn.execute(sa.select(cohorts.c.name).where(cohorts.c.id == cid)).scalar_one())


def _link(
    conn: sa.Connection, launch: Launch, cohort: str, activity: Activity, person: str
) -> None:
    link = launch.claims.get(c.RESOURCE_LINK) or {}
    ags = launch.claims.get(c.AGS_ENDPOINT) or {}
    key = (lti_links.c.platform_id == launch.platform.id) & (
        lti_links.c.resource_link_id == str(link.get("id"))
    )
    cid = conn.execute(sa.select(cohorts.c.id).where(cohorts.c.name == cohort)).scalar_one()
    current = conn.execute(
        sa.select(assignments.c.id, assignments.c.mode, assignments.c.attempts).where(
            assignments.c.cohort_id == cid, assignments.c.vignette_id == activity.vignette_id
        )
    ).first()
    found = None if current is None else current.id
    if current is not None and (current.mode, current.attempts) != (
        activity.mode,
        activity.attempts,
    ):
        # the LMS's activity settings are the truth: an instructor changed them there
        conn.execute(
            assignments.update()
            .where(assignments.c.id == current.id)
            .values(mode=activity.mode, attempts=activity.attempts)
        )
        record(conn, "lti", "assign.update", f"{cohort}/{activity.vignette_id}",
               mode=activity.mode, attempts=activity.attempts)  # fmt: skip
    if found is None:
        conn.execute(
            assignments.insert().values(
                cohort_id=cid,
                vignette_id=activity.vignette_id,
                mode=activity.mode,
                due=None,
                attempts=activity.attempts,
                rationale_required=False,
                own_words=False,
                created_at=now(),
                created_by="lti",
            )
        )
        record(conn, "lti", "assign", f"{cohort}/{activity.vignette_id}", mode=activity.mode,
               attempts=activity.attempts)  # fmt: skip
        found = conn.execute(
            sa.select(assignments.c.id).where(
                assignments.c.cohort_id == cid, assignments.c.vignette_id == activity.vignette_id
            )
        ).scalar_one()
    values = {
        "assignment_id": found,
        "lineitems_url": ags.get("lineitems"),
        "lineitem_url": ags.get("lineitem"),
        "scopes": " ".join(str(s) for s in ags.get("scope") or []),
    }
    exists = conn.execute(sa.select(lti_links.c.assignment_id).where(key)).first()
    if exists is None:
        conn.execute(
            lti_links.insert().values(
                platform_id=launch.platform.id, resource_link_id=str(link.get("id")), **values
            )
        )
    else:
        # a line item created earlier by the tool is kept when the platform names none
        if values["lineitem_url"] is None:
            values.pop("lineitem_url")
        conn.execute(lti_links.update().where(key).values(values))
    pid = conn.execute(sa.select(people.c.id).where(people.c.name == person)).scalar_one()
    who = (
        (lti_link_people.c.platform_id == launch.platform.id)
        & (lti_link_people.c.resource_link_id == str(link.get("id")))
        & (lti_link_people.c.person_id == pid)
    )
    if conn.execute(sa.select(lti_link_people.c.person_id).where(who)).first() is None:
        conn.execute(
            lti_link_people.insert().values(
                platform_id=launch.platform.id,
                resource_link_id=str(link.get("id")),
                person_id=pid,
            )
        )


def accept(db: Database, launch: Launch, known_vignette: Any) -> tuple[str, Mapped]:
    """Map a validated resource-link or deep-linking launch and hand out its one-time ticket.
    Uses the login's nonce in the same transaction, so a replay finds it used.
    `known_vignette(id)` says whether a vignette id is in the library."""
    activity = None
    if launch.message_type == c.RESOURCE_LINK_REQUEST:
        link = launch.claims.get(c.RESOURCE_LINK)
        if not isinstance(link, dict) or not link.get("id"):
            raise refuse("id_token", "the launch has no resource link id", "launch again")
        activity = Activity.from_custom(launch.claims.get(c.CUSTOM))
        if activity is None and launch.role == "trainee":
            raise refuse(
                f"activity '{link.get('title') or link.get('id')}'",
                "this activity names no vignette",
                "the instructor adds it again with the tool's picker (deep linking), or sets "
                "the custom parameter vignette=ID",
            )
        if activity is not None and not known_vignette(activity.vignette_id):
            raise refuse(
                f"vignette '{activity.vignette_id}'",
                "not in attunement's library",
                "the instructor picks the activity again (attune list shows the library)",
            )
    with db.begin() as conn:
        used = conn.execute(
            lti_states.update()
            .where(lti_states.c.state == launch.state, lti_states.c.used_at.is_(None))
            .values(used_at=now())
        )
        if used.rowcount != 1:
            raise refuse(
                "launch",
                "this launch was used already (a replayed nonce)",
                "open the activity again from the LMS",
            )
        person = _person(conn, launch)
        cohort = _cohort(conn, launch, person)
        if activity is not None and cohort is not None:
            _link(conn, launch, cohort, activity, person)
        if launch.message_type == c.DEEP_LINKING_REQUEST:
            settings = launch.claims[c.DL_SETTINGS]
            mapped = Mapped(
                person,
                launch.role,
                cohort=cohort,
                extra={
                    "platform_id": launch.platform.id,
                    "deployment_id": launch.claims[c.DEPLOYMENT_ID],
                    "return_url": settings["deep_link_return_url"],
                    "data": settings.get("data"),
                    "title": (launch.claims.get(c.CONTEXT) or {}).get("title"),
                },
            )
            kind = "deeplink"
        else:
            mapped = Mapped(
                person,
                launch.role,
                vignette_id=activity.vignette_id if activity else None,
                mode=activity.mode if activity else "practice",
                cohort=cohort,
            )
            kind = "play"
        ticket = secrets.token_urlsafe(32)
        conn.execute(
            lti_tickets.insert().values(
                ticket_sha256=_digest(ticket),
                kind=kind,
                detail=json.dumps(mapped.__dict__),
                created_at=now(),
            )
        )
        record(conn, person, f"lti.launch.{kind}", launch.platform.issuer,
               vignette=mapped.vignette_id, cohort=cohort)  # fmt: skip
    return ticket, mapped


def _digest(ticket: str) -> str:
    return hashlib.sha256(ticket.encode("utf-8")).hexdigest()


def redeem(db: Database, ticket: str, kind: str) -> Mapped:
    """The launch a ticket stands for; a ticket works once, within `TICKET_LIFETIME`."""
    cutoff = (datetime.now(UTC) - TICKET_LIFETIME).isoformat()
    with db.begin() as conn:
        row = conn.execute(
            sa.select(lti_tickets).where(lti_tickets.c.ticket_sha256 == _digest(ticket))
        ).first()
        if row is None or row.kind != kind or row.used_at is not None or row.created_at < cutoff:
            raise refuse(
                "launch",
                "this launch link has been used or has expired",
                "open the activity again from your course in the LMS",
            )
        conn.execute(
            lti_tickets.update()
            .where(lti_tickets.c.ticket_sha256 == row.ticket_sha256)
            .values(used_at=now())
        )
    return Mapped(**json.loads(row.detail))
