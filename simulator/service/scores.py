"""Scores for the hosts: the rubric, scoring a transcript against the vignette it was played on,
the best and worst routes, and the text of a report. Scoring itself is `scoring/`: a pure
function of vignette, route and rubric."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from scoring.bounds import Bound, compute_bounds
from scoring.report import expert_route_text, render_report, rupture_text, state_line, turn_text
from scoring.results import Line, RouteError, ScoreReport, counted
from scoring.rubric import Rubric, default_rubric, load_rubric
from scoring.scorer import score_route
from scoring.whatif import road_not_taken
from simulator.content.model import Vignette
from simulator.play.transcript import LoadedTranscript, load_transcript, route_problems
from simulator.service.library import transcript_vignette


def rubric(path: Path | None = None) -> Rubric:
    """The rubric in `path`, else the shipped one."""
    return load_rubric(path) if path else default_rubric()


def load_for_scoring(
    transcript_path: Path, named: Path | None = None, note: Callable[[str], None] | None = None
) -> tuple[LoadedTranscript, Vignette, Path]:
    """A transcript file and the vignette it was played on. `note` is told when that vignette's
    file has changed since the transcript was recorded (it is scored against the current file)."""
    loaded = load_transcript(transcript_path)
    found = transcript_vignette(loaded.transcript, str(transcript_path), named)
    if found.changed and note is not None:
        note(
            f"note: {found.path} has changed since this transcript was recorded; "
            "scoring against the current file"
        )
    return loaded, found.vignette, found.path


def score_transcript(loaded: LoadedTranscript, v: Vignette, r: Rubric) -> ScoreReport:
    """Score a loaded transcript's standing route; a route that does not fit the vignette is a
    located error naming the transcript's line."""
    route = loaded.transcript.route()
    try:
        return score_route(
            v,
            [(e.beat, e.choice - 1) for e in route],
            r,
            recorded_rubric_version=loaded.transcript.rubric_version,
            order=loaded.transcript.order_map(),
        )
    except RouteError as exc:
        raise route_problems(
            loaded,
            f"does not match vignette '{v.id}': {exc.message}",
            route[exc.position],
            exc.hint,
        ) from None


__all__ = [
    "Bound",
    "Line",
    "RouteError",
    "Rubric",
    "ScoreReport",
    "compute_bounds",
    "counted",
    "default_rubric",
    "expert_route_text",
    "load_for_scoring",
    "load_rubric",
    "render_report",
    "road_not_taken",
    "rubric",
    "rupture_text",
    "score_route",
    "score_transcript",
    "state_line",
    "turn_text",
]
