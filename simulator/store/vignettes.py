"""Course vignettes in the database, and the local copy each machine plays from.

A course leader's vignette is stored whole (its YAML text), with its sha256, a version number
and its author. Every version is kept, so a transcript, which records the sha256 of the file it
was played on, is always scored against that version. A machine that shares the database writes
a version to `<data dir>/course-vignettes/<sha256>/<id>.yaml` (owner-only) the first time it
needs it; from then on the vignette is a file like any other, and the file's sha256 is the one
the database stored.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import NamedTuple

import sqlalchemy as sa

from simulator.content.library import Found
from simulator.errors import AttuneError
from simulator.files import atomic_write
from simulator.play.transcript import Transcript, now
from simulator.store.database import Database
from simulator.store.paths import data_dir
from simulator.store.schema import audit, course_vignettes

PRIVATE = 0o600


class Stored(NamedTuple):
    vignette_id: str
    version: int
    sha256: str
    title: str
    author: str | None
    added_at: str
    removed_at: str | None
    source: str


class Added(NamedTuple):
    stored: Stored
    new: bool
    """False when exactly this text was stored already (nothing was added)."""


def sha256_of(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def add_version(
    db: Database, vignette_id: str, title: str, source: str, author: str | None
) -> Added:
    """Store `source` as the next version of `vignette_id`. The newest text again adds nothing
    (a removed vignette added again unchanged is offered again)."""
    sha = sha256_of(source)
    with db.begin() as conn:
        if db.dialect == "postgresql":  # one version number per add, however many run at once
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(7204)"))
        rows = conn.execute(
            sa.select(course_vignettes)
            .where(course_vignettes.c.vignette_id == vignette_id)
            .order_by(course_vignettes.c.version)
        ).all()
        at = now()
        if rows and rows[-1].sha256 == sha:
            newest = rows[-1]
            if newest.removed_at is None:
                return Added(_stored(newest), False)
            conn.execute(  # removed, and added again unchanged: offered again
                course_vignettes.update()
                .where(course_vignettes.c.id == newest.id)
                .values(removed_at=None)
            )
            version = newest.version
        else:
            version = rows[-1].version + 1 if rows else 1
            conn.execute(
                course_vignettes.insert().values(
                    vignette_id=vignette_id,
                    version=version,
                    sha256=sha,
                    title=title,
                    author=author,
                    source=source,
                    added_at=at,
                )
            )
        conn.execute(
            audit.insert().values(
                at=at,
                actor=author,
                action="library_add",
                target=vignette_id,
                detail=json.dumps({"sha256": sha, "version": version}, sort_keys=True),
            )
        )
    return Added(Stored(vignette_id, version, sha, title, author, at, None, source), True)


def _stored(row: sa.Row[tuple[object, ...]]) -> Stored:
    m = row._mapping
    return Stored(
        m["vignette_id"],
        m["version"],
        m["sha256"],
        m["title"],
        m["author"],
        m["added_at"],
        m["removed_at"],
        m["source"],
    )


def current(db: Database, include_removed: bool = False) -> list[Stored]:
    """The newest version of each course vignette, by id (removed ones only when asked)."""
    with db.read() as conn:
        rows = conn.execute(
            sa.select(course_vignettes).order_by(
                course_vignettes.c.vignette_id, course_vignettes.c.version
            )
        ).all()
    newest: dict[str, Stored] = {}
    for row in rows:
        newest[row.vignette_id] = _stored(row)
    return [s for s in newest.values() if include_removed or s.removed_at is None]


def find(db: Database, vignette_id: str, sha256: str | None = None) -> Stored | None:
    """The version of `vignette_id` with this sha256, or (without one) the newest offered."""
    if sha256 is None:
        return next((s for s in current(db) if s.vignette_id == vignette_id), None)
    with db.read() as conn:
        row = conn.execute(
            sa.select(course_vignettes).where(
                course_vignettes.c.vignette_id == vignette_id,
                course_vignettes.c.sha256 == sha256,
            )
        ).first()  # two versions with one text are the same vignette: either will do
    return None if row is None else _stored(row)


def remove(db: Database, vignette_id: str, actor: str | None) -> int:
    """Hide every version of `vignette_id` from the library; how many were offered (0: none)."""
    with db.begin() as conn:
        done = conn.execute(
            course_vignettes.update()
            .where(
                course_vignettes.c.vignette_id == vignette_id,
                course_vignettes.c.removed_at.is_(None),
            )
            .values(removed_at=now())
        ).rowcount
        if done:
            conn.execute(
                audit.insert().values(
                    at=now(), actor=actor, action="library_remove", target=vignette_id
                )
            )
    return int(done or 0)


def copy_path(vignette_id: str, sha256: str) -> Path:
    return data_dir() / "course-vignettes" / sha256 / f"{vignette_id}.yaml"


def local_copy(stored: Stored) -> Path:
    """The file this machine plays `stored` from, written the first time it is needed."""
    path = copy_path(stored.vignette_id, stored.sha256)
    if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != stored.sha256:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write(path, stored.source, mode=PRIVATE)
    return path


def locate(
    t: Transcript, where: str, named: Path | None = None, db: Database | None = None
) -> Found:
    """The vignette a transcript was played on: `find_vignette`'s places, then this machine's
    copy of the course vignette with the recorded sha256, then (with `db`) the database's."""
    from simulator.content.library import find_vignette

    also = (copy_path(t.vignette_id, t.vignette_sha256),) if t.vignette_sha256 else ()
    try:
        found = find_vignette(t.vignette_id, t.vignette_path, t.vignette_sha256, where, named, also)
    except AttuneError:
        found = None
    if named is None and (found is None or found.changed) and db is not None:
        stored = find(db, t.vignette_id, t.vignette_sha256)
        if stored is not None:
            from simulator.content.loader import load_vignette

            path = local_copy(stored)
            return Found(path, load_vignette(path), False)
    if found is None:  # the lookup's own message, which says where it looked
        return find_vignette(t.vignette_id, t.vignette_path, t.vignette_sha256, where, named, also)
    return found
