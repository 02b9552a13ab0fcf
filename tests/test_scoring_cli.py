from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scoring.rubric import DEFAULT_RUBRIC
from tests.conftest import MINI, cli


@pytest.fixture
def best(tmp_path: Path) -> Path:
    out = tmp_path / "best.json"
    result = cli("autoplay", str(MINI), "--strategy", "best", "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


def test_autoplay_writes_a_transcript_that_scores(best: Path, tmp_path: Path) -> None:
    data = json.loads(best.read_text())
    assert data["format"] == "attunement.transcript" and data["version"] == 1
    assert data["source"] == "autoplay" and data["rubric_version"]
    kinds = [e["kind"] for e in data["events"]]
    assert kinds[-1] == "end" and kinds.count("choice") >= 1
    report = json.loads(cli("score", str(best), "--json").stdout)
    assert {"overall", "band", "dimensions", "turns"} <= set(report)
    assert report["overall"] >= 80 and report["band"] == "Attuned" and report["rescored"] is False
    worst = tmp_path / "worst.json"
    cli("autoplay", str(MINI), "--strategy", "worst", "--out", str(worst))
    assert json.loads(cli("score", str(worst), "--json").stdout)["band"] == "Mostly pushing"


def test_random_autoplay_is_seeded(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    cli("autoplay", str(MINI), "--strategy", "random", "--seed", "7", "--out", str(a))
    cli("autoplay", str(MINI), "--strategy", "random", "--seed", "7", "--out", str(b))
    routes = [
        [
            (e["beat"], e["choice"])
            for e in json.loads(p.read_text())["events"]
            if e["kind"] == "choice"
        ]
        for p in (a, b)
    ]
    assert routes[0] == routes[1]


def test_text_report_explains_every_turn(best: Path) -> None:
    text = cli("score", str(best)).stdout
    assert re.search(r"Overall: (8\d|9\d|100)/100 — Attuned", text) and "(provisional band)" in text
    assert text.count("You chose") == len(
        [e for e in json.loads(best.read_text())["events"] if e["kind"] == "choice"]
    )
    assert "MITI 4.2.1" in text


def test_rescoring_under_a_new_rubric(best: Path, tmp_path: Path) -> None:
    newer = tmp_path / "rubric.yaml"
    newer.write_text(
        DEFAULT_RUBRIC.read_text()
        .replace('version: "2026.11-4"', 'version: "2099.1"')
        .replace("weights: {A: 2,", "weights: {A: 1,")
    )
    report = json.loads(cli("score", str(best), "--rubric", str(newer), "--json").stdout)
    assert report["rescored"] is True and report["rubric_version"] == "2099.1"
    assert report["recorded_rubric_version"] != "2099.1"
    assert "Re-scored under rubric 2099.1" in cli("score", str(best), "--rubric", str(newer)).stdout


def _swap_first_two_choices(events: list[dict]) -> None:  # type: ignore[type-arg]
    events[0], events[1] = events[1], events[0]
    for i, e in enumerate(events):
        e["seq"] = i


def _edit_events(path: Path, fn) -> Path:  # type: ignore[no-untyped-def]
    data = json.loads(path.read_text())
    fn(data["events"])
    path.write_text(json.dumps(data, indent=2))
    return path


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        (lambda ev: ev[0].update(beat="nowhere"), "choice made at beat 'nowhere'"),
        (lambda ev: ev[0].update(choice=9), "has no choice 9"),
        (lambda ev: _swap_first_two_choices(ev), "but the session was at"),
    ],
    ids=["unknown-beat", "unknown-choice", "wrong-order"],
)
def test_transcript_that_does_not_match(best: Path, edit, fragment: str) -> None:  # type: ignore[no-untyped-def]
    _edit_events(best, edit)
    result = cli("score", str(best))
    assert result.exit_code == 2
    assert fragment in result.stderr
    assert f"{best}:" in result.stderr and "events[" in result.stderr  # file, line and field
    assert "Traceback" not in result.stderr


def test_transcript_not_json_or_not_ours(tmp_path: Path) -> None:
    bad = tmp_path / "t.json"
    bad.write_text('{"format": "attunement.transcript", "version": 1,\n  "events": [}')
    result = cli("score", str(bad))
    assert (
        result.exit_code == 2 and "not valid JSON" in result.stderr and f"{bad}:2:" in result.stderr
    )
    bad.write_text('{"hello": 1}')
    assert "not an attunement transcript" in cli("score", str(bad)).stderr
    bad.write_text(
        '{"format": "attunement.transcript", "version": 1, "session_id": "0b6a1e4e-0000-4000-8000-000000000000", "vignette_id": "mini",\n "rubric_version": "1", "started_at": "now", "events": [{"kind": "choice", "seq": 0}]}'
    )
    result = cli("score", str(bad))
    assert (
        result.exit_code == 2 and "events[0]" in result.stderr and "required field" in result.stderr
    )


def test_a_session_id_that_is_not_a_uuid_is_refused(tmp_path: Path) -> None:
    # ids name files (journals, exports): a forged one must never reach a path
    bad = tmp_path / "t.json"
    bad.write_text(
        '{"format": "attunement.transcript", "version": 1, "session_id": "../../outside/PWNED",'
        ' "vignette_id": "mini", "rubric_version": "1", "started_at": "now", "events": []}'
    )
    for command in (
        ["score", str(bad)],
        ["export", str(bad), "--format", "json", "--out", str(tmp_path / "o")],
    ):
        result = cli(*command)
        assert result.exit_code == 2 and "session_id" in result.stderr, result.stderr
    assert not (tmp_path / "o").exists() and not (tmp_path.parent / "outside").exists()


def test_missing_files() -> None:
    result = cli("score", "no/such.json")
    assert result.exit_code == 2 and "not found" in result.stderr
    result = cli("autoplay", "no/such.yaml", "--out", "x.json")
    assert result.exit_code == 2 and "not found" in result.stderr


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        (
            'when: "pushing and rupture_open"',
            'when: "pushing and rupture_opne"',
            "unknown name 'rupture_opne'",
        ),
        (
            'when: "advice_rejected and advice"',
            'when: "advice_rejected and persaude"',
            "did you mean 'persuade'",
        ),
        (
            'when: "pushing and out_of_window"',
            'when: "pushing and (out_of_window"',
            "does not parse",
        ),
        ("dimension: pacing", "dimension: tempo", "Input should be"),
    ],
)
def test_bad_rubric(best: Path, tmp_path: Path, old: str, new: str, fragment: str) -> None:
    text = DEFAULT_RUBRIC.read_text()
    assert old in text
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text(text.replace(old, new, 1))
    result = cli("score", str(best), "--rubric", str(rubric))
    assert result.exit_code == 2
    assert fragment in result.stderr
    line = text.splitlines().index(next(ln for ln in text.splitlines() if old in ln)) + 1
    assert f"{rubric}:{line}:" in result.stderr


def test_field_named_like_pydantic_marker(tmp_path: Path) -> None:
    path = tmp_path / "k.yaml"
    path.write_text("'[key]': 1\n")
    result = cli("lint", str(path))
    assert result.exit_code == 2 and "unknown field '[key]'" in result.stderr


def test_events_out_of_sequence(best: Path) -> None:
    _edit_events(best, lambda ev: ev.reverse())
    result = cli("score", str(best))
    assert (
        result.exit_code == 2 and "must be numbered" in result.stderr and "events" in result.stderr
    )


def test_rubric_with_unknown_ending_kind(best: Path, tmp_path: Path) -> None:
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text(
        DEFAULT_RUBRIC.read_text().replace(
            "ending_points: {repaired: 4,", "ending_points: {repayred: 4,"
        )
    )
    result = cli("score", str(best), "--rubric", str(rubric))
    assert (
        result.exit_code == 2
        and "unknown ending kinds" in result.stderr
        and "repayred" in result.stderr
    )
