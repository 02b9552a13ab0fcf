"""Exports: CSV (with formula-injection guard), JSON, HTML (text stays text), xAPI (checked against
the specification's rules) and sending to an LRS stand-in on loopback, with an outbox for failures."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from scoring.rubric import default_rubric
from simulator.content.loader import load_vignette
from simulator.errors import AttuneError
from simulator.play.session import Session
from simulator.reach import lrs
from simulator.reach.export import safe_cell, scored, to_csv, transcript_html, xapi_statements
from simulator.reach.integrity import verify_file
from tests import xapi_rules
from tests.conftest import MINI, run_attune

NASTY = '=HYPERLINK("http://evil.example","x") <script>alert(1)</script> [bold]x[/bold]'


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ATTUNE_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def _session(rationale: str = NASTY) -> Any:
    v = load_vignette(MINI)
    s = Session(v, rubric_version=default_rubric().version, trainee="amy", vignette_path=str(MINI))
    s.choose(1, rationale="first try", elapsed_ms=1500)
    s.rewind(0)
    s.choose(0, rationale=rationale, elapsed_ms=2500, checkin="+1 tense")
    while not s.ended:
        s.choose(0)
    return scored(s.transcript, v, default_rubric())


def test_csv_has_one_row_per_choice_and_no_formulas() -> None:
    s = _session()
    rows = list(csv.DictReader(io.StringIO(to_csv([s]))))
    choices = [e for e in s.transcript.events if e.kind == "choice"]
    assert len(rows) == len(choices)
    assert [r["stands"] for r in rows].count("no (rewound)") == 1
    nasty = next(r for r in rows if r["rationale"].startswith("'"))
    assert nasty["rationale"] == "'" + NASTY  # shown as text, never run as a formula
    assert next(r for r in rows if r["checkin"])["checkin"] == "'+1 tense"
    assert all(not r[c].startswith(("=", "+", "-", "@")) for r in rows for c in r if r[c])
    assert safe_cell(-2) == "-2" and safe_cell("-2") == "-2"  # numbers stay numbers


def test_html_shows_every_text_literally() -> None:
    s = _session()
    html = transcript_html(s, default_rubric(), "Integrity: intact.")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "[bold]x[/bold]" in html
    assert "<svg" in html and "Alliance and arousal" in html  # the charts are inline SVG
    assert "provisional" in html and "Integrity: intact." in html
    assert "src=" not in html.split("<body>")[1]  # nothing fetched from elsewhere


def test_xapi_statements_follow_the_specification() -> None:
    s = _session()
    statements = xapi_statements(s, base="https://lms.example.org/xapi", pass_mark=60)
    for st in statements:
        assert xapi_rules.problems(st) == [], st["verb"]["display"]
    verbs = [st["verb"]["display"]["en-US"] for st in statements]
    choices = [e for e in s.transcript.events if e.kind == "choice"]
    assert verbs[0] == "launched" and verbs.count("responded") == len(choices)
    # no sign-off yet: completed, and the result is pending (never passed or failed by the machine)
    assert verbs[-1] == "completed" and "passed" not in verbs and "failed" not in verbs
    assert {st["context"]["registration"] for st in statements} == {s.transcript.session_id}
    done = statements[-1]["result"]
    assert done["score"]["scaled"] == s.report.overall / 100 and done["completion"] is True
    assert "pending" in done["extensions"]["https://lms.example.org/xapi/extensions/judgement"]
    assert len({st["id"] for st in statements}) == len(statements)
    # the same attempt exported twice gives the same statement ids (the LRS can deduplicate)
    again = xapi_statements(s, base="https://lms.example.org/xapi", pass_mark=60)
    assert [x["id"] for x in again] == [x["id"] for x in statements]


def test_the_validator_catches_broken_statements() -> None:
    good = xapi_statements(_session(), base="https://lms.example.org/xapi", pass_mark=60)[-1]
    broken = json.loads(json.dumps(good))
    broken["result"]["score"]["scaled"] = 1.5
    broken["context"]["registration"] = "attempt-1"
    del broken["actor"]["account"]
    found = xapi_rules.problems(broken)
    assert len(found) == 3


class _LRS:
    """A small learning record store stand-in: stores what is POSTed, or refuses, or stalls."""

    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode
        self.received: list[dict[str, Any]] = []
        self.auth: list[str | None] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.auth.append(self.headers.get("Authorization"))
                if outer.mode == "stall":
                    time.sleep(2)
                    return
                if outer.mode == "conflict":  # xAPI: these statement ids are already stored
                    self.send_response(409)
                    self.end_headers()
                    return
                if outer.mode == "refuse" or self.path != "/xapi/statements":
                    self.send_response(500)
                    self.end_headers()
                    self.wfile.write(b"store is down")
                    return
                assert self.headers["X-Experience-API-Version"] == "1.0.3"
                batch = json.loads(body)
                outer.received.extend(batch)
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(json.dumps([st["id"] for st in batch]).encode())
                except BrokenPipeError:  # the client gave up waiting (the timeout test)
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/xapi"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def store() -> Iterator[_LRS]:
    server = _LRS()
    yield server
    server.close()


def test_statements_are_posted_to_an_lrs(store: _LRS) -> None:
    s = _session()
    statements = xapi_statements(s, base="https://lms.example.org/xapi", pass_mark=60)
    assert lrs.send(store.url, statements, "key:secret") == len(statements)
    assert store.received == statements and lrs.pending() == []
    assert store.auth[0] == "Basic a2V5OnNlY3JldA=="


def test_a_refusing_or_silent_lrs_keeps_the_statements_for_a_retry(store: _LRS) -> None:
    statements = xapi_statements(_session(), base="https://lms.example.org/xapi", pass_mark=60)
    store.mode = "refuse"
    with pytest.raises(AttuneError) as info:
        lrs.send(store.url, statements, None)
    message = info.value.problems[0].message
    assert "refused" in message and f"{len(statements)} statement(s) kept" in message
    assert "--retry" in (info.value.problems[0].hint or "")
    assert len(lrs.pending()) == 1
    store.mode = "stall"
    with pytest.raises(AttuneError, match="could not be reached"):
        lrs.flush(store.url, None, timeout=0.5)
    assert len(lrs.pending()) == 1
    store.mode = "ok"
    assert lrs.flush(store.url, None) == len(statements)
    assert store.received == statements and lrs.pending() == []


def test_export_command(tmp_path: Path, store: _LRS, data_dir: Path) -> None:
    env = {**__import__("os").environ, "ATTUNE_DATA_DIR": str(data_dir)}
    t = tmp_path / "t.json"
    assert (
        run_attune("autoplay", "ray", "--strategy", "worst", "--out", str(t), env=env).returncode
        == 0
    )
    out = tmp_path / "copy.json"
    assert (
        run_attune("export", str(t), "--format", "json", "--out", str(out), env=env).returncode == 0
    )
    assert verify_file(out).intact  # an exported transcript verifies
    result = run_attune("export", str(t), "--format", "xapi", "--lrs", store.url, env=env)
    assert result.returncode == 0, result.stderr
    assert [st["verb"]["display"]["en-US"] for st in store.received][-1] == "completed"
    store.mode = "refuse"
    result = run_attune("export", str(t), "--format", "xapi", "--lrs", store.url, env=env)
    assert (
        result.returncode == 2 and "kept in" in result.stderr and "Traceback" not in result.stderr
    )
    store.mode = "ok"
    result = run_attune("export", "--retry", "--lrs", store.url, env=env)
    assert result.returncode == 0 and "sent" in result.stdout
    csv_text = run_attune("export", str(t), "--format", "csv", env=env).stdout
    assert csv_text.startswith("session_id,trainee")


def test_cohort_report_is_escaped_and_has_charts(tmp_path: Path) -> None:
    from simulator.course.courses import add_members, create_cohort
    from simulator.reach.export import cohort_html
    from simulator.store.database import open_database
    from simulator.store.dbstore import DbStore

    db = open_database(f"sqlite:///{tmp_path / 'c.db'}")
    create_cohort(db, "<b>Autumn</b>", "lead")
    add_members(db, "<b>Autumn</b>", ["=cmd|' /C calc'!A0"], "trainee", "lead")
    v = load_vignette(MINI)
    s = Session(v, rubric_version=default_rubric().version, trainee="x", cohort_id=1)
    s.store = DbStore(db, v, default_rubric())
    while not s.ended:
        s.choose(0)
    html = cohort_html(db, "<b>Autumn</b>")
    assert "<b>Autumn</b>" not in html and "&lt;b&gt;Autumn&lt;/b&gt;" in html
    assert "<svg" in html and "Hot spots" in html


def test_an_lrs_that_already_has_the_statements_clears_them(store: _LRS) -> None:
    statements = xapi_statements(_session(), base="https://lms.example.org/xapi", pass_mark=60)
    store.mode = "conflict"
    assert lrs.send(store.url, statements, None) == len(statements)
    assert lrs.pending() == []


def test_a_batch_that_fails_twice_is_kept_once(store: _LRS) -> None:
    statements = xapi_statements(_session(), base="https://lms.example.org/xapi", pass_mark=60)
    store.mode = "refuse"
    for _ in range(2):  # the same export, failing twice
        with pytest.raises(AttuneError):
            lrs.send(store.url, statements, None)
    assert sum(len(json.loads(p.read_text())) for p in lrs.pending()) == len(statements)
    store.mode = "ok"
    assert lrs.flush(store.url, None) == len(statements)
    assert store.received == statements  # each statement sent once


def _cohort_db(tmp_path: Path, played: bool) -> str:
    from simulator.course.courses import add_members, create_cohort
    from simulator.store.database import open_database
    from simulator.store.dbstore import DbStore

    url = f"sqlite:///{tmp_path / 'c.db'}"
    db = open_database(url)
    create_cohort(db, "C", "lead")
    add_members(db, "C", ["lead"], "course_leader", "lead")
    add_members(db, "C", ["amy"], "trainee", "lead")
    if played:
        v = load_vignette(MINI)
        s = Session(v, rubric_version=default_rubric().version, trainee="amy", cohort_id=1,
                    vignette_path=str(MINI))  # fmt: skip
        s.store = DbStore(db, v, default_rubric())
        while not s.ended:
            s.choose(0)
    return url


def test_an_export_that_selects_nothing_says_so(tmp_path: Path, data_dir: Path) -> None:
    env = {**__import__("os").environ, "ATTUNE_DATA_DIR": str(data_dir)}
    url = _cohort_db(tmp_path, played=False)
    out = tmp_path / "cohort.csv"
    result = run_attune(
        "export", "--cohort", "C", "--format", "csv", "--out", str(out), "--db", url, "--as", "lead",
        env=env,
    )  # fmt: skip
    assert result.returncode == 1 and "nothing to export" in result.stderr
    assert not out.exists()


def test_out_names_the_file_it_writes(tmp_path: Path, data_dir: Path) -> None:
    env = {**__import__("os").environ, "ATTUNE_DATA_DIR": str(data_dir)}
    url = _cohort_db(tmp_path, played=True)
    out = tmp_path / "cohort.html"
    result = run_attune(
        "export", "--cohort", "C", "--format", "html", "--out", str(out), "--db", url, "--as", "lead",
        env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert out.is_file() and "<html" in out.read_text().lower()
    folder = tmp_path / "reports"
    result = run_attune(
        "export", "--cohort", "C", "--format", "html", "--out", str(folder), "--db", url, "--as", "lead",
        env=env,
    )  # fmt: skip
    assert result.returncode == 0 and folder.is_dir() and len(list(folder.glob("*.html"))) == 2


def test_one_damaged_session_never_breaks_a_cohort_export(tmp_path: Path) -> None:
    """A session whose stored choices no longer fit its vignette is listed as damaged; the rest
    of the cohort is exported."""
    import os

    import sqlalchemy as sa

    from simulator.course.courses import add_members, create_cohort
    from simulator.store.database import open_database
    from simulator.store.dbstore import DbStore
    from simulator.store.schema import events

    url = f"sqlite:///{tmp_path / 'c.db'}"
    db = open_database(url)
    create_cohort(db, "Spring", "lead")
    add_members(db, "Spring", ["lead"], "course_leader", "lead")
    add_members(db, "Spring", ["amy", "ben"], "trainee", "lead")
    v = load_vignette(MINI)
    ids = []
    for name in ("amy", "ben"):
        s = Session(
            v, rubric_version=default_rubric().version, trainee=name, cohort_id=1,
            vignette_path=str(MINI),
        )  # fmt: skip
        s.store = DbStore(db, v, default_rubric())
        while not s.ended:
            s.choose(0)
        ids.append(s.transcript.session_id)
    with db.begin() as conn:  # ben's first choice now names a beat the session was never at
        body = conn.execute(
            sa.select(events.c.body).where(events.c.session_id == ids[1], events.c.seq == 0)
        ).scalar_one()
        conn.execute(
            events.update()
            .where(events.c.session_id == ids[1], events.c.seq == 0)
            .values(body=body.replace('"beat":"ask"', '"beat":"settled"'))
        )
    env = {**os.environ, "ATTUNE_DB": url, "ATTUNE_DATA_DIR": str(tmp_path / "d")}
    out = tmp_path / "cohort.csv"
    result = run_attune(
        "export", "--cohort", "Spring", "--format", "csv", "--out", str(out), "--as", "lead",
        env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"session {ids[1]} is damaged" in result.stderr and "Traceback" not in result.stderr
    text = out.read_text(encoding="utf-8")
    assert ids[0] in text and ids[1] not in text


def _judged(verdict: str, overall: int, overrides: int = 1) -> Any:
    from simulator.course.review import Judgement, Override

    s = _session()
    moves = [Override(i + 1, 1, "points", -1, 2, "closer than coded", "rao", "2026-11-30T10:00:00+00:00")
             for i in range(overrides)]  # fmt: skip
    s.judgement = Judgement(
        s.report.overall,
        overall,
        moves,
        [{"turn": 1, "author": "rao", "text": "Good slowing down.", "at": "2026-11-30"}],
        {"assessor": "rao", "verdict": verdict, "summary": "See turn 1.", "at": "2026-11-30T11:00:00+00:00"},
        {"assessor": "rao", "level": 2, "note": "", "at": "2026-11-30T11:00:00+00:00"},
    )  # fmt: skip
    return s


def test_the_sign_off_decides_passed_or_failed_with_the_overridden_score() -> None:
    """A high machine score signed off 'not yet' fails; the score sent is the one after the
    assessor's overrides, and a new sign-off is a new statement."""
    base = "https://lms.example.org/xapi"
    not_yet = xapi_statements(_judged("not_yet", 97), base=base, pass_mark=0)
    for st in not_yet:
        assert xapi_rules.problems(st) == [], st["verb"]["display"]
    last = not_yet[-1]
    assert last["verb"]["display"]["en-US"] == "failed" and last["result"]["success"] is False
    assert (
        last["result"]["score"]["raw"] == 97
        and last["context"]["instructor"]["account"]["name"] == "rao"
    )
    competent = xapi_statements(_judged("competent", 40), base=base, pass_mark=100)[-1]
    assert competent["verb"]["display"]["en-US"] == "passed" and competent["result"]["success"]
    assert not_yet[-2]["verb"]["display"]["en-US"] == "completed"
    assert "extensions" not in not_yet[-2]["result"]  # no longer pending


def test_the_judgement_travels_in_csv_and_html() -> None:
    s = _judged("not_yet", 97)
    rows = list(csv.DictReader(io.StringIO(to_csv([s]))))
    first = next(r for r in rows if r["turn"] == "1" and r["stands"] == "yes")
    assert first["assessor_points"] == "2" and "Good slowing down." in first["assessor_comments"]
    assert first["points"] != "" and first["overall_with_overrides"] == "97"
    assert (
        first["signoff"].startswith("not yet (rao, 2026-11-30")
        and first["reflection_rating"] == "2/2 uses the reaction"
    )
    html = transcript_html(s, default_rubric())
    assert "Signed off: not yet" in html and "With the assessor's overrides: 97/100" in html
    assert "rao changed the points from -1 to +2: closer than coded" in html
    assert "Pending" in transcript_html(_session(), default_rubric())
