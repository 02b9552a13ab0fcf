"""The road not taken: for a turn of a route, what each other choice would have scored and how
the client would have answered. Pure and headless, for the debrief."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from scoring.context import Context
from scoring.rubric import Rubric
from scoring.scorer import score_choice
from simulator.content.model import Vignette


class Alternative(NamedTuple):
    choice: int
    """1-based, as the trainee saw it (the authored number when the options were not shuffled)."""
    say: str
    moves: list[str]
    points: int
    reply: str
    """What the client would have said next (or the ending's last words)."""
    reached: str


class RoadNotTaken(NamedTuple):
    turn: int
    chosen: Alternative
    best: Alternative
    others: list[Alternative]

    @property
    def difference(self) -> int:
        """Points the best alternative would have earned over the choice made (0 if it was the best)."""
        return self.best.points - self.chosen.points


def road_not_taken(
    v: Vignette,
    route: Sequence[tuple[str, int]],
    rubric: Rubric,
    turn: int,
    ctx: Context | None = None,
    order: Sequence[int] | None = None,
) -> RoadNotTaken:
    """Compare the choice at `turn` (1-based) with every other choice at that beat, in the same
    state. `order` is how the beat's choices were shown (0-based authored indices); the
    alternatives come in that order, numbered as the trainee saw them."""
    ctx = ctx or Context(v, rubric)
    node, state = ctx.plan.begin()
    memo = 0
    for beat, index in route[: turn - 1]:
        _, _, memo = score_choice(ctx, beat, state, memo, index)
        result = ctx.plan.step(beat, state, index)
        node, state = result.node, result.state
    choices = v.beat_map[node].choices
    shown = list(order) if order else list(range(len(choices)))
    options = []
    for number, i in enumerate(shown, 1):
        c = choices[i]
        lines, _, _ = score_choice(ctx, node, state, memo, i)
        result = ctx.plan.step(node, state, i)
        if result.node in v.ending_map:
            ending = v.ending_map[result.node]
            reply = ending.client or f"(The session ends: {ending.title}.)"
        elif result.ended:
            reply = "(The session reaches its time limit.)"
        else:
            reply = v.beat_map[result.node].client
        options.append(
            Alternative(
                number, c.say, list(c.moves), sum(ln.points for ln in lines), reply, result.node
            )
        )
    chosen = options[shown.index(route[turn - 1][1])]
    best = max(options, key=lambda a: (a.points, -a.choice))
    return RoadNotTaken(turn, chosen, best, [a for a in options if a is not chosen])
