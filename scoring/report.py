"""Plain-text rendering of a score report (for `attune score`, the plain player and exports)."""

from __future__ import annotations

from scoring.bounds import Bound
from scoring.context import valence_text
from scoring.results import Line, Rupture, ScoreReport, TurnScore, counted
from scoring.rubric import Rubric
from simulator.content.codebook import VALENCE_NAMES
from simulator.content.model import Vignette

_METRIC_TITLES = {
    "reflection_to_question": "Reflections to questions (R:Q)",
    "percent_complex_reflections": "Complex reflections (%CR)",
    "percent_attuned": "Attuned choices",
    "repair_rate": "Ruptures repaired in time",
    "pushes_out_of_window": "Pushes while out of window",
    "consent_rate": "Advice and depth with consent",
    "alliance_at_end": "Alliance at the end",
}


def rupture_text(r: Rupture, v: Vignette) -> str:
    """One rupture in the trainee's terms: where it opened, in the client's words, and how it went."""
    beat = v.beat_map.get(r.opened_beat)
    words = f' ("{beat.client}")' if beat is not None else ""
    esc = ", escalated by a pushing move" if r.escalated else ""
    return (
        f"{r.kind.capitalize()} rupture at turn {r.opened_turn}{words}: "
        f"open {counted(r.turns_open, 'turn')}, {r.outcome}{esc}"
    )


def state_line(v: Vignette, state: dict[str, object]) -> str:
    where = "inside"
    if state.get("hyper"):
        where = "above"
    elif state.get("hypo"):
        where = "below"
    rupture = state.get("rupture", "none")
    text = (
        f"arousal {state['arousal']} ({where} window {v.window.low}–{v.window.high}), "
        f"alliance {state['alliance']}, shame {state['shame']}, openness {state['openness']}"
    )
    if rupture != "none":
        text += f", {rupture} rupture open {counted(int(str(state['rupture_turns'])), 'turn')}"
    if state.get("consent"):
        text += ", consent given"
    return text


def expert_route_text(v: Vignette, best: Bound, codes: bool = True) -> str:
    """The best-scoring route (from `scoring.bounds`), for the debrief."""
    out = [f"An expert route through this vignette (overall {best.overall}/100):"]
    for n, (beat_id, index) in enumerate(best.route, 1):
        beat = v.beat_map[beat_id]
        choice = beat.choices[index]
        out.append(f'  {n}. {v.client.name}: "{beat.client}"')
        code = f"  [{', '.join(choice.moves)}]" if codes else ""
        out.append(f'     → "{choice.say}"{code}')
    ending = v.ending_map.get(best.ending)
    if ending:
        out.append(f"  Ending: {ending.title} ({ending.kind}).")
    return "\n".join(out)


def line_text(ln: Line, codes: bool = True) -> str:
    """A line's explanation; without `codes`, the move names it quotes are left out (the
    valence lines name the moves: the text is written again without them, by the function
    that wrote it, `scoring.context.valence_text`)."""
    valence = ln.rule.removeprefix("valence-")
    if codes or valence == ln.rule or valence not in VALENCE_NAMES:
        return ln.text
    return valence_text(valence)


def turn_text(
    t: TurnScore,
    v: Vignette,
    *,
    debrief: bool = True,
    codes: bool = True,
    own_words: str | None = None,
) -> str:
    """One turn, explained: shared by `attune score`, the plain player and the TUI debrief
    (`codes`: whether the move codes may be shown, never in assessment mode; `own_words`: what
    the trainee typed first, in own-words mode)."""
    chose = f'  You chose {t.seen}: "{t.say}"'
    if codes:
        chose += f"  [{', '.join(t.moves) or 'no code'}]"
    out = [f'Turn {t.turn} — client: "{t.client}"']
    if own_words:
        out.append(f'  In your own words first: "{own_words}"')
    out += [chose, f"  Client state then: {state_line(v, t.state)}"]
    out += [f"  {ln.points:+d}  {ln.rule}: {line_text(ln, codes)}  ({ln.source})" for ln in t.lines]
    if debrief and t.inner:
        out.append(f"  The client's inner experience: {t.inner}")
    if t.feedback:
        out.append(f"  What the client may have felt, and what else was possible: {t.feedback}")
    return "\n".join(out)


def render_report(
    report: ScoreReport,
    v: Vignette,
    rubric: Rubric,
    *,
    debrief: bool = False,
    codes: bool = True,
    own_words: dict[int, str] | None = None,
) -> str:
    out: list[str] = []
    title = "Debrief" if debrief else "Score"
    out.append(f"{title}: {v.title}")
    if report.rescored:
        out.append(
            f"Re-scored under rubric {report.rubric_version} (recorded under {report.recorded_rubric_version})."
        )
    else:
        out.append(f"Rubric {report.rubric_version}.")
    prov = " (provisional band)" if report.band_provisional else ""
    out.append(
        f"Overall: {report.overall}/100 — {report.band}{prov}. Net points {report.net:+d} over {len(report.turns)} choices."
    )
    if report.ending:
        ending = v.ending_map.get(report.ending)
        label = ending.title if ending else "The session reached its turn limit"
        out.append(f"Ending: {label} ({report.ending_kind}).")
    out.append("")
    out.append("Dimensions (net points):")
    for name, pts in report.dimensions.items():
        out.append(f"  {name:<11} {pts:+d}  {rubric.dimensions[name]}")  # type: ignore[index]
    out.append("")
    out.append("Summary metrics:")
    for name, m in report.metrics.items():
        band = m.band + (" (provisional)" if m.provisional and m.band != "n/a" else "")
        out.append(f"  {_METRIC_TITLES[name]:<32} {m.display:<40} {band}")
    out.append(
        "  MITI bands are published expert thresholds, not norms; every other band is provisional."
    )
    out.append("")
    if report.ruptures:
        out.append("Ruptures:")
        for r in report.ruptures:
            out.append(f"  {rupture_text(r, v)}.")
        out.append("")
    out.append("Turn by turn:")
    for t in report.turns:
        typed = (own_words or {}).get(t.turn)
        text = turn_text(t, v, debrief=debrief, codes=codes, own_words=typed)
        out.append("  " + text.replace("\n", "\n  "))
    for ln in report.end:
        out.append(f"  At the end: {ln.points:+d}  {ln.rule}: {ln.text}  ({ln.source})")
    return "\n".join(out) + "\n"
