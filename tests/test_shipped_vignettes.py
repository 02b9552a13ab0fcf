"""Every shipped vignette keeps the library's quality bar, so a later edit cannot quietly break it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scoring.bounds import compute_bounds
from scoring.context import Context
from scoring.rubric import default_rubric
from scoring.scorer import score_choice
from simulator.content.codebook import codebook
from simulator.content.library import bundled_files
from simulator.content.loader import load_with_lines
from simulator.play.engine import Plan
from simulator.service.lint import lint_vignette
from tests.conftest import ROOT

SHIPPED = bundled_files()
OUT_OF_WINDOW_RULES = {
    "depth-out-of-window",
    "question-out-of-window",
    "metacommunicate-dysregulated",
    "push-out-of-window",
}


def _norm(text: str) -> str:
    words = re.sub(r"[^a-z]+", " ", text.lower()).split()
    return " ".join(w for w in words if w != "and")


def principle_words(code: str) -> str:
    return _norm(code.replace("_vs_", " versus ").replace("_", " "))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_no_surface_policy_beats_random(path: Path) -> None:
    """A trainee who picks by length, position or tell-tale words, with the options shuffled as
    the player shows them, does no better than one who picks at random."""
    from scoring.cues import CEILING, OVER_RANDOM, cue_audit

    audit = cue_audit(load_with_lines(path)[0], default_rubric())
    for r in audit.results:
        assert r.mean <= audit.random_mean + OVER_RANDOM and r.mean < CEILING, (
            r,
            audit.random_mean,
        )
    assert audit.findings() == []


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_vignette_quality(path: Path) -> None:
    v, lines = load_with_lines(path)
    assert path.stem == v.id
    _, findings = lint_vignette(v, lines)
    assert findings == [], [f.message for f in findings]
    assert len(v.beats) >= 25
    kinds = {e.kind for e in v.endings}
    assert (
        len(v.endings) >= 3
        and {"dropout", "repaired"} <= kinds
        and kinds & {"stalled", "compliance"}
    )
    markers = {codebook().markers[m].kind for b in v.beats for m in b.markers}
    assert {"withdrawal", "confrontation"} <= markers
    decisions = [b for b in v.beats if b.choices]
    assert all(3 <= len(b.choices) <= 4 for b in decisions)
    assert all(b.inner for b in decisions)
    assert any(b.checkin for b in v.beats)
    objectives = _norm(" ".join(v.objectives))
    assert v.principles
    for code in v.principles:
        assert principle_words(code) in objectives, (
            f"objectives do not name '{principle_words(code)}'"
        )
    rubric = default_rubric()
    bounds = compute_bounds(v, rubric)
    levels = rubric.bands.overall.levels
    assert rubric.overall_band(bounds.best.overall) == levels[0].name
    assert rubric.overall_band(bounds.worst.overall) == levels[-1].name
    assert v.ending_map[bounds.best.ending].kind == "repaired"


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_vignette_has_an_out_of_window_moment(path: Path) -> None:
    """Some reachable moment has the client outside their window, where a move that could help
    inside it is scored as pushing or premature."""
    v, _ = load_with_lines(path)
    ctx = Context(v, default_rubric())
    plan = Plan(v)
    start = plan.begin()
    seen = {start}
    frontier = [start]
    while frontier:
        nxt = []
        for node, state in frontier:
            if state.out_of_window(v):
                for i in range(len(v.beat_map[node].choices)):
                    lines, _, _ = score_choice(ctx, node, state, 0, i)
                    if OUT_OF_WINDOW_RULES & {ln.rule for ln in lines}:
                        return
            for i in range(len(v.beat_map[node].choices)):
                r = plan.step(node, state, i)
                if not r.ended and (r.node, r.state) not in seen:
                    seen.add((r.node, r.state))
                    nxt.append((r.node, r.state))
        frontier = nxt
    pytest.fail(f"{v.id}: no reachable out-of-window moment where a move is pushing")


def test_docs_map_every_seed_principle_to_a_decision_point() -> None:

    text = (ROOT / "docs" / "vignettes.md").read_text(encoding="utf-8")
    ids = {(v.id, b.id) for v in (load_with_lines(p)[0] for p in SHIPPED) for b in v.beats}
    for code in codebook().principles:
        row = next((ln for ln in text.splitlines() if ln.startswith(f"| `{code}`")), None)
        assert row is not None, f"docs/vignettes.md has no row for {code}"
        cited = set(re.findall(r"`([a-z0-9-]+)/([a-z0-9-]+)`", row))
        assert cited and cited <= ids, f"{code}: cites unknown decision points {cited - ids}"


def test_library_difficulty_varies_and_has_a_short_introduction() -> None:
    library = [load_with_lines(p)[0] for p in SHIPPED]
    assert len({v.difficulty for v in library}) >= 3
    assert any(v.difficulty == "introductory" and v.minutes <= 10 for v in library)


def test_library_covers_the_seed_clients() -> None:
    """Sophie and Liam (seed 000), the statutory family (001), the mandated client (002), and the
    avoidant and ambivalent clients (003)."""
    library = {v.id: v for v in (load_with_lines(p)[0] for p in SHIPPED)}
    assert {"sophie", "liam", "nicola", "ray", "nadia", "megan"} <= set(library)
    assert library["nadia"].attachment == "deactivating"
    assert library["megan"].attachment == "hyperactivating"


def test_the_library_lists_the_gentlest_vignettes_first() -> None:
    from simulator.content.library import DIFFICULTY_ORDER, load_library

    entries, problems = load_library()
    assert problems == []
    ranks = [DIFFICULTY_ORDER[v.difficulty] for _, v in entries]
    assert ranks == sorted(ranks) and entries[0][1].difficulty == "introductory"
