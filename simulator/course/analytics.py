"""Cohort analytics, aggregated in the database: hot spots and score distributions.

A hot spot is a decision point (vignette, beat) where trainees often pushed (a choice whose
valence, after the rubric's context rules, is pushing) or left a rupture unrepaired. Both are
recorded on each choice row when it is stored (`simulator/store/dbstore.py`), so the report is one
GROUP BY over the events table, which its covering index serves without touching the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from simulator.course.courses import cohort_id
from simulator.store.database import Database
from simulator.store.schema import events, sessions


@dataclass(frozen=True)
class HotSpot:
    vignette_id: str
    beat: str
    choices: int
    pushes: int
    unrepaired: int

    @property
    def push_rate(self) -> float:
        return self.pushes / self.choices if self.choices else 0.0

    @property
    def unrepaired_rate(self) -> float:
        return self.unrepaired / self.choices if self.choices else 0.0

    @property
    def heat(self) -> float:
        """The share of choices here that pushed or left a rupture unrepaired (at most 1)."""
        return min(1.0, (self.pushes + self.unrepaired) / self.choices) if self.choices else 0.0


def hot_spots_query(
    cohort: int | None, vignette: str | None
) -> sa.Select[tuple[str, str, int, int, int]]:
    pushed = sa.func.sum(sa.case((events.c.pushed, 1), else_=0))
    unrepaired = sa.func.sum(sa.case((events.c.unrepaired, 1), else_=0))
    q = (
        sa.select(events.c.vignette_id, events.c.beat, sa.func.count(), pushed, unrepaired)
        .where(events.c.kind == "choice")
        .group_by(events.c.vignette_id, events.c.beat)
    )
    if cohort is not None:
        q = q.where(events.c.cohort_id == cohort)
    if vignette is not None:
        q = q.where(events.c.vignette_id == vignette)
    return q


def hot_spots(
    db: Database, cohort: str | None = None, vignette: str | None = None
) -> list[HotSpot]:
    """Decision points, hottest first (by pushes plus unrepaired ruptures)."""
    with db.read() as conn:
        cid = cohort_id(conn, cohort) if cohort else None
        rows: list[Any] = list(conn.execute(hot_spots_query(cid, vignette)).all())
    spots = [HotSpot(str(v), str(b), int(n), int(p or 0), int(u or 0)) for v, b, n, p, u in rows]
    spots.sort(key=lambda h: (-(h.pushes + h.unrepaired), -h.heat, h.vignette_id, h.beat))
    return spots


@dataclass(frozen=True)
class Distribution:
    vignette_id: str
    buckets: list[int]
    """Finished sessions per ten points of the overall score: 0–9, 10–19, …, 90–100."""
    mean: float | None

    @property
    def sessions(self) -> int:
        return sum(self.buckets)


def score_distributions(db: Database, cohort: str | None = None) -> list[Distribution]:
    bucket = sa.case((sessions.c.overall >= 100, 9), else_=sessions.c.overall / 10)
    with db.read() as conn:
        cid = cohort_id(conn, cohort) if cohort else None
        q = (
            sa.select(
                sessions.c.vignette_id, bucket, sa.func.count(), sa.func.sum(sessions.c.overall)
            )
            .where(sessions.c.overall.is_not(None))
            .group_by(sessions.c.vignette_id, bucket)
        )
        if cid is not None:
            q = q.where(sessions.c.cohort_id == cid)
        rows = conn.execute(q).all()
    by: dict[str, list[int]] = {}
    totals: dict[str, int] = {}
    for vid, b, n, total in rows:
        by.setdefault(vid, [0] * 10)[int(b)] += int(n)
        totals[vid] = totals.get(vid, 0) + int(total or 0)
    return [
        Distribution(vid, buckets, totals[vid] / sum(buckets) if sum(buckets) else None)
        for vid, buckets in sorted(by.items())
    ]


def histogram(d: Distribution, width: int = 30) -> list[str]:
    """A text histogram, one line per ten points."""
    top = max(d.buckets) or 1
    lines = []
    for i, n in enumerate(d.buckets):
        lo, hi = i * 10, 100 if i == 9 else i * 10 + 9
        lines.append(f"  {lo:>3}–{hi:<3} {'█' * round(width * n / top):<{width}} {n}")
    return lines
