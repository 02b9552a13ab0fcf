"""Course vignettes in the course database: a course leader adds one, and a trainee who shares
the database (with a data folder of their own) finds it in their library, plays it, and is
scored against the version they played, even after the leader changes it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import sqlalchemy as sa

from simulator.content.library import bundled_path
from simulator.store.database import open_database
from simulator.store.schema import audit, course_vignettes
from tests.conftest import run_attune

RAY = bundled_path("ray")
assert RAY is not None


def _tom(folder: Path, title: str = "Tom: a box to tick") -> Path:
    """A course leader's own vignette (the shipped Ray, renamed), as its own file."""
    text = RAY.read_text(encoding="utf-8")  # type: ignore[union-attr]
    text = text.replace("\nid: ray\n", "\nid: tom\n").replace(
        'title: "Ray: a box to tick"', f'title: "{title}"'
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "tom.yaml"
    path.write_text(text, encoding="utf-8")
    return path


PASSWORDS = {"lead": "lead-passphrase-1", "amy": "amy-passphrase-1", "rao": "rao-passphrase-1"}


def _course(db_url: str) -> None:
    """A shared course (PostgreSQL is always shared): a leader, an assessor and a trainee."""
    from simulator.course.auth import login, set_password
    from simulator.course.courses import add_members, create_cohort

    db = open_database(db_url)
    create_cohort(db, "C", "lead")
    add_members(db, "C", ["lead"], "course_leader", "lead")
    add_members(db, "C", ["rao"], "assessor", "lead")
    add_members(db, "C", ["amy"], "trainee", "lead")
    set_password(db, "lead", PASSWORDS["lead"], None)
    lead = login(db, "lead", PASSWORDS["lead"])
    for name in ("rao", "amy"):
        set_password(db, name, PASSWORDS[name], lead)
    db.close()


def _env(data: Path, db_url: str, user: str) -> dict[str, str]:
    return {
        **os.environ,
        "ATTUNE_DATA_DIR": str(data),
        "ATTUNE_DB": db_url,
        "ATTUNE_USER": user,
        "ATTUNE_PASSWORD": PASSWORDS[user],
    }


def _rows(db_url: str) -> list[tuple[str, int]]:
    db = open_database(db_url)
    try:
        with db.read() as conn:
            rows = conn.execute(
                sa.select(course_vignettes.c.vignette_id, course_vignettes.c.version)
            ).all()
        return sorted((r[0], r[1]) for r in rows)
    finally:
        db.close()


def test_a_course_vignette_reaches_a_trainee_on_another_machine(
    db_url: str, tmp_path: Path
) -> None:
    _course(db_url)
    lead = _env(tmp_path / "lead", db_url, "lead")
    tom = _tom(tmp_path / "src")
    added = run_attune("library", "add", str(tom), env=lead)
    assert added.returncode == 0 and "stored 'tom' version 1" in added.stdout, added.stderr
    again = run_attune("library", "add", str(tom), env=lead)
    assert again.returncode == 0 and "nothing added" in again.stdout
    assert _rows(db_url) == [("tom", 1)]
    listed = run_attune("library", "list", "--json", env=lead)
    (entry,) = json.loads(listed.stdout)
    assert entry["vignette_id"] == "tom" and entry["author"] == "lead" and entry["version"] == 1
    assert "source" not in entry
    # a trainee in the shared course does not see it before it is assigned
    amy = _env(tmp_path / "amy", db_url, "amy")
    menu = run_attune("play", "--plain", input="q\n", env=amy)
    assert "Tom" not in menu.stdout and "Ray" in menu.stdout, menu.stdout + menu.stderr
    assigned = run_attune("assign", "C", "tom", env=lead)  # a stored id, not a file
    assert assigned.returncode == 0 and "assigned 'tom'" in assigned.stdout, assigned.stderr

    # amy, on her own machine (another data folder), sees it in her library and plays it
    menu = run_attune("play", "--plain", input="q\n", env=amy)
    assert "Tom: a box to tick" in menu.stdout and "[assigned" in menu.stdout, menu.stdout
    played = run_attune("play", "--plain", "--in-order", "tom", input="1\n" * 14, env=amy)
    assert played.returncode == 0 and "Debrief" in played.stdout, played.stderr
    # the answer key of a course vignette stays with staff
    assert "kept for your assessor" in played.stdout and "An expert route" not in played.stdout
    no_map = run_attune("map", "tom", env=amy)
    assert no_map.returncode == 2 and "Traceback" not in no_map.stderr, no_map.stderr
    no_best = run_attune("autoplay", "tom", "--strategy", "best", "--out", str(tmp_path / "b.json"),
                         env=amy)  # fmt: skip
    assert no_best.returncode == 2 and not (tmp_path / "b.json").exists(), no_best.stderr
    assert run_attune("map", "tom", env=lead).returncode == 0
    (journal,) = (tmp_path / "amy" / "sessions").glob("*.json")
    session_id = journal.stem

    # the leader changes the vignette: a new version; amy's session still scores against hers
    changed = _tom(tmp_path / "src", title="Tom, revised")
    text = changed.read_text(encoding="utf-8").replace("minutes: ", "minutes: 1", 1)
    changed.write_text(text, encoding="utf-8")
    v2 = run_attune("library", "add", str(changed), env=lead)
    assert v2.returncode == 0 and "version 2" in v2.stdout, v2.stdout + v2.stderr
    assert _rows(db_url) == [("tom", 1), ("tom", 2)]
    rao = _env(tmp_path / "rao", db_url, "rao")  # the assessor's machine, with no copy of either
    copies = tmp_path / "amy" / "course-vignettes"
    copies.rename(tmp_path / "amy-copies-elsewhere")  # amy's copy is on her machine, not here
    verified = run_attune("verify", "--session", session_id, env=rao)
    assert verified.returncode == 0 and "intact" in verified.stdout, verified.stdout + (
        verified.stderr
    )
    sha = json.loads(journal.read_text(encoding="utf-8"))["vignette_sha256"]
    assert (tmp_path / "rao" / "course-vignettes" / sha / "tom.yaml").is_file()
    kept = tmp_path / "rao-transcript.json"
    kept.write_bytes(journal.read_bytes())
    journal.unlink()
    scored = run_attune("score", str(kept), "--json", env=rao)
    assert scored.returncode == 0, scored.stderr
    assert json.loads(scored.stdout)["vignette"] == "tom" and "has changed" not in scored.stderr

    # removed: no longer offered, nor assignable; its versions stay for the transcripts
    removed = run_attune("library", "remove", "tom", env=lead)
    assert removed.returncode == 0, removed.stderr
    menu = run_attune("play", "--plain", input="q\n", env=_env(tmp_path / "new", db_url, "amy"))
    assert "Tom" not in menu.stdout and "Ray" in menu.stdout
    assert _rows(db_url) == [("tom", 1), ("tom", 2)]
    db = open_database(db_url)
    with db.read() as conn:
        actions = conn.execute(sa.select(audit.c.action).where(audit.c.target == "tom")).all()
    db.close()
    assert [a[0] for a in actions].count("library_add") == 2
    assert ("library_remove",) in [tuple(a) for a in actions]


def test_library_add_refuses_what_cannot_be_played(db_url: str, tmp_path: Path) -> None:
    """A vignette that fails lint, a broken file, or a shipped id: exit 2, nothing stored."""
    _course(db_url)
    lead = _env(tmp_path / "lead", db_url, "lead")
    tom = _tom(tmp_path / "src")
    text = tom.read_text(encoding="utf-8")
    dead_end = tmp_path / "bad" / "tom.yaml"
    dead_end.parent.mkdir()
    # every choice of the opening beat leads to a beat that does not exist
    dead_end.write_text(text.replace("to: ", "to: nowhere-", 1), encoding="utf-8")
    result = run_attune("library", "add", str(dead_end), env=lead)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "tom.yaml" in result.stderr
    shipped = run_attune("library", "add", str(RAY), env=lead)
    assert shipped.returncode == 2 and "shipped with attunement" in shipped.stderr
    assert run_attune("library", "remove", "nobody", env=lead).returncode == 2
    unknown = run_attune("assign", "C", "nobody", env=lead)
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr
    by_trainee = run_attune("library", "add", str(_tom(tmp_path / "ok")), env=_env(
        tmp_path / "amy", db_url, "amy"))  # fmt: skip
    assert by_trainee.returncode == 2 and "course_leader" in by_trainee.stderr.replace(" ", "_")
    assert _rows(db_url) == []


def test_an_unreachable_course_database_is_named_in_the_library(tmp_path: Path) -> None:
    """The library still lists the shipped vignettes when the course database cannot be
    reached, and says why the course vignettes are missing (the TUI library and the plain
    player show the library's problems)."""
    from simulator.content.library import bundled_files
    from simulator.service.library import load_library

    nowhere = "postgresql://attune@127.0.0.1:1/course"  # nothing listens on port 1
    found, problems = load_library(db_url=nowhere, trainee=None)
    assert len(found) == len(bundled_files())
    (problem,) = problems
    assert "course vignettes are not listed" in problem.message
    assert problem.hint and "shipped vignettes still play" in problem.hint
    assert "127.0.0.1" in problem.path
    # and the plain player prints it before the list
    result = run_attune(
        "play", "--plain", env={**os.environ, "ATTUNE_DB": nowhere, "ATTUNE_DATA_DIR": str(tmp_path)},
        input="q\n",
    )  # fmt: skip
    assert "course vignettes are not listed" in result.stderr
