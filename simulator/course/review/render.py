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
    judged = review.judgement()
    if judged.reflection is not None:
        r = judged.reflection
        note = f" {r['note']}" if r["note"] else ""
        lines.append(
            f"Reflective practice, rated by {r['assessor']}: {judged.reflection_label} "
            f"(provisional scale).{note}"
        )
    else:
        lines.append("Reflective practice: not rated yet (f rates the check-ins and rationales).")
    return "\n".join(lines)


def reflection_notes(review: Review) -> str:
    """Every check-in note and rationale of the session, by turn, for the reflection rating."""
    out = []
    for e in review.transcript.route():
        if e.checkin:
            out.append(f"Turn {e.turn} check-in: {e.checkin}")
        if e.rationale:
            out.append(f"Turn {e.turn} rationale: {e.rationale}")
    return "\n".join(out) or "The trainee wrote no check-in notes or rationales."


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
        if event.own_words:
            out.insert(1, f'  In their own words first: "{event.own_words}"')
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


def judgement_text(review: Review) -> str:
    """What the assessors said, for the trainee: the sign-off, the score after any overrides,
    the reflection rating, and every comment and override by turn."""
    j = review.judgement()
    lines = []
    if j.signoff is None:
        lines.append("Not signed off yet: the assessor's judgement is pending.")
    else:
        s = j.signoff
        lines.append(f"Signed off by {s['assessor']} on {s['at'][:10]}: {j.status}. {s['summary']}")
    if j.overrides:
        lines.append(
            f"With the assessor's overrides: {j.overall}/100 (the scorer gave {j.machine_overall})."
        )
    if j.reflection is not None:
        r = j.reflection
        note = f" {r['note']}" if r["note"] else ""
        lines.append(f"Reflective practice ({r['assessor']}): {j.reflection_label}.{note}")
    for c in j.comments:
        where = f"turn {c['turn']}" if c.get("turn") is not None else "the session"
        lines.append(f"{c['author']} on {where}: {c['text']}")
    for o in j.overrides:
        was = ", ".join(o.original) if o.field == "moves" else f"{int(o.original):+d}"
        now_ = ", ".join(o.value) if o.field == "moves" else f"{int(o.value):+d}"
        what = "move codes" if o.field == "moves" else "points"
        lines.append(f"{o.author} changed turn {o.turn}'s {what} from {was} to {now_}: {o.reason}")
    return "\n".join(lines)
