"""The scorer prunes, per choice, the rules whose conditions cannot hold once the choice's own
names (its moves, the beat's flags, the vignette's attachment) are put in
(`scoring.context._candidate`). Pruning is only a speed-up: 1,200 random routes through the
shipped vignettes score exactly the same with it and without it."""

from __future__ import annotations

from typing import Any

import pytest

import scoring.context
from scoring.rubric import PointRule, Reclassify, default_rubric
from scoring.story import Story
from simulator.content.expr import names_in
from simulator.content.library import bundled_files
from simulator.content.loader import load_vignette
from tests.builders import random_routes

ROUTES_PER_VIGNETTE = 200


def _unpruned(rule: Reclassify | PointRule, known: dict[str, Any]) -> frozenset[str]:
    """Every rule a candidate, reading every name its condition has but the choice's own."""
    return names_in(rule.when) - known.keys()


def test_pruning_never_changes_a_score(monkeypatch: pytest.MonkeyPatch) -> None:
    rubric = default_rubric()
    files = bundled_files()
    assert len(files) * ROUTES_PER_VIGNETTE >= 1_200
    pruned_out = 0
    for n, path in enumerate(files):
        v = load_vignette(path)
        pruned = Story(v, rubric)
        routes = random_routes(pruned.plan, ROUTES_PER_VIGNETTE, seed=n)
        with_pruning = [pruned.score(r).as_json() for r in routes]
        with monkeypatch.context() as m:
            m.setattr(scoring.context, "_candidate", _unpruned)
            unpruned = Story(v, rubric)
            without = [unpruned.score(r).as_json() for r in routes]
        assert with_pruning == without, path.stem
        # the test means something only if pruning removed rules somewhere
        pruned_out += sum(
            len(rubric.rules) - len(static.rules) for static in pruned.context._static.values()
        )
    assert pruned_out > 0


def test_remembered_verdicts_are_what_judging_afresh_gives() -> None:
    """The scorer remembers a choice's verdict and lines by the state as its rules see it
    (`scorer._judged`) and by the state itself (`scorer._judged_at`). In every client state the
    shipped vignettes reach (up to a few thousand each), with one memo shared across all of
    them, each choice's remembered points and lines are what judging it afresh gives."""
    from scoring.context import base_env
    from scoring.scorer import choice_points, score_choice

    rubric = default_rubric()
    hits = 0
    for path in bundled_files():
        v = load_vignette(path)
        ctx = Story(v, rubric).context
        fresh = Story(v, rubric).context  # judged anew for every choice: its memo is emptied
        plan = ctx.plan
        start = plan.begin()
        frontier, seen = [(start[0], start[1], 0)], set()
        while frontier and len(seen) < 3_000:
            beat, state, memo = frontier.pop()
            if (beat, state, memo) in seen:
                continue
            seen.add((beat, state, memo))
            for index in range(len(v.beat_map[beat].choices)):
                before = len(ctx.verdicts)
                points, after = choice_points(
                    ctx, beat, state, memo, index, base_env(ctx, state, memo)
                )
                hits += len(ctx.verdicts) == before
                fresh.verdicts.clear()
                fresh.judged_states.clear()
                lines, _, memo_after = score_choice(fresh, beat, state, memo, index)
                assert (points, after) == (sum(ln.points for ln in lines), memo_after), (
                    path.stem, beat, index, state,
                )  # fmt: skip
                # and a transcript's scoring, remembering by the state itself, agrees line by line
                assert score_choice(ctx, beat, state, memo, index)[0] == lines
                result = plan.step(beat, state, index)
                if not result.ended:
                    frontier.append((result.node, result.state, after))
    assert hits > 1_000  # the memo was used, so the comparison tested it
