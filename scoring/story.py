"""A vignette compiled with a rubric, as ink compiles a story: the engine's plan and the scorer's
per-choice facts, built once and held by whoever plays or scores that vignette.

Everything scoring offers is available from a `Story` without compiling again: scoring a route, a
cursor for a session as it is played, the exact best and worst routes (computed once), and the
road not taken at a turn. The vignette and rubric are frozen, so a `Story` never goes stale; a
changed vignette is a new vignette and gets a new `Story`.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from scoring.context import Context
from scoring.cursor import RouteCursor
from scoring.results import ScoreReport
from scoring.rubric import Rubric
from scoring.scorer import score_route
from simulator.content.model import Vignette
from simulator.play.engine import Plan

if TYPE_CHECKING:
    from scoring.bounds import Bounds
    from scoring.whatif import RoadNotTaken


class Story:
    def __init__(self, vignette: Vignette, rubric: Rubric) -> None:
        self.vignette = vignette
        self.rubric = rubric
        self.context = Context(vignette, rubric)
        self._bounds: Bounds | None = None

    @property
    def plan(self) -> Plan:
        """The vignette compiled for stepping (give it to a `Session` to share it)."""
        return self.context.plan

    def score(
        self,
        route: Sequence[tuple[str, int]],
        *,
        recorded_rubric_version: str | None = None,
        order: Mapping[str, Sequence[int]] | None = None,
    ) -> ScoreReport:
        """Score a route of (beat id, 0-based choice index) pairs; RouteError if it does not fit.
        `order`: the display order per beat of a shuffled session (numbers only, never points)."""
        return score_route(
            self.vignette,
            route,
            self.rubric,
            recorded_rubric_version=recorded_rubric_version,
            ctx=self.context,
            order=order,
        )

    def cursor(self) -> RouteCursor:
        """Scores a session one choice at a time, as it is played."""
        return RouteCursor(self.vignette, self.rubric, self.context)

    def _cache_key(self) -> tuple[bytes, tuple[Path, ...]]:
        """What the search depends on: the vignette's content and the rubric (not where they
        came from: a file or the course database), and the code that searches and scores."""
        raw = (
            self.vignette.model_dump_json().encode()
            + b"\0"
            + self.rubric.model_dump_json().encode()
        )
        here = Path(__file__).parent
        engine = Path(sys.modules[Plan.__module__].__file__ or "")
        code = tuple(here / f for f in ("bounds.py", "context.py", "scorer.py", "results.py"))
        return raw, (*code, engine)

    def cached_bounds(self) -> Bounds | None:
        """The best and worst routes if they have been searched before (here, or in the user's
        cache by any process), else None: nothing is searched."""
        if self._bounds is None:
            from simulator.content.datacache import peek

            self._bounds = peek("bounds", *self._cache_key())
        return self._bounds

    def bounds(self) -> Bounds:
        """The exact best and worst routes: searched on first use, then kept, also in the user's
        cache (keyed by the vignette's content, the rubric and the search's code)."""
        if self._bounds is None:
            from scoring.bounds import compute_bounds
            from simulator.content.datacache import cached

            raw, inputs = self._cache_key()
            self._bounds = cached(
                "bounds",
                raw,
                lambda _: compute_bounds(self.vignette, self.rubric, self.context),
                inputs,
            )
        return self._bounds

    def search_key(self, kind: str = "bounds") -> str:
        """The SHA-256 (hex) of everything the search's result depends on (the vignette's
        content, the rubric, the search's code, the versions): its key in the course database."""
        from simulator.content.datacache import key_of

        raw, inputs = self._cache_key()
        return key_of(kind, raw, inputs)

    def adopt_bounds(self, found: Bounds) -> bool:
        """Take a search's result found elsewhere (the course database) if its best and worst
        routes, scored here, score and end as it says, the best no lower than the worst; it is
        then kept in the user's cache too. False (and nothing taken) otherwise."""
        from scoring.results import RouteError
        from simulator.content.datacache import put

        try:
            best, worst = self.score(found.best.route), self.score(found.worst.route)
        except RouteError:
            return False
        if (best.overall, best.net, best.ending, worst.overall, worst.net, worst.ending) != (
            found.best.overall, found.best.net, found.best.ending,
            found.worst.overall, found.worst.net, found.worst.ending,
        ) or (best.overall, best.net) < (worst.overall, worst.net):  # fmt: skip
            return False
        self._bounds = found
        raw, inputs = self._cache_key()
        put("bounds", raw, found, inputs)
        return True

    def state_window(self) -> dict[str, tuple[int, int, int]]:
        """Per beat, the distinct client states it is reached in below, inside and above the
        window (`scoring.bounds.state_window`), counted once per content, then from the cache."""
        from scoring.bounds import state_window
        from simulator.content.datacache import cached

        raw, inputs = self._cache_key()
        return cached("window", raw, lambda _: state_window(self.vignette), inputs)

    def road_not_taken(
        self, route: Sequence[tuple[str, int]], turn: int, order: Sequence[int] | None = None
    ) -> RoadNotTaken:
        """`order`: how that beat's choices were shown (0-based authored indices), if shuffled."""
        from scoring.whatif import road_not_taken

        return road_not_taken(self.vignette, route, self.rubric, turn, self.context, order)
