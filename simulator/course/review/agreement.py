"""Agreement between assessors on one transcript: Cohen's kappa over the turns both rated."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulator.course.review.model import Review


@dataclass(frozen=True)
class Agreement:
    raters: tuple[str, str]
    turns: int
    observed: float
    kappa: float | None
    """Cohen's kappa on each turn's move codes (the set of codes as one category); None when
    chance agreement is total and kappa is undefined."""


def cohen_kappa(a: list[Any], b: list[Any]) -> float | None:
    """Cohen's kappa for two raters' categorical codes of the same items."""
    n = len(a)
    if n == 0 or n != len(b):
        return None
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    expected: float = sum(ca[k] * cb[k] for k in ca) / (n * n)
    if expected == 1:
        return None
    return float((observed - expected) / (1 - expected))


def agreement(review: Review) -> Agreement | None:
    """Agreement on move codes between the two most recent raters of this transcript. A rater's
    coding of a turn is their own override of it, or the vignette's coding they accepted; a rater
    is anyone who signed off or overrode move codes."""
    raters: list[str] = []
    for who in [o.author for o in review.overrides if o.field == "moves"] + [
        s["assessor"] for s in review.signoffs
    ]:
        if who in raters:
            raters.remove(who)
        raters.append(who)
    if len(raters) < 2:
        return None
    first, second = raters[-2], raters[-1]
    base = [tuple(sorted(t.moves)) for t in review.original.turns]

    def coding(who: str) -> list[tuple[str, ...]]:
        codes = list(base)
        for o in review.overrides:
            if o.field == "moves" and o.author == who:
                codes[o.turn - 1] = tuple(sorted(o.value))
        return codes

    a, b = coding(first), coding(second)
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n if n else 0.0
    return Agreement((first, second), n, observed, cohen_kappa(a, b))


# ------------------------------------------------------------------ text (shared by the TUI)
