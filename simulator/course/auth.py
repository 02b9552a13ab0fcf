"""Who is acting, and what they may do: logins with argon2 password hashes, a rate limit on
failed attempts, idle expiry, and the access rules every command and screen goes through.

Logins are on ("shared mode") as soon as anyone in the course database has a password; a
database without passwords is a single person's own, and `--as NAME` (or ATTUNE_USER) is enough.
The rules live here, in the core, so no command or screen can skip them:

- a trainee sees only their own transcripts and scores, and changes no score;
- assessors and course leaders read every transcript, comment, override and sign off;
- only course leaders manage cohorts, assignments and passwords (in shared mode).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

import sqlalchemy as sa

from simulator.errors import AttuneError
from simulator.settings import settings
from simulator.store.database import Database
from simulator.store.schema import login_failures, people

if TYPE_CHECKING:
    from argon2 import PasswordHasher

MAX_FAILURES = 5
"""Failed logins for one name within WINDOW before further attempts are refused."""
WINDOW = timedelta(minutes=15)
IDLE_EXPIRY_S = 30 * 60
MIN_PASSWORD = 10


@dataclass(frozen=True)
class Identity:
    name: str
    role: str
    authenticated: bool

    @property
    def reviewer(self) -> bool:
        return self.role in ("assessor", "course_leader")


def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher()


def logins_enabled(db: Database) -> bool:
    with db.read() as conn:
        return (
            conn.execute(
                sa.select(people.c.id).where(people.c.password_hash.is_not(None)).limit(1)
            ).first()
            is not None
        )


def role_of(db: Database, name: str) -> str | None:
    with db.read() as conn:
        found = conn.execute(sa.select(people.c.role).where(people.c.name == name)).scalar()
    return None if found is None else str(found)


def set_password(db: Database, name: str, password: str, actor: Identity | None) -> None:
    """Set a person's password. In shared mode only a course leader, or the person themselves,
    may do it; the first password in a database may be set by whoever runs the command."""
    if len(password) < MIN_PASSWORD:
        raise AttuneError.single(
            f"person '{name}'",
            f"the password is shorter than {MIN_PASSWORD} characters",
            hint="use a longer passphrase",
        )
    if role_of(db, name) is None:
        raise AttuneError.single(
            f"person '{name}'", "is not registered", hint="add them with `attune cohort add`"
        )
    if logins_enabled(db) and not (
        actor is not None
        and actor.authenticated
        and (actor.role == "course_leader" or actor.name == name)
    ):
        raise AttuneError.single(
            f"person '{name}'",
            "only a course leader (or the person themselves) can set this password",
            hint="log in as a course leader with --as NAME",
        )
    from simulator.course.courses import record

    with db.begin() as conn:
        conn.execute(
            people.update()
            .where(people.c.name == name)
            .values(password_hash=_hasher().hash(password))
        )
        record(conn, actor.name if actor else None, "password.set", name)


def default_source() -> str:
    """Where a login attempt comes from when the host does not say: this machine's user and host
    name (the served app passes its own). The rate limit counts per name and source, so a wrong
    guess elsewhere never locks the owner of a name out."""
    import getpass
    import socket

    try:
        user = getpass.getuser()
    except Exception:  # getpass raises whatever the platform's lookup raises
        user = "unknown"
    return f"{user}@{socket.gethostname()}"[:200]


@cache
def _dummy_hash() -> str:
    """A hash to verify against when the name is unknown or has no password, so that a login
    takes as long whether or not the name exists."""
    return str(_hasher().hash("attunement: no such person"))


def login(
    db: Database,
    name: str,
    password: str,
    clock: float | None = None,
    source: str | None = None,
) -> Identity:
    """Check a password. Attempts for one name are checked one at a time, inside one write
    transaction that counts the failures, checks the password and records the outcome, so
    guesses made in parallel all count; past the limit, even the right password is refused until
    the window has passed. The count is per name and source."""
    from argon2.exceptions import VerificationError

    where = (source or default_source())[:200]
    current = datetime.fromtimestamp(clock if clock is not None else time.time(), UTC)
    stamp = current.isoformat(timespec="milliseconds")
    since = (current - WINDOW).isoformat(timespec="milliseconds")
    mine = (login_failures.c.name == name, login_failures.c.source == where)
    with db.begin() as conn:  # SQLite: BEGIN IMMEDIATE; PostgreSQL: a lock per name below
        if db.dialect == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(7202, hashtext(:n))"), {"n": name})
        failures = conn.execute(
            sa.select(sa.func.count(), sa.func.min(login_failures.c.at)).where(
                *mine, login_failures.c.at >= since
            )
        ).one()
        row = None
        ok = False
        if failures[0] < MAX_FAILURES:
            row = conn.execute(
                sa.select(people.c.role, people.c.password_hash).where(people.c.name == name)
            ).first()
            stored = row.password_hash if row is not None and row.password_hash else None
            try:
                # an unknown name is checked against a dummy hash: the time taken is the same
                ok = bool(_hasher().verify(stored or _dummy_hash(), password)) and bool(stored)
            except VerificationError:
                ok = False
            if ok:
                conn.execute(login_failures.delete().where(*mine))
            else:
                conn.execute(login_failures.insert().values(name=name, at=stamp, source=where))
    if failures[0] >= MAX_FAILURES:
        oldest = datetime.fromisoformat(failures[1])
        wait = max(1, int((oldest + WINDOW - current).total_seconds() // 60) + 1)
        raise AttuneError.single(
            f"login '{name}'",
            f"too many wrong passwords; try again in {wait} minute(s)",
            hint="ask a course leader to reset the password if you have forgotten it",
        )
    if not ok or row is None:
        left = MAX_FAILURES - failures[0] - 1
        raise AttuneError.single(
            f"login '{name}'",
            "wrong name or password",
            hint=f"{left} more attempt(s) before a {int(WINDOW.total_seconds() // 60)}-minute wait"
            if left > 0
            else f"no attempts left; wait {int(WINDOW.total_seconds() // 60)} minutes",
        )
    return Identity(name, str(row.role), True)


def shared_mode(db: Database) -> bool:
    """Whether everyone must log in: anyone in the database has a password, or it is PostgreSQL
    (a server database is always shared; nobody can act until a course leader has a password)."""
    return db.dialect == "postgresql" or logins_enabled(db)


def acting_name(name: str | None) -> str:
    """Who says they are acting: `--as NAME`, else ATTUNE_USER, else the login name."""
    if name:
        return name
    env = settings().user
    if env:
        return env
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # getpass raises whatever the platform's lookup raises (KeyError, OSError)
        return "unknown"


def identify(
    db: Database, name: str | None, ask_password: Callable[[str], str], bootstrap: bool = False
) -> Identity:
    """The acting person. In shared mode they must give their password (ATTUNE_PASSWORD, else
    `ask_password(name)`). A PostgreSQL database without passwords yet allows only registering
    people and setting passwords (`bootstrap`)."""
    acting = acting_name(name)
    if not logins_enabled(db):
        if db.dialect == "postgresql" and not bootstrap:
            raise AttuneError.single(
                "shared database",
                "this PostgreSQL database is shared, and nobody has a password yet",
                hint="a course leader sets one first: attune user add NAME --role course_leader; "
                "attune user passwd NAME",
            )
        return local_identity(db, acting)
    password = settings().password
    if password is None:
        password = ask_password(acting)
    return login(db, acting, password)


def local_identity(db: Database, name: str) -> Identity:
    """Without logins: whoever runs the command is who they say (a single person's database)."""
    role = role_of(db, name)
    return Identity(name, role or "trainee", False)


@dataclass
class LoginSession:
    """A logged-in person in a long-running program (the served app): expires when idle."""

    identity: Identity
    last_seen: float
    idle_expiry_s: float = IDLE_EXPIRY_S

    def touch(self, clock: float | None = None) -> None:
        """Mark activity; raises AttuneError if the login has already expired."""
        current = clock if clock is not None else time.monotonic()
        if current - self.last_seen > self.idle_expiry_s:
            raise AttuneError.single(
                f"login '{self.identity.name}'",
                f"your login expired after {int(self.idle_expiry_s // 60)} minutes without activity",
                hint="log in again; your sessions are saved",
            )
        self.last_seen = current


# ------------------------------------------------------------------ the rules


def require(identity: Identity, *roles: str, what: str) -> None:
    if identity.role not in roles:
        allowed = " or ".join(r.replace("_", " ") + "s" for r in roles)
        raise AttuneError.single(
            f"person '{identity.name}'",
            f"is a {identity.role.replace('_', ' ')}; only {allowed} can {what}",
            hint="ask a course leader",
        )


def may_read_transcript(identity: Identity, trainee: str | None) -> None:
    if identity.reviewer or (trainee is not None and trainee == identity.name):
        return
    raise AttuneError.single(
        f"person '{identity.name}'",
        "may read only their own transcripts",
        hint="assessors and course leaders can read every transcript",
    )


def writer(db: Database, trainee: str | None, ask_password: Callable[[str], str]) -> str | None:
    """Whose record a session writes: the one gate for writes in shared mode, for every host.

    Without logins (a single person's database) it is `trainee`, as given. In shared mode the
    person must log in (ATTUNE_PASSWORD or `ask_password`), and writes only their own record; a
    course leader may act for a trainee, and the audit trail says so.
    """
    if not shared_mode(db):
        return trainee
    identity = identify(db, None, ask_password)
    if trainee is None or trainee == identity.name:
        return identity.name
    if identity.role != "course_leader":
        raise AttuneError.single(
            f"person '{identity.name}'",
            f"may write only their own record, not {trainee}'s",
            hint="log in as yourself; only course leaders act for others",
        )
    from simulator.course.courses import record

    with db.begin() as conn:
        record(conn, identity.name, "act_for", trainee)
    return trainee
