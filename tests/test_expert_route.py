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
