"""Vignettes for the hosts: the library, a name on the command line, the schema and the map, and
the vignette a transcript was played on (one lookup, which checks the recorded sha256)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.content.library import (
    Found,
    bundled_dir,
    bundled_files,
    bundled_path,
    is_shipped,
    resolve_vignette,
)
from simulator.content.library import load_library as _load_library
from simulator.content.loader import load_vignette
from simulator.content.mapping import to_dot, to_mermaid
from simulator.content.model import Beat, Vignette
from simulator.errors import AttuneError, Problem
from simulator.play.transcript import Transcript
from simulator.store.paths import is_course_copy

if TYPE_CHECKING:
    from simulator.store.database import Database
    from simulator.store.vignettes import Added, Stored, current, remove

# The course database's modules (and SQLAlchemy under them, ~70 ms) are imported when first
# used: `attune map` and `attune schema` never touch the database.
_FROM_STORE = frozenset(("Added", "Stored", "current", "remove"))


def __getattr__(name: str) -> Any:
    if name in _FROM_STORE:
        from simulator.store import vignettes

        return getattr(vignettes, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def open_vignette(name: Path, db_url: str | None = None) -> tuple[Path, Vignette]:
    """A vignette named on the command line: a path, the id of a shipped one, or the id of a
    course vignette in the course database (its newest version, copied to this machine)."""
    path = resolve_vignette(name)
    if not path.exists() and not name.suffix and len(name.parts) == 1:
        stored = _stored_course_vignette(str(name), db_url)
        if stored is not None:
            path = stored
    return path, load_vignette(path)


def _existing_database(
    db_url: str | None, problems: list[Problem] | None = None
) -> Database | None:
    """The course database, when one was named or already exists (none is created to look).
    Unreachable: None, and what went wrong is added to `problems`, if given, for the library
    to say why the course vignettes are missing."""
    from simulator.service.courses import database_exists

    if not database_exists(db_url):
        return None
    from simulator.store.database import open_database

    try:
        return open_database(db_url)
    except AttuneError as exc:  # the shipped vignettes and local files still play
        if problems is not None:
            first = exc.problems[0]
            problems.append(
                Problem(
                    first.path,
                    f"{first.message}: the course vignettes are not listed",
                    hint="the shipped vignettes still play; "
                    + (first.hint or "try again when the course database can be reached"),
                )
            )
        return None


def _stored_course_vignette(ident: str, db_url: str | None) -> Path | None:
    from simulator.store.vignettes import find, local_copy

    db = _existing_database(db_url)
    if db is None:
        return None
    try:
        stored = find(db, ident)
        return None if stored is None else local_copy(stored)
    finally:
        db.close()


def course_library(
    db_url: str | None, trainee: str | None, problems: list[Problem] | None = None
) -> list[Path]:
    """This machine's copies of the course vignettes a person's library shows: in a shared
    course, a trainee sees those assigned to their cohorts; staff, and anyone on a database
    without logins, see them all. (`problems`: where an unreachable database is reported.)"""
    from simulator.course.auth import role_of, shared_mode
    from simulator.course.courses import assigned_to
    from simulator.store.vignettes import current, local_copy

    db = _existing_database(db_url, problems)
    if db is None:
        return []
    try:
        stored = current(db)
        if stored and shared_mode(db) and (trainee is None or role_of(db, trainee) == "trainee"):
            mine = {a.vignette_id for a in assigned_to(db, trainee)} if trainee else set()
            stored = [s for s in stored if s.vignette_id in mine]
        return [local_copy(s) for s in stored]
    finally:
        db.close()


def load_library(
    paths: list[Path] | None = None, db_url: str | None = None, trainee: str | None = None
) -> tuple[list[tuple[Path, Vignette]], list[Problem]]:
    """The library a person sees: the shipped vignettes (or `paths`) and, from the course
    database, the course vignettes they may play (`course_library`)."""
    if paths is not None:
        return _load_library(paths)
    unreachable: list[Problem] = []
    found, problems = _load_library(bundled_files() + course_library(db_url, trainee, unreachable))
    return found, unreachable + problems


def add_to_library(path: Path, db: Database, author: str | None) -> Added:
    """Validate a vignette file (it must load and pass lint without errors) and store it as the
    next version of its id in the course database."""
    from simulator.content.loader import load_with_lines
    from simulator.service.lint import lint_vignette
    from simulator.store.vignettes import add_version

    v, lines = load_with_lines(path)  # a file problem: a located error, exit 2
    if bundled_path(v.id) is not None:
        raise AttuneError.single(
            str(path),
            f"'{v.id}' is the id of a vignette shipped with attunement",
            field="id",
            hint="give your vignette an id of its own",
        )
    errors = [f for f in lint_vignette(v, lines)[1] if f.severity == "error"]
    if errors:
        raise AttuneError(
            [
                Problem(
                    str(path) + (f":{f.line}" if f.line else ""),
                    f"fails lint: {f.message}",
                    hint=f"run `attune lint {path}` and fix what it reports, then add it again",
                )
                for f in errors
            ]
        )
    text = path.read_bytes().decode("utf-8")  # the loader has checked it is UTF-8
    return add_version(db, v.id, v.title, text, author)


def transcript_vignette(
    t: Transcript, where: str, named: Path | None = None, db_url: str | None = None
) -> Found:
    """The vignette a transcript was played on (`named` if the user gave one); a course
    vignette's version comes from the course database when this machine has no copy."""
    from simulator.store.vignettes import locate

    try:
        return locate(t, where, named)
    except AttuneError:
        db = _existing_database(db_url)
        if db is None:
            raise
        try:
            return locate(t, where, named, db)
        finally:
            db.close()


def vignette_schema() -> dict[str, Any]:
    """The JSON Schema of the vignette format (for editor autocompletion)."""
    data: dict[str, Any] = Vignette.model_json_schema(by_alias=True)
    data["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    data["$id"] = "https://attunement.invalid/schema/vignette-1.json"
    return data


__all__ = [
    "Added",
    "Beat",
    "Found",
    "Stored",
    "Vignette",
    "bundled_dir",
    "current",
    "is_course_copy",
    "is_shipped",
    "load_library",
    "load_vignette",
    "remove",
    "resolve_vignette",
    "to_dot",
    "to_mermaid",
]
