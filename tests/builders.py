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
