"""Cohort analytics on both databases: hot spots counted in SQL, the heat map, distributions."""

from __future__ import annotations

from pathlib import Path

from scoring.rubric import default_rubric
from simulator.content.library import bundled_path
from simulator.content.loader import load_vignette
from simulator.course.analytics import histogram, hot_spots, score_distributions
from simulator.course.courses import create_cohort
from simulator.play.session import Session
from simulator.store.database import open_database
from simulator.store.dbstore import DbStore
from tests.conftest import run_attune

RAY = load_vignette(bundled_path("ray"))  # type: ignore[arg-type]


def _play(db: object, first: int, cohort: int | None) -> Session:
    s = Session(RAY, rubric_version=default_rubric().version, trainee="t", cohort_id=cohort)
    s.store = DbStore(db, RAY, default_rubric())  # type: ignore[arg-type]
    s.choose(first)
    while not s.ended:
        s.choose(0)
    return s


def test_hot_spots_count_pushes_per_decision_point(db_url: str) -> None:
    db = open_database(db_url)
    create_cohort(db, "C", "lead")
    # at the opening beat, choice 2 persuades and choice 1 validates
    for first in (1, 1, 1, 0):
        _play(db, first, cohort=1)
    _play(db, 1, cohort=None)  # outside the cohort: not counted for it
    spots = {s.beat: s for s in hot_spots(db, "C")}
    opening = spots["open"]
    assert (opening.choices, opening.pushes) == (4, 3)
    assert opening.push_rate == 0.75 and 0 < opening.heat <= 1
    assert hot_spots(db, "C")[0].pushes + hot_spots(db, "C")[0].unrepaired >= 3  # hottest first
    assert {s.beat: s for s in hot_spots(db)}["open"].choices == 5  # all cohorts


def test_score_distribution(db_url: str) -> None:
    db = open_database(db_url)
    played = [_play(db, first, None) for first in (0, 1, 2)]
    (d,) = score_distributions(db)
    assert d.vignette_id == "ray" and d.sessions == 3
    from scoring.scorer import score_route

    overalls = [score_route(RAY, s.route, default_rubric()).overall for s in played]
    for o in overalls:
        assert d.buckets[min(9, o // 10)] >= 1
    assert d.mean == sum(overalls) / 3
    assert len(histogram(d)) == 10


def test_hotspots_command_writes_a_heat_map(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    db = open_database(url)
    create_cohort(db, "C", "lead")
    for first in (1, 1, 0):
        _play(db, first, cohort=1)
    out = tmp_path / "heat.mmd"
    result = run_attune("hotspots", "C", "--vignette", "ray", "--map", str(out), "--db", url)
    assert result.returncode == 0, result.stderr
    assert "ray/open" in result.stdout
    text = out.read_text()
    assert "style n_open fill:#ff" in text and "pushed 67%" in text
    bad = run_attune("hotspots", "C", "--map", str(out), "--db", url)
    assert bad.returncode == 2 and "--map needs --vignette" in bad.stderr
