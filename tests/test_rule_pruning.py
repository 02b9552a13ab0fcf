"""The scorer prunes, per choice, the rules whose conditions read a flag that is false for that
choice (`scoring.context._possible`). Pruning is only a speed-up: 1,200 random routes through the
shipped vignettes score exactly the same with it and without it."""

from __future__ import annotations

import pytest

import scoring.context
from scoring.rubric import default_rubric
from scoring.story import Story
from simulator.content.library import bundled_files
from simulator.content.loader import load_vignette
from tests.builders import random_routes

ROUTES_PER_VIGNETTE = 200


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
            m.setattr(scoring.context, "_possible", lambda rule, known: True)
            unpruned = Story(v, rubric)
            without = [unpruned.score(r).as_json() for r in routes]
        assert with_pruning == without, path.stem
        # the test means something only if pruning removed rules somewhere
        pruned_out += sum(
            len(rubric.rules) - len(static.rules) for static in pruned.context._static.values()
        )
    assert pruned_out > 0
