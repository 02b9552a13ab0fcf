"""Exports: CSV (one row per choice), JSON (the sealed transcript), printable HTML reports (one per
transcript, one per cohort, with charts) and xAPI statements.

Everything a trainee or author wrote is data, never markup or a formula: HTML goes through
Jinja2's autoescaping, and a CSV cell that a spreadsheet would run as a formula is prefixed with
an apostrophe (OWASP's advice for CSV injection).
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scoring.results import ScoreReport
from scoring.rubric import Rubric
from scoring.scorer import score_route
from simulator.content.model import Vignette
from simulator.course.review import Judgement
from simulator.play.transcript import ChoiceEvent, EndEvent, Transcript

CSV_COLUMNS = (
    "session_id",
    "trainee",
    "vignette_id",
    "mode",
    "seq",
    "at",
    "turn",
    "beat",
    "choice",
    "shown",
    "say",
    "moves",
    "valence",
    "points",
    "rule",
    "instrument",
    "stands",
    "rationale",
    "checkin",
    "elapsed_ms",
    "own_words",
    # the assessors' judgement (blank when the session has none): the scorer's points stay above
    "assessor_moves",
    "assessor_points",
    "assessor_comments",
    "overall",
    "overall_with_overrides",
    "signoff",
    "reflection_rating",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "|", "%")


def safe_cell(value: Any) -> str:
    """A CSV cell a spreadsheet shows as text: formula-like text gets a leading apostrophe."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@dataclass
class Scored:
    """A transcript with its vignette and its score under a rubric."""

    transcript: Transcript
    vignette: Vignette
    report: ScoreReport
    judgement: Judgement | None = None
    """The assessors' overrides, comments, sign-off and reflection rating (stored sessions)."""


def scored(t: Transcript, v: Vignette, rubric: Rubric) -> Scored:
    route = [(e.beat, e.choice - 1) for e in t.route()]
    report = score_route(
        v, route, rubric, recorded_rubric_version=t.rubric_version, order=t.order_map()
    )
    return Scored(t, v, report)


def choice_rows(s: Scored) -> list[dict[str, Any]]:
    """One row per choice made, rewound ones included (`stands` says which count)."""
    standing = {id(e) for e in s.transcript.route()}
    by_turn = {t.turn: t for t in s.report.turns}
    rows = []
    for e in s.transcript.events:
        if not isinstance(e, ChoiceEvent):
            continue
        stands = id(e) in standing
        ts = by_turn.get(e.turn) if stands else None
        beat = s.vignette.beat_map.get(e.beat)
        moves = beat.choices[e.choice - 1].moves if beat and e.choice <= len(beat.choices) else []
        line = ts.rule_fired if ts else None
        rows.append(
            {
                "session_id": s.transcript.session_id,
                "trainee": s.transcript.trainee,
                "vignette_id": s.transcript.vignette_id,
                "mode": s.transcript.mode,
                "seq": e.seq,
                "at": e.at,
                "turn": e.turn,
                "beat": e.beat,
                "choice": e.choice,
                "shown": e.shown,
                "say": e.say,
                "moves": " ".join(moves),
                "valence": ts.valence if ts else "",
                "points": ts.points if ts else "",
                "rule": line.rule if line else "",
                "instrument": line.source if line else "",
                "stands": "yes" if stands else "no (rewound)",
                "rationale": e.rationale,
                "checkin": e.checkin,
                "elapsed_ms": e.elapsed_ms,
                "own_words": e.own_words,
                **_judged_cells(s, e.turn if stands else None),
            }
        )
    return rows


def _judged_cells(s: Scored, turn: int | None) -> dict[str, Any]:
    j = s.judgement
    if j is None:
        return {
            "assessor_moves": "",
            "assessor_points": "",
            "assessor_comments": "",
            "overall": s.report.overall,
            "overall_with_overrides": "",
            "signoff": "pending",
            "reflection_rating": "",
        }
    mine = [o for o in j.overrides if turn is not None and o.turn == turn]
    moves = [o for o in mine if o.field == "moves"]
    points = [o for o in mine if o.field == "points"]
    notes = [c for c in j.comments if turn is not None and c.get("turn") == turn]
    signed = j.signoff
    return {
        "assessor_moves": " ".join(moves[-1].value) if moves else "",
        "assessor_points": int(points[-1].value) if points else "",
        "assessor_comments": " | ".join(f"{c['author']}: {c['text']}" for c in notes),
        "overall": j.machine_overall,
        "overall_with_overrides": j.overall if j.overrides else "",
        "signoff": j.status
        + (f" ({signed['assessor']}, {signed['at'][:10]}: {signed['summary']})" if signed else ""),
        "reflection_rating": "" if j.reflection is None else j.reflection_label,
    }


def to_csv(items: list[Scored]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for s in items:
        for row in choice_rows(s):
            writer.writerow([safe_cell(row[c]) for c in CSV_COLUMNS])
    return buf.getvalue()


# ------------------------------------------------------------------ HTML


def _env() -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _svg(chart: Any) -> Any:
    from markupsafe import Markup

    # pygal builds the SVG with an XML library, which escapes every label and title
    return Markup(chart.render(is_unicode=True))


def _config(**kw: Any) -> dict[str, Any]:
    return {"js": [], "disable_xml_declaration": True, "width": 720, "height": 280, **kw}


def timeline_chart(report: ScoreReport, v: Vignette) -> Any:
    import pygal

    states = [t.state for t in report.turns] + [report.final_state]
    chart = pygal.Line(**_config(title="Alliance and arousal, turn by turn", range=(0, 10)))
    chart.x_labels = [str(i) for i in range(len(states))]
    chart.add("alliance", [s["alliance"] for s in states])
    chart.add("arousal", [s["arousal"] for s in states])
    chart.add(
        "window low",
        [v.window.low] * len(states),
        show_dots=False,
        stroke_style={"dasharray": "4,4"},
    )
    chart.add(
        "window high",
        [v.window.high] * len(states),
        show_dots=False,
        stroke_style={"dasharray": "4,4"},
    )
    return _svg(chart)


def dimensions_chart(report: ScoreReport) -> Any:
    import pygal

    chart = pygal.HorizontalBar(**_config(title="Net points by dimension", height=220))
    for name, points in report.dimensions.items():
        chart.add(name, points)
    return _svg(chart)


def transcript_html(s: Scored, rubric: Rubric, integrity: str = "") -> str:
    from scoring.report import state_line

    r = s.report
    turns = []
    events = {e.turn: e for e in s.transcript.route()}
    for t in r.turns:
        e = events.get(t.turn)
        turns.append(
            {
                "n": t.turn,
                "client": t.client,
                "say": t.say,
                "shown": t.seen,
                "moves": ", ".join(t.moves),
                "state": state_line(s.vignette, t.state),
                "lines": t.lines,
                "inner": t.inner,
                "feedback": t.feedback,
                "rationale": e.rationale if e else None,
                "checkin": e.checkin if e else None,
                "own_words": e.own_words if e else None,
                "elapsed": f"{e.elapsed_ms / 1000:.1f} s" if e and e.elapsed_ms is not None else "",
            }
        )
    ending = s.vignette.ending_map.get(r.ending or "")
    return str(
        _env()
        .get_template("transcript.html.j2")
        .render(
            t=s.transcript,
            v=s.vignette,
            r=r,
            ending=ending,
            turns=turns,
            rewound=s.transcript.rewound(),
            timeline=timeline_chart(r, s.vignette),
            dimensions=dimensions_chart(r),
            integrity=integrity,
            rubric=rubric,
            judgement=s.judgement,
            turn_judgement=_turn_judgement(s.judgement),
        )
    )


def _turn_judgement(j: Judgement | None) -> dict[int, list[str]]:
    """Per turn, the assessors' overrides and comments as lines."""
    out: dict[int, list[str]] = {}
    if j is None:
        return out
    for o in j.overrides:
        was = ", ".join(o.original) if o.field == "moves" else f"{int(o.original):+d}"
        now_ = ", ".join(o.value) if o.field == "moves" else f"{int(o.value):+d}"
        what = "move codes" if o.field == "moves" else "points"
        out.setdefault(o.turn, []).append(
            f"{o.author} changed the {what} from {was} to {now_}: {o.reason}"
        )
    for c in j.comments:
        if c.get("turn") is not None:
            out.setdefault(int(c["turn"]), []).append(f"{c['author']} commented: {c['text']}")
    return out


def cohort_html(db: Any, cohort: str) -> str:
    import pygal

    from simulator.course.analytics import hot_spots, score_distributions
    from simulator.course.courses import cohort_info, progress

    info = cohort_info(db, cohort)
    rows = progress(db, cohort)
    charts = []
    for d in score_distributions(db, cohort):
        chart = pygal.Bar(
            **_config(title=f"{d.vignette_id}: overall scores of finished sessions", height=240)
        )
        chart.x_labels = [f"{i * 10}–{100 if i == 9 else i * 10 + 9}" for i in range(10)]
        chart.add("sessions", d.buckets)
        charts.append(_svg(chart))
    return str(
        _env()
        .get_template("cohort.html.j2")
        .render(info=info, rows=rows, spots=hot_spots(db, cohort)[:20], charts=charts)
    )


# ------------------------------------------------------------------ xAPI

XAPI_VERSION = "1.0.3"
VERBS = {
    "launched": "http://adlnet.gov/expapi/verbs/launched",
    "responded": "http://adlnet.gov/expapi/verbs/responded",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
}
SIMULATION = "http://adlnet.gov/expapi/activities/simulation"
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
_NS = uuid.UUID("6f2d8f5e-3b1c-4f6a-9a43-2b7e0c1d9e55")


def _duration(ms: int) -> str:
    seconds = max(0, ms) / 1000
    return f"PT{seconds:.2f}S"


def _ms_between(a: str, b: str) -> int:
    from datetime import datetime

    return int((datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds() * 1000)


def xapi_statements(
    s: Scored, *, base: str, pass_mark: int, homepage: str | None = None
) -> list[dict[str, Any]]:
    """launched, one responded per choice, completed, and, once an assessor has signed the
    attempt off, passed or failed by their verdict (with the score after their overrides).

    The attempt's registration is its session id; statement ids are derived from the session
    and event, so sending the same attempt twice is recognised by the LRS as the same statements.
    """
    t = s.transcript
    base = base.rstrip("/")
    actor = {
        "objectType": "Agent",
        "name": t.trainee or "unnamed trainee",
        "account": {"homePage": homepage or base, "name": t.trainee or f"session-{t.session_id}"},
    }
    vignette_activity = {
        "objectType": "Activity",
        "id": f"{base}/vignettes/{t.vignette_id}",
        "definition": {
            "name": {"en-US": s.vignette.title},
            "description": {"en-US": s.vignette.client.background},
            "type": SIMULATION,
        },
    }
    extensions: dict[str, Any] = {
        f"{base}/extensions/mode": t.mode,
        f"{base}/extensions/rubric-version": s.report.rubric_version,
    }
    context: dict[str, Any] = {
        "registration": t.session_id,
        "platform": "attunement",
        "language": "en-US",
        "extensions": extensions,
    }

    def statement(
        key: str, verb: str, when: str, obj: dict[str, Any], **extra: Any
    ) -> dict[str, Any]:
        return {
            "id": str(uuid.uuid5(_NS, f"{t.session_id}/{key}")),
            "actor": actor,
            "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
            "object": obj,
            "timestamp": when,
            "version": XAPI_VERSION,
            **extra,
        }

    out = [statement("launched", "launched", t.started_at, vignette_activity, context=context)]
    by_turn = {ts.turn: ts for ts in s.report.turns}
    standing = {id(e) for e in t.route()}
    for e in t.events:
        if not isinstance(e, ChoiceEvent):
            continue
        beat = s.vignette.beat_map.get(e.beat)
        choices = [
            {"id": str(i), "description": {"en-US": c.say}}
            for i, c in enumerate(beat.choices if beat else [], 1)
        ]
        ts = by_turn.get(e.turn) if id(e) in standing else None
        result: dict[str, Any] = {"response": str(e.choice)}
        if e.elapsed_ms is not None:
            result["duration"] = _duration(e.elapsed_ms)
        result["extensions"] = {
            f"{base}/extensions/points": ts.points if ts else None,
            f"{base}/extensions/valence": ts.valence if ts else None,
            f"{base}/extensions/stands": ts is not None,
            f"{base}/extensions/shown-as": e.shown,
        }
        obj = {
            "objectType": "Activity",
            "id": f"{base}/vignettes/{t.vignette_id}/beats/{e.beat}",
            "definition": {
                "name": {"en-US": f"{s.vignette.client.name}: {beat.client if beat else e.beat}"},
                "type": INTERACTION,
                "interactionType": "choice",
                "choices": choices,
            },
        }
        ctx = {**context, "contextActivities": {"parent": [vignette_activity]}}
        out.append(statement(f"event/{e.seq}", "responded", e.at, obj, result=result, context=ctx))
    end = next((e for e in reversed(t.events) if isinstance(e, EndEvent)), None)
    if end is None:
        return out
    r = s.report
    score = {"scaled": round(r.overall / 100, 4), "raw": r.overall, "min": 0, "max": 100}
    duration = _duration(_ms_between(t.started_at, end.at))
    done: dict[str, Any] = {"score": score, "completion": True, "duration": duration}
    j = s.judgement
    signed = j.signoff if j is not None else None
    if signed is None:
        # passed or failed is the assessor's verdict, never the machine's: until the sign-off,
        # the attempt is completed and its result is pending
        done["extensions"] = {
            f"{base}/extensions/judgement": "pending assessor sign-off",
            f"{base}/extensions/pass-mark": f"{pass_mark} (provisional: the machine score would "
            f"{'pass' if r.overall >= pass_mark else 'not pass'}; the sign-off decides)",
        }
    out.append(
        statement("completed", "completed", end.at, vignette_activity, result=done, context=context)
    )
    if j is None or signed is None:
        return out
    passed = signed["verdict"] == "competent"
    final = j.overall
    verdict = {
        "score": {"scaled": round(final / 100, 4), "raw": final, "min": 0, "max": 100},
        "success": passed,
        "completion": True,
        "response": signed["summary"],
        "extensions": {
            f"{base}/extensions/machine-score": j.machine_overall,
            f"{base}/extensions/overrides": len(j.overrides),
            f"{base}/extensions/reflection": j.reflection_label,
        },
    }
    out.append(
        statement(
            f"verdict/{signed['assessor']}/{signed['at']}",  # a new sign-off is a new statement
            "passed" if passed else "failed",
            signed["at"],
            vignette_activity,
            result=verdict,
            context={
                **context,
                "instructor": {
                    "objectType": "Agent",
                    "account": {"homePage": homepage or base, "name": signed["assessor"]},
                },
            },
        )
    )
    return out
