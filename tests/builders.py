"""Build small vignettes in code for table tests."""

from __future__ import annotations

from typing import Any

from simulator.content.model import Vignette


def choice(to: Any, moves: list[str] | None = None, **kw: Any) -> dict[str, Any]:
    return {
        "say": kw.pop("say", f"say -> {to}"),
        "moves": ["complex_reflection"] if moves is None else moves,
        "to": to,
        **kw,
    }


def header(ident: str, **kw: Any) -> dict[str, Any]:
    """Every field a vignette needs apart from its beats, endings and start (fictional, content-free)."""
    return {
        "id": ident,
        "title": ident.capitalize(),
        "client": {"name": "Test", "background": "Fictional."},
        "setting": "Test",
        "attachment": "secure",
        "minutes": 5,
        "objectives": ["Test."],
        "window": {"low": 3, "high": 7},
        "state": {"arousal": 5, "alliance": 5, "shame": 3, "openness": 5},
        **kw,
    }


def vignette(beats: list[dict[str, Any]], endings: list[str] | None = None, **kw: Any) -> Vignette:
    data: dict[str, Any] = {
        **header("built"),
        "start": beats[0]["id"],
        "beats": [{"client": f"beat {b['id']}", **b} for b in beats],
        "endings": [
            {"id": e, "kind": "repaired" if e == "good" else "dropout", "title": e}
            for e in (endings or ["good", "bad"])
        ],
    }
    data.update(kw)
    return Vignette.model_validate(data)


def random_routes(plan: Any, count: int, seed: int) -> list[list[tuple[str, int]]]:
    """`count` routes from the start to an end, each choice drawn at random (seeded)."""
    import random

    rng, routes = random.Random(seed), []
    for _ in range(count):
        node, state = plan.begin()
        route: list[tuple[str, int]] = []
        while True:
            i = rng.randrange(len(plan.v.beat_map[node].choices))
            route.append((node, i))
            result = plan.step(node, state, i)
            if result.ended:
                break
            node, state = result.node, result.state
        routes.append(route)
    return routes
