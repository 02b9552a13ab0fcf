"""The plain player: the same session as numbered lines on standard input and output.

For screen readers, logs and scripts. Each choice is saved before the next prompt.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from scoring.report import render_report, state_line
from scoring.rubric import Rubric
from scoring.scorer import score_route
from simulator.model import Vignette
from simulator.session import Session


class Console:
    def __init__(self, out: TextIO = sys.stdout, inp: TextIO = sys.stdin) -> None:
        self.out, self.inp = out, inp

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def ask(self, prompt: str) -> str | None:
        self.out.write(prompt)
        self.out.flush()
        line = self.inp.readline()
        if not line:
            return None
        return line.strip()


def choose_vignette(
    con: Console, items: list[tuple[Path, Vignette]], due: dict[str, str] | None = None
) -> tuple[Path, Vignette] | None:
    """Number the vignettes; those in `due` (vignette id -> the assignment's line) come first."""
    due = due or {}
    items = sorted(items, key=lambda pv: (pv[1].id not in due, due.get(pv[1].id, "")))
    con.say("Vignettes:" if not due else "Vignettes (your assignments first):")
    for i, (_, v) in enumerate(items, 1):
        notes = f"; content: {', '.join(v.content_notes)}" if v.content_notes else ""
        task = f"  [assigned: {due[v.id]}]" if v.id in due else ""
        con.say(
            f"  {i}. {v.title} — {v.client.name}, {v.setting}, {v.minutes} min, {v.difficulty}{notes}{task}"
        )
    while True:
        answer = con.ask(f"Choose a vignette (1-{len(items)}, q to quit): ")
        if answer is None or answer.lower() == "q":
            return None
        if answer.isdigit() and 1 <= int(answer) <= len(items):
            return items[int(answer) - 1]
        con.say(f"Please type a number from 1 to {len(items)}.")


def briefing(con: Console, v: Vignette, mode: str) -> None:
    con.say("")
    con.say(f"== {v.title} ==")
    con.say(f"Client: {v.client.name}. {v.client.background}")
    con.say(f"Setting: {v.setting}")
    con.say("Learning objectives:")
    for o in v.objectives:
        con.say(f"  - {o}")
    if v.content_notes:
        con.say("Content notes: " + "; ".join(v.content_notes))
    if mode == "practice":
        con.say(
            "Mode: practice. After each choice you see the client's state and one line of feedback; type b to rewind."
        )
    else:
        con.say("Mode: assessment. No feedback until the debrief.")
    con.say("Type the number of your response. r adds a rationale note first; q saves and quits.")


def play(
    session: Session,
    rubric: Rubric,
    con: Console,
    clock: Callable[[], float] = time.monotonic,
    rationale_required: bool = False,
) -> bool:
    """Run the session loop. Returns True if it reached an ending."""
    v = session.vignette
    while not session.ended:
        beat = v.beat_map[session.node]
        con.say("")
        con.say(f'{v.client.name}: "{beat.client}"')
        if beat.nonverbal:
            con.say(f"({beat.nonverbal})")
        checkin = None
        if beat.checkin:
            checkin = con.ask(f"Check-in — {beat.checkin}\n  your note (Enter to skip): ")
            if checkin is None:
                return False
        for i, c in enumerate(session.offered(), 1):
            con.say(f"  {i}. {c.say}")
        rationale = None
        started = clock()
        while True:
            answer = con.ask("> ")
            if answer is None or answer.lower() == "q":
                con.say(f"Saved. Resume with: attune play {v.id} --resume --plain")
                return False
            if answer.lower() == "r":
                rationale = con.ask("  rationale: ") or None
                continue
            if answer.lower() == "b" and session.mode == "practice":
                if session.turn == 0:
                    con.say("Nothing to rewind yet.")
                    continue
                session.rewind(session.turn - 1)
                con.say("Rewound one choice. (The record keeps the choice you undid.)")
                break
            if answer.isdigit() and 1 <= int(answer) <= len(session.offered()):
                if rationale_required and not rationale:
                    rationale = con.ask(
                        "  This assignment asks for a rationale. Why this response? "
                    )
                    if not rationale:
                        con.say("A rationale is required here; type it, or q to save and quit.")
                        continue
                index = int(answer) - 1
                session.choose(
                    index,
                    rationale=rationale,
                    checkin=checkin,
                    elapsed_ms=int((clock() - started) * 1000),
                )
                if session.mode == "practice":
                    _feedback(session, rubric, con)
                break
            con.say(
                f"Type 1-{len(session.offered())}, r, "
                + ("b, " if session.mode == "practice" else "")
                + "or q."
            )
    ending = v.ending_map.get(session.ending or "")
    con.say("")
    if ending:
        con.say(f"Ending: {ending.title}")
        if ending.client:
            con.say(f'{v.client.name}: "{ending.client}"')
    else:
        con.say("The session reached its time limit.")
    return True


def _feedback(session: Session, rubric: Rubric, con: Console) -> None:
    report = score_route(session.vignette, session.route, rubric)
    turn = report.turns[-1]
    con.say(f"  [{state_line(session.vignette, session.state.env(session.vignette))}]")
    shown = [ln for ln in turn.lines[1:] if ln.points] or [turn.lines[0]]
    for line in shown:
        con.say(f"  feedback: {line.points:+d} {line.rule}: {line.text} ({line.source})")


def debrief(session: Session, rubric: Rubric, con: Console) -> str:
    report = score_route(
        session.vignette,
        session.route,
        rubric,
        recorded_rubric_version=session.transcript.rubric_version,
    )
    from scoring.bounds import compute_bounds
    from scoring.report import expert_route_text

    text = render_report(report, session.vignette, rubric, debrief=True)
    text += (
        "\n"
        + expert_route_text(session.vignette, compute_bounds(session.vignette, rubric).best)
        + "\n"
    )
    rewound = session.transcript.rewound()
    if rewound:
        text += f"\nRewound choices kept in the record: {len(rewound)}.\n"
    con.say("")
    con.out.write(text)
    con.out.flush()
    return text
