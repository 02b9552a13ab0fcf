"""Lint rules that come from scoring: can the vignette's best and worst routes reach the extreme
bands, and does the rubric tell the choices apart at every decision point?"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from simulator.content.analysis import Finding
from simulator.content.model import Vignette

if TYPE_CHECKING:
    from scoring.story import Story


def scoring_findings(
    v: Vignette, lines: dict[str, int], story: Story | None = None
) -> list[Finding]:
    """`story`: `v` compiled with the shipped rubric, if the caller holds one."""
    from scoring.rubric import default_rubric
    from scoring.story import Story

    rubric = default_rubric()
    story = story or Story(v, rubric)
    try:
        bounds = story.bounds()  # searched once per content, then from the cache
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
    out.extend(_depicted_findings(v, story.state_window(), lines))
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


_SHOWS = {
    "hyper": re.compile(
        r"\b(flooded|panicking|can't breathe|hyperventilat\w*|breathing (is )?(fast|hard))\b",
        re.IGNORECASE,
    ),
    "hypo": re.compile(
        r"\b(numb|shut(s|ting)? down|shutdown|far away|frozen|dissociat\w*|gone (very )?still|"
        r"voice (is|has gone) flat|grey and silent)\b",
        re.IGNORECASE,
    ),
}
_WORDS = {"hyper": "above the window (flooded)", "hypo": "below the window (shut down)"}
MOST = 0.5
"""A beat that depicts a state must show it in more than this share of its reachable states."""


def _depicted_findings(
    v: Vignette, window: Mapping[str, tuple[int, int, int]], lines: dict[str, int]
) -> list[Finding]:
    """Do the numbers agree with the words? A beat written as flooded or shut down should find the
    client outside their window that way in most of the states it is reached in (window of
    tolerance, Siegel; Ogden); a beat whose words say so should declare it; and a beat the numbers
    put outside the window in most of its states should show it in its words."""
    out = []
    for beat in v.beats:
        below, inside, above = window.get(beat.id, (0, 0, 0))
        total = below + inside + above
        if beat.depicts is not None and total:
            share = (above if beat.depicts == "hyper" else below) / total
            if share <= MOST:
                out.append(
                    Finding(
                        "warning",
                        "depicted-state-disagrees",
                        f"beat '{beat.id}' depicts the client {_WORDS[beat.depicts]}, but they are "
                        f"there in only {share:.0%} of the {total} states it is reached in "
                        f"({below} below the window, {inside} inside, {above} above): change the "
                        "effects of the choices that lead here, or lead here only "
                        f"`if: {beat.depicts}`",
                        beat.id,
                        lines.get(beat.id),
                    )
                )
        if beat.depicts is None:
            text = " ".join(t for t in (beat.client, beat.nonverbal) if t)
            worded = _worded_state(beat.id, text, lines)
            if worded is not None:
                out.append(worded)
            elif total and max(below, above) / total > MOST:
                state = "hyper" if above >= below else "hypo"
                share = max(below, above) / total
                out.append(
                    Finding(
                        "warning",
                        "state-not-depicted",
                        f"beat '{beat.id}' finds the client {_WORDS[state]} in {share:.0%} of the "
                        f"{total} states it is reached in ({below} below the window, {inside} "
                        f"inside, {above} above), but its words do not show it: write the state "
                        f"into the client's line or nonverbal cue and declare `depicts: {state}`, "
                        "or change the effects of the choices that lead here",
                        beat.id,
                        lines.get(beat.id),
                    )
                )
    return out


def _worded_state(beat: str, text: str, lines: dict[str, int]) -> Finding | None:
    for state, words in _SHOWS.items():
        found = words.search(text)
        if found:
            return Finding(
                "warning",
                "undeclared-state",
                f"beat '{beat}' reads as {_WORDS[state]} ('{found.group(0)}'): "
                f"declare `depicts: {state}` so lint can check that the client's "
                "arousal agrees, or reword it",
                beat,
                lines.get(beat),
            )
    return None
