"""The course database: SQLite in the user's data directory by default, or PostgreSQL.

`open_database(url)` resolves the URL (`--db`, then `ATTUNE_DB`, then the default), connects,
brings the schema up to date with Alembic (under a lock, so that many processes starting at once
migrate it once), and refuses a database written by a newer attunement. Every failure is an
`AttuneError` naming the database, what went wrong and what to do: never a driver traceback.

SQLite runs in WAL mode with `synchronous=FULL`, and every write transaction starts with
`BEGIN IMMEDIATE`, so concurrent writers queue on the busy timeout instead of failing halfway;
reads (`Database.read`) begin deferred and never block a writer.
All SQL goes through SQLAlchemy Core with bound parameters.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from simulator.errors import AttuneError
from simulator.settings import settings

HEAD = "0008"
"""The newest schema revision this version of attunement knows."""
KNOWN_REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008")
"""Every revision, oldest first (simulator/migrations/versions)."""


BUSY_TIMEOUT_S = settings().db_busy_timeout
"""How long a writer waits for a locked SQLite database before giving up with a clear message."""
CONNECT_TIMEOUT_S = 5
_URL_HINT = (
    "use sqlite:///path/to/attune.db or postgresql://user:password@host:5432/dbname "
    "(set it with --db or ATTUNE_DB)"
)


def default_url() -> str:
    from simulator.store.paths import data_dir

    return f"sqlite:///{data_dir() / 'attune.db'}"


def resolve_url(flag: str | None = None) -> str:
    return flag or settings().db or default_url()


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", url)


def _problem(url: str, what: str, hint: str) -> AttuneError:
    return AttuneError.single(f"database {redact(url)}", what, hint=hint)


def _engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise _problem(url, "this is not a database URL", _URL_HINT) from None
    backend = parsed.get_backend_name()
    if backend == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        path = parsed.database
        if not path or path == ":memory:":
            raise _problem(
                url,
                "an in-memory SQLite database would lose every session when attune exits",
                "give a file path, e.g. sqlite:///course.db",
            )
        folder = Path(path).expanduser().resolve().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _problem(
                url,
                f"cannot create the folder {folder}: {exc.strerror}",
                "check the path and its permissions",
            ) from None
        _create_private(Path(path).expanduser())
        engine = sa.create_engine(
            parsed, connect_args={"timeout": BUSY_TIMEOUT_S}, poolclass=sa.pool.NullPool
        )
        _sqlite_pragmas(engine)
        return engine
    if backend != "postgresql":
        raise _problem(url, f"'{backend}' databases are not supported", _URL_HINT)
    try:
        return sa.create_engine(
            parsed,
            connect_args={"connect_timeout": CONNECT_TIMEOUT_S},
            pool_pre_ping=True,
        )
    except NoSuchModuleError:
        raise _problem(url, f"no driver '{parsed.drivername}'", _URL_HINT) from None
    except ImportError:  # the dialect is known but its driver is not installed
        raise _problem(
            url,
            "the PostgreSQL driver is not installed",
            "install attunement with its PostgreSQL extra: pip install 'attunement[postgres]'",
        ) from None


def _create_private(path: Path) -> None:
    """A new SQLite file is readable by its owner only (0600): it holds everyone's sessions and
    password hashes. SQLite gives its -wal and -shm files the same permissions."""
    # an existing file is left as it is; any other failure is reported by the connection itself
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _sqlite_pragmas(engine: Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy's "begin" below decides how to begin
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # writers queue for the write lock up front; readers never take it (WAL lets them run
        # alongside a writer)
        readonly = conn.get_execution_options().get("attune_readonly")
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


def explain(url: str, exc: BaseException) -> AttuneError:
    """A clear message for a database failure."""
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc) else ""
    low = text.lower()
    if "database is locked" in low or "database table is locked" in low:
        return _problem(
            url,
            f"the database stayed locked for {BUSY_TIMEOUT_S:g} s (another program is writing to it)",
            "nothing was lost; close the other program (or wait) and run the command again",
        )
    if "unable to open database" in low or "readonly" in low or "read-only" in low:
        return _problem(
            url, f"cannot open the database file: {text}", "check the path and permissions"
        )
    if "file is not a database" in low or "malformed" in low:
        return _problem(
            url,
            "this file is not an attunement database (or it is damaged)",
            "point --db at another file; keep this one for inspection",
        )
    if "password authentication failed" in low or "authentication" in low:
        return _problem(
            url, "the server refused the user name or password", "check the URL's user and password"
        )
    if "does not exist" in low and "database" in low:
        return _problem(
            url, text, "create the database first (createdb NAME) or fix its name in the URL"
        )
    if (isinstance(exc, DBAPIError) and exc.connection_invalidated) or any(
        s in low
        for s in (
            "connection refused",
            "could not connect",
            "timeout",
            "timed out",
            "name or service",
        )
    ):
        return _problem(
            url,
            f"cannot reach the database server: {text}",
            "check that the server is running and the host and port are right; nothing was lost",
        )
    return _problem(
        url, f"the database reported: {text}", "see the message above; nothing was lost"
    )


class Database:
    """An open, migrated course database."""

    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        self.engine = engine
        self.dialect = engine.dialect.name

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A write transaction, committed on success; failures become AttuneError."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except AttuneError:
            raise
        except SQLAlchemyError as exc:
            raise explain(self.url, exc) from None

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only connection (on SQLite it never takes the write lock)."""
        try:
            with self.engine.connect() as conn:
                yield conn.execution_options(attune_readonly=True)
        except AttuneError:
            raise
        except SQLAlchemyError as exc:
            raise explain(self.url, exc) from None

    def close(self) -> None:
        self.engine.dispose()


def open_database(flag: str | None = None, *, migrate: bool = True) -> Database:
    url = resolve_url(flag)
    engine = _engine(url)
    db = Database(url, engine)
    if migrate:
        ensure_schema(db)
    return db


def _revision(conn: Connection) -> str | None:
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    row = conn.execute(sa.text("SELECT version_num FROM alembic_version")).first()
    return None if row is None else str(row[0])


def current_revision(db: Database) -> str | None:
    with db.read() as conn:
        return _revision(conn)


def ensure_schema(db: Database) -> None:
    """Create or upgrade the schema, once, however many processes start together."""
    with db.read() as conn:
        rev = _revision(conn)
    if rev == HEAD:
        return
    _refuse_newer(db, rev)
    with db.begin() as conn:
        if db.dialect == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(7201)"))
        rev = _revision(conn)  # another process may have migrated while we waited for the lock
        if rev == HEAD:
            return
        _refuse_newer(db, rev)
        _upgrade(conn)


def _refuse_newer(db: Database, rev: str | None) -> None:
    if rev is not None and rev not in KNOWN_REVISIONS:
        raise _problem(
            db.url,
            f"this database was written by a newer version of attunement (schema revision {rev}; "
            f"this version knows up to {HEAD})",
            "upgrade attunement (make play, or pip install -U attunement); the data is untouched",
        )


def _upgrade(conn: Connection) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")
