"""The MITI 4.2.1 summary metrics of a scored route (R:Q, %CR, ...) and the 3RS rupture counts,
with their bands: only MITI's published R:Q and %CR bands are firm, the rest are provisional."""

from __future__ import annotations

from scoring.context import Context
from scoring.results import Metric, Rupture, TurnScore, counted
from scoring.rubric import METRICS
from simulator.play.engine import ClientState

MITI_COUNTED = ("reflection_to_question", "percent_complex_reflections")
TOO_FEW = "too few to band"
"""The band shown when a route has fewer reflections plus questions than the rubric's minimum."""


def metrics(
    ctx: Context, turns: list[TurnScore], ruptures: list[Rupture], final: ClientState
) -> dict[str, Metric]:
    cr = sr = q = attuned = pushing = consent_needed = consent_had = pushes_out = 0
    statics = ctx._static  # filled while scoring the route
    for t in turns:
        static = statics[(t.beat, t.choice - 1)]
        c, s_, q_ = static.miti
        if static.depth and not q_ and "?" in t.say:
            q_ = 1  # a deepening or interpreting move asked as a question is a MITI question
        cr += c
        sr += s_
        q += q_
        if t.valence == "A":
            attuned += 1
        elif t.valence == "P":
            pushing += 1
            if t.client_state.out_of_window(ctx.v):
                pushes_out += 1
        if static.advice or static.depth:
            consent_needed += 1
            env = t.state
            consent_had += bool(env["consent_depth"] if static.depth else env["consent_advice"])
    refl = cr + sr
    values: dict[str, tuple[float | None, str]] = {}
    if q:
        values["reflection_to_question"] = (
            refl / q,
            f"{refl / q:.1f}:1 ({counted(refl, 'reflection')}, {counted(q, 'question')})",
        )
    elif refl:
        values["reflection_to_question"] = (
            float("inf"),
            f"{counted(refl, 'reflection')}, no questions",
        )
    else:
        values["reflection_to_question"] = (None, "no reflections or questions")
    values["percent_complex_reflections"] = (
        (
            100 * cr / refl,
            f"{100 * cr / refl:.0f}%",
        )
        if refl
        else (None, "no reflections")
    )
    values["percent_attuned"] = (
        (
            100 * attuned / (attuned + pushing),
            f"{100 * attuned / (attuned + pushing):.0f}% ({attuned} attuned, {pushing} pushing)",
        )
        if attuned + pushing
        else (None, "no attuned or pushing choices")
    )
    repaired = sum(1 for r in ruptures if r.outcome == "repaired in time")
    values["repair_rate"] = (
        (
            100 * repaired / len(ruptures),
            f"{repaired} of {counted(len(ruptures), 'rupture')} repaired in time",
        )
        if ruptures
        else (None, "no ruptures")
    )
    values["pushes_out_of_window"] = (float(pushes_out), str(pushes_out))
    values["consent_rate"] = (
        (
            100 * consent_had / consent_needed,
            f"{consent_had} of {counted(consent_needed, 'advice or depth move')} had consent",
        )
        if consent_needed
        else (None, "no advice or depth moves")
    )
    alliance = final.get("alliance")
    values["alliance_at_end"] = (float(alliance), f"{alliance}/10")
    out = {}
    too_few = refl + q < ctx.rubric.miti_min_count
    for name in METRICS:
        value, display = values[name]
        bands = ctx.rubric.bands.metrics[name]
        band = "n/a" if value is None else bands.band(value)
        if too_few and value is not None and name in MITI_COUNTED:
            band = TOO_FEW
        out[name] = Metric(
            name,
            None if value is None or value == float("inf") else round(value, 2),
            display,
            band,
            bands.provisional,
            bands.source,
        )
    return out
