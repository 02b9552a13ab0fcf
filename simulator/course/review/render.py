"""Review as text, for the TUI's review screen and the CLI: the summary, one turn, the rewound
choices."""

from __future__ import annotations

from simulator.course.review.model import Review


def summary_text(review: Review) -> str:
    t, o = review.transcript, review.original
    prov = " (provisional band)" if o.band_provisional else ""
    lines = [
        f"{review.vignette.title} — trainee {t.trainee or 'unnamed'}, {t.mode} mode, "
        f"started {t.started_at[:16].replace('T', ' ')}",
        f"Scorer: {o.overall}/100, {o.band}{prov}; rubric {o.rubric_version}.",
        review.integrity,
    ]
    if review.overrides:
        lines.append(
            f"With assessor overrides: {review.effective_overall}/100 "
            f"({len(review.overrides)} override(s); the scorer's original is kept)."
        )
    a = review.agreement
    if a is not None:
        kappa = "undefined (no variation)" if a.kappa is None else f"{a.kappa:.2f}"
        lines.append(
            f"Agreement between {a.raters[0]} and {a.raters[1]} on move codes: "
            f"Cohen's kappa {kappa}, {a.observed:.0%} of {a.turns} turns identical."
        )
    for s in review.signoffs:
        verdict = "competent" if s["verdict"] == "competent" else "not yet"
        lines.append(f"Signed off by {s['assessor']} ({s['at'][:10]}): {verdict}. {s['summary']}")
    if not review.signoffs:
        lines.append("Not signed off yet.")
    return "\n".join(lines)


def turn_review_text(review: Review, turn: int) -> str:
    from scoring.report import state_line

    ts = review.original.turns[turn - 1]
    event = review.turn_events().get(turn)
    v = review.vignette
    out = [
        f'Turn {turn} — {v.client.name}: "{ts.client}"',
        f'  Trainee chose {ts.seen}: "{ts.say}"  [{", ".join(ts.moves) or "no code"}]',
    ]
    if event is not None:
        out.append(f"  Rationale: {event.rationale or '(none given)'}")
        if event.elapsed_ms is not None:
            out.append(f"  Time taken: {event.elapsed_ms / 1000:.1f} s")
        if event.checkin:
            out.append(f"  Self-awareness note: {event.checkin}")
    out.append(f"  Client state then: {state_line(v, ts.state)}")
    out += [f"  {ln.points:+d}  {ln.rule}: {ln.text}  ({ln.source})" for ln in ts.lines]
    for o in review.overrides:
        if o.turn == turn:
            was = ", ".join(o.original) if o.field == "moves" else f"{o.original:+d}"
            now_ = ", ".join(o.value) if o.field == "moves" else f"{int(o.value):+d}"
            out.append(
                f"  Override ({o.field}) by {o.author}, {o.at[:16].replace('T', ' ')}: "
                f"{now_} (was {was}). Reason: {o.reason}"
            )
    for c in review.comments:
        if c["turn"] == turn:
            out.append(f"  Comment by {c['author']}: {c['text']}")
    return "\n".join(out)


def rewound_text(review: Review) -> str:
    undone = review.rewound()
    if not undone:
        return "No rewound branches."
    v = review.vignette
    lines = ["Rewound branches (choices the trainee undid; they do not count towards the score):"]
    for e in undone:
        beat = v.beat_map.get(e.beat)
        said = beat.choices[e.choice - 1].say if beat and e.choice <= len(beat.choices) else e.say
        lines.append(f'  turn {e.turn} at "{e.beat}": chose {e.shown}, "{said}"')
        if e.rationale:
            lines.append(f"    rationale: {e.rationale}")
    return "\n".join(lines)
