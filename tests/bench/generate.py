"""Generate large synthetic vignettes for benchmarks (fictional, content-free)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from simulator.content.model import Vignette
from tests.builders import header

MOVES = [
    ["complex_reflection"],
    ["persuade"],
    ["validate"],
    ["question"],
    ["regulate"],
    ["confront"],
    ["seeking_collaboration"],
]
MARKERS = [
    [],
    [],
    [],
    ["minimal_response"],
    ["complaint_about_therapist"],
    ["asks_for_advice"],
    ["consent"],
]


def big_vignette_data(n: int, *, seed: int = 1, effects: bool = True) -> dict[str, Any]:
    """n beats in a layered DAG, 3 choices each, leading 1-3 beats ahead or to an ending."""
    rng = random.Random(seed)
    beats = []
    for i in range(n):
        choices = []
        for k in range(3):
            j = i + 1 + k
            target = f"b{j}" if j < n else ("good" if k == 0 else "bad")
            effect = (
                {"arousal": rng.choice([-2, -1, 0, 1, 2]), "alliance": rng.choice([-1, 0, 1])}
                if effects
                else {}
            )
            choices.append(
                {
                    "say": f"response {k}",
                    "moves": MOVES[(i + k) % len(MOVES)],
                    "effect": effect,
                    "to": target,
                }
            )
        beats.append(
            {
                "id": f"b{i}",
                "client": f"statement {i}",
                "markers": MARKERS[i % len(MARKERS)],
                "choices": choices,
            }
        )
    return {
        **header(f"bench-{n}"),
        "turn_limit": n + 5,
        "start": "b0",
        "beats": beats,
        "endings": [
            {"id": "good", "kind": "repaired", "title": "Good"},
            {"id": "bad", "kind": "dropout", "title": "Bad"},
        ],
    }


def big_vignette(n: int, **kw: Any) -> Vignette:
    return Vignette.model_validate(big_vignette_data(n, **kw))


def layered_vignette_data(
    layers: int, width: int, *, seed: int = 1, every: int = 50
) -> dict[str, Any]:
    """layers × width beats; each beat's 3 choices lead to 3 beats of the next layer.

    The turn is fixed by the layer, as in hand-written vignettes. Every `every`-th layer has
    effects and markers, so the client's state varies as in a real vignette without the number
    of reachable states per beat growing without bound.
    """
    rng = random.Random(seed)
    beats = []
    for layer in range(layers):
        active = layer % every == 0
        for k in range(width):
            choices = []
            for j in range(3):
                target = (
                    f"b{layer + 1}_{(k + j) % width}"
                    if layer + 1 < layers
                    else ("good" if j == 0 else "bad")
                )
                effect = {"arousal": [-1, 0, 1][j]} if active else {}
                choices.append(
                    {
                        "say": f"response {j}",
                        "moves": MOVES[(layer + k + j) % len(MOVES)],
                        "effect": effect,
                        "to": target,
                    }
                )
            markers = [["consent"], ["asks_for_advice"], [], []][rng.randrange(4)] if active else []
            beats.append(
                {
                    "id": f"b{layer}_{k}",
                    "client": f"statement {layer}.{k}",
                    "markers": markers,
                    "choices": choices,
                }
            )
    data = big_vignette_data(1)
    data.update(
        id=f"layered-{layers}x{width}",
        turn_limit=layers + 5,
        start="b0_0",
        beats=beats,
    )
    return data


def layered_vignette(layers: int, width: int, **kw: Any) -> Vignette:
    return Vignette.model_validate(layered_vignette_data(layers, width, **kw))


REALISTIC_MARKERS = [
    ["minimal_response"],
    ["complaint_about_therapist"],
    ["asks_for_advice"],
    ["consent"],
]


def realistic_vignette_data(n: int, *, seed: int = 1, depth: int = 10) -> dict[str, Any]:
    """About `n` beats shaped like the shipped vignettes: a session is at most `depth` choices
    long (the turn limit a little above it), every choice changes the client's state (arousal,
    alliance, and now and then shame or openness), a third of the beats carry a marker (a
    withdrawal, a confrontation, a pull for advice, consent), and one choice in six branches on
    a condition (an early dropout when the alliance has collapsed, or a way on that depends on an
    open rupture). Larger vignettes are wider, not longer: more beats per turn."""
    rng = random.Random(seed)
    width = max(2, -(-n // depth))
    beats = []
    for layer in range(depth):
        for k in range(width):
            last = layer + 1 == depth
            choices = []
            for j in range(3):
                nxt = f"r{layer + 1}_{rng.randrange(width)}" if not last else None
                effect = {"arousal": rng.choice([-2, -1, 1, 2]), "alliance": rng.choice([-1, 0, 1])}
                if rng.random() < 0.3:
                    effect[rng.choice(["shame", "openness"])] = rng.choice([-1, 1])
                to: Any = nxt or ("good" if j == 0 else "bad")
                branch = rng.random()
                if branch < 0.08:
                    to = [{"if": "alliance <= 2", "go": "dropout"}, {"go": to}]
                elif branch < 0.16:
                    other = f"r{layer + 1}_{rng.randrange(width)}" if not last else "partial"
                    to = [{"if": 'rupture == "none"', "go": to}, {"go": other}]
                choices.append(
                    {
                        "say": f"response {j}",
                        "moves": MOVES[rng.randrange(len(MOVES))],
                        "effect": effect,
                        "to": to,
                    }
                )
            beats.append(
                {
                    "id": f"r{layer}_{k}",
                    "client": f"statement {layer}.{k}",
                    "markers": rng.choice(REALISTIC_MARKERS) if rng.random() < 1 / 3 else [],
                    "choices": choices,
                }
            )
    return {
        **header(f"realistic-{n}"),
        "turn_limit": depth + 2,
        "start": "r0_0",
        "beats": beats,
        "endings": [
            {"id": "good", "kind": "repaired", "title": "Good"},
            {"id": "partial", "kind": "partial", "title": "Partial"},
            {"id": "bad", "kind": "stalled", "title": "Bad"},
            {"id": "dropout", "kind": "dropout", "title": "Dropout"},
        ],
    }


def realistic_vignette(n: int, **kw: Any) -> Vignette:
    return Vignette.model_validate(realistic_vignette_data(n, **kw))


def fill_course(db_url: str, sessions: int = 100_000, per: int = 20, seed: int = 7) -> int:
    """A course database with `sessions` finished sessions of `per` choices each, all in one
    cohort, on the real schema (migrated by `open_database`). Bulk-loaded with the driver
    (executemany on SQLite, COPY on PostgreSQL): loading is not what is measured. Returns rows."""
    import json
    import random

    from simulator.course.courses import create_cohort
    from simulator.store.database import open_database

    rng = random.Random(seed)
    db = open_database(db_url)
    create_cohort(db, "big", "bench")
    vignettes = [f"v{i}" for i in range(6)]
    beats = [f"b{j}" for j in range(25)]
    stamp = "2026-11-22T10:00:00.000+00:00"
    header = json.dumps({"bench": True})

    def session_rows() -> Iterator[tuple[object, ...]]:
        for s in range(sessions):
            yield (
                f"s{s:08d}",
                vignettes[s % 6],
                f"t{s % 500}",
                "assessment",
                "play",
                "2026.11-4",
                None,
                1,
                stamp,
                stamp,
                stamp,
                "repaired",
                rng.randrange(101),
                "Mixed",
                header,
            )

    def event_rows() -> Iterator[tuple[object, ...]]:
        for s in range(sessions):
            vid = vignettes[s % 6]
            for k in range(per):
                yield (
                    f"s{s:08d}",
                    k,
                    "choice",
                    stamp,
                    vid,
                    1,
                    k + 1,
                    rng.choice(beats),
                    rng.randrange(1, 4),
                    "P" if rng.random() < 0.3 else "A",
                    0,
                    rng.random() < 0.3,
                    rng.random() < 0.1,
                    "{}",
                )

    s_cols = (
        "id, vignette_id, trainee, mode, source, rubric_version, assignment_id, cohort_id, "
        "started_at, updated_at, ended_at, ending, overall, band, header"
    )
    e_cols = (
        "session_id, seq, kind, at, vignette_id, cohort_id, turn, beat, choice, valence, "
        "points, pushed, unrepaired, body"
    )
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        if db.dialect == "sqlite":
            cur.execute("BEGIN")
            cur.executemany(
                f"INSERT INTO sessions ({s_cols}) VALUES ({','.join('?' * 15)})", session_rows()
            )
            cur.executemany(
                f"INSERT INTO events ({e_cols}) VALUES ({','.join('?' * 14)})", event_rows()
            )
            cur.execute("COMMIT")
            cur.execute("ANALYZE")
        else:
            with cur.copy(f"COPY sessions ({s_cols}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in session_rows():
                    copy.write_row(row)
            with cur.copy(f"COPY events ({e_cols}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in event_rows():
                    copy.write_row(row)
            raw.commit()
            driver = raw.driver_connection
            driver.autocommit = True  # type: ignore[union-attr]
            driver.execute("VACUUM ANALYZE")  # type: ignore[union-attr]
    finally:
        raw.close()
    db.close()
    return sessions * per
