"""Lint rules that come from scoring: can the vignette's best and worst routes reach the extreme
bands, and does the rubric tell the choices apart at every decision point?"""

from __future__ import annotations

from simulator.content.analysis import Finding
from simulator.content.model import Vignette


def scoring_findings(v: Vignette, lines: dict[str, int]) -> list[Finding]:
    from scoring.rubric import default_rubric
    from scoring.story import Story

    rubric = default_rubric()
    try:
        bounds = Story(v, rubric).bounds()  # searched once per content, then from the cache
    except ValueError as exc:
        return [Finding("error", "no-route-in-limit", str(exc))]
    levels = rubric.bands.overall.levels
    top, bottom = levels[0].name, levels[-1].name
    out: list[Finding] = []
    if rubric.overall_band(bounds.best.overall) != top:
        out.append(
            Finding(
                "warning",
                "best-below-top-band",
                f"the best route scores {bounds.best.overall} ({rubric.overall_band(bounds.best.overall)}), "
                f"below the top band '{top}': add attuned options or repair opportunities",
            )
        )
    if rubric.overall_band(bounds.worst.overall) != bottom:
        out.append(
            Finding(
                "warning",
                "worst-above-bottom-band",
                f"the worst route scores {bounds.worst.overall} ({rubric.overall_band(bounds.worst.overall)}), "
                f"above the bottom band '{bottom}': the pushing options may be too mild",
            )
        )
    for ending in sorted(bounds.open_at):
        found = v.ending_map.get(ending)
        if found is not None and found.kind == "repaired":
            out.append(
                Finding(
                    "error",
                    "repaired-with-rupture-open",
                    f"ending '{ending}' is of kind repaired, but a route reaches it with a rupture "
                    "still open, so the debrief would say 'repaired' and 'unrepaired' side by "
                    "side: lead there only through a repair (or give the ending another kind)",
                    ending,
                    lines.get(ending),
                )
            )
    for beat in sorted(bounds.undistinguished, key=lambda b: lines.get(b, 0)):
        out.append(
            Finding(
                "warning",
                "rubric-cannot-distinguish",
                f"at beat '{beat}' every choice scores the same under the rubric: recode the moves",
                beat,
                lines.get(beat),
            )
        )
    return out
