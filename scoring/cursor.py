"""Scoring a session as it is played: one choice at a time, with rewinds."""

from __future__ import annotations

from scoring.context import Context
from scoring.results import Line, RouteError
from scoring.rubric import Rubric
from scoring.scorer import score_choice
from simulator.content.model import Vignette
from simulator.play.engine import ClientState


class RouteCursor:
    """Scores a route one choice at a time, as it is played, and rewinds as the trainee does.

    `choose` gives the same lines and valence as the last turn of `score_route` over the route so
    far, in constant time per choice (score_route over a growing route is linear per call).
    A choice that does not fit the route leaves the cursor unable to score until a rewind takes
    that choice back, as `score_route` would refuse every longer route.
    """

    def __init__(self, v: Vignette, rubric: Rubric, ctx: Context | None = None) -> None:
        self.v = v
        self.ctx = ctx or Context(v, rubric)
        node, state = self.ctx.plan.begin()
        # the position before each choice: (node, state, memo), or None past a choice that did not fit
        self._at: list[tuple[str, ClientState, int] | None] = [(node, state, 0)]
        self._ended = False

    def choose(self, beat: str, index: int) -> tuple[list[Line], str]:
        """Lines and valence for choice `index` (0-based) at `beat`; RouteError if it does not fit."""
        pos = len(self._at) - 1
        here = self._at[-1]
        problem = None
        if here is None or self._ended:
            problem = "an earlier choice did not fit, or the session had ended"
        elif here[0] != beat:
            problem = f"choice made at beat '{beat}', but the session was at '{here[0]}'"
        elif not 0 <= index < len(self.v.beat_map[beat].choices):
            problem = f"beat '{beat}' has no choice {index + 1}"
        if problem is not None or here is None:
            self._at.append(None)
            raise RouteError(pos, problem or "", "check the transcript against the vignette")
        node, state, memo = here
        lines, valence, memo = score_choice(self.ctx, node, state, memo, index)
        result = self.ctx.plan.step(node, state, index)
        self._at.append((result.node, result.state, memo))
        self._ended = result.ended
        return lines, valence

    def rewind(self, turns: int) -> None:
        """Keep only the first `turns` choices."""
        del self._at[turns + 1 :]
        self._ended = False
