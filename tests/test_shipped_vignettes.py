"""Every shipped vignette stays lint clean and spans the bands, so a later edit cannot quietly break it."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.bounds import compute_bounds
from scoring.codebook import codebook
from scoring.rubric import default_rubric
from simulator.library import bundled_files
from simulator.lint import lint_vignette
from simulator.loader import load_with_lines

SHIPPED = bundled_files()


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_vignette_quality(path: Path) -> None:
    v, lines = load_with_lines(path)
    assert path.stem == v.id
    _, findings = lint_vignette(v, lines)
    assert [f for f in findings if f.severity == "error"] == []
    assert [
        f.code
        for f in findings
        if f.code in ("best-below-top-band", "worst-above-bottom-band", "rubric-cannot-distinguish")
    ] == []
    rubric = default_rubric()
    bounds = compute_bounds(v, rubric)
    levels = rubric.bands.overall.levels
    assert rubric.overall_band(bounds.best.overall) == levels[0].name
    assert rubric.overall_band(bounds.worst.overall) == levels[-1].name
    kinds = {e.kind for e in v.endings}
    assert {"dropout", "repaired"} <= kinds and kinds & {"stalled", "compliance"}
    markers = {codebook().markers[m].kind for b in v.beats for m in b.markers}
    assert {"withdrawal", "confrontation"} <= markers
    assert any(b.checkin for b in v.beats)
    assert v.principles and all(b.inner for b in v.beats if len(b.choices) > 1)
