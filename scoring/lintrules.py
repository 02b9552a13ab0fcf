"""Lint rules that come from scoring (filled in by the scoring work)."""

from __future__ import annotations

from simulator.analysis import Finding
from simulator.model import Vignette


def scoring_findings(v: Vignette, lines: dict[str, int]) -> list[Finding]:
    return []
