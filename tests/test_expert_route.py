"""The expert route is searched in the background from the start of a session, kept in the
user's cache by the vignette's content, and never searched twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.bounds import compute_bounds
from scoring.rubric import default_rubric
from scoring.story import Story
from simulator.content.library import bundled_path
from simulator.content.loader import load_vignette
from simulator.service import play as service


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ATTUNE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("ATTUNE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ATTUNE_NO_CACHE", raising=False)
    return tmp_path / "cache"


def test_a_session_start_searches_in_the_background(cache: Path, tmp_path: Path) -> None:
    path = bundled_path("ray")
    assert path is not None
    v, rubric = load_vignette(path), default_rubric()
    run = service.start(path, v, rubric, out=tmp_path / "s.json", use_database=False)
    assert run._warming is not None  # a process of its own, not the player's thread
    assert run._warming.wait(timeout=120) == 0
    assert list(cache.glob("bounds-*.pickle"))
    # a fresh Story of the same content (as another process would have) finds it
    found = Story(load_vignette(path), rubric).cached_bounds()
    assert found is not None and found.best == compute_bounds(v, rubric).best
    assert run.expert() == found.best
    again = service.start(path, v, rubric, out=tmp_path / "t.json", use_database=False)
    assert again._warming is None  # cached: nothing more to search


def test_the_cache_is_keyed_by_content(cache: Path) -> None:
    path = bundled_path("ray")
    assert path is not None
    v, rubric = load_vignette(path), default_rubric()
    Story(v, rubric).bounds()
    data = v.model_dump(by_alias=True)
    data["beats"][0]["choices"][0]["effect"] = {"alliance": 3}
    changed = type(v).model_validate(data)
    assert Story(changed, rubric).cached_bounds() is None
    assert Story(type(v).model_validate(v.model_dump(by_alias=True)), rubric).cached_bounds()


def test_a_course_database_shares_the_search_between_machines(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The search a session starts is kept in the course database too; a second machine (its
    own empty cache) that starts the vignette finds it there and searches nothing. A result
    that does not check out against the vignette is not taken."""
    import sqlalchemy as sa

    import scoring.bounds
    from simulator.store.database import open_database
    from simulator.store.schema import search_results

    monkeypatch.delenv("ATTUNE_NO_CACHE", raising=False)
    monkeypatch.setenv("ATTUNE_DATA_DIR", str(tmp_path / "data"))

    def machine(name: str) -> Path:
        monkeypatch.setenv("ATTUNE_CACHE_DIR", str(tmp_path / name))
        return tmp_path / name

    path = bundled_path("nadia")
    assert path is not None
    v, rubric = load_vignette(path), default_rubric()
    machine("a")
    first = service.start(path, v, rubric, out=tmp_path / "a.json", db_url=db_url)
    assert first._warming is not None and first._warming.wait(timeout=120) == 0
    first.expert()  # the debrief keeps the search's result for the course
    with open_database(db_url).read() as conn:
        (row,) = conn.execute(sa.select(search_results)).all()
    assert row.key == Story(v, rubric).search_key() and row.kind == "bounds"

    cache_b = machine("b")

    def searched(*args: object, **kwargs: object) -> None:
        raise AssertionError("searched again")

    with monkeypatch.context() as m:
        m.setattr(scoring.bounds, "compute_bounds", searched)
        second = service.start(path, v, rubric, out=tmp_path / "b.json", db_url=db_url)
        assert second._warming is None  # found in the course database
        assert second.expert() == first.expert()
    assert list(cache_b.glob("bounds-*.pickle"))  # and kept in this machine's cache

    # a result whose best route does not score what it claims is refused
    kept = scoring.bounds.bounds_from_json(row.body)
    claimed = kept._replace(best=kept.best._replace(overall=kept.best.overall + 1))
    with open_database(db_url).begin() as conn:
        conn.execute(sa.update(search_results).values(body=scoring.bounds.bounds_json(claimed)))
    machine("c")
    third = service.start(path, v, rubric, out=tmp_path / "c.json", db_url=db_url)
    assert third._warming is not None  # searches for itself
    assert third._warming.wait(timeout=120) == 0
    assert third.expert() == first.expert()
    with open_database(db_url).read() as conn:  # and the debrief mended the row
        mended = conn.execute(sa.select(search_results.c.body)).scalar_one()
    assert scoring.bounds.bounds_from_json(mended) == kept
    # so is one that does not read at all
    with open_database(db_url).begin() as conn:
        conn.execute(sa.update(search_results).values(body="{not json"))
    machine("d")
    fourth = service.start(path, v, rubric, out=tmp_path / "d.json", db_url=db_url)
    assert fourth._warming is not None and fourth._warming.wait(timeout=120) == 0
