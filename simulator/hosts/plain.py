"""The plain player: the same session as numbered lines on standard input and output.

For screen readers, logs and scripts. Each choice is saved before the next prompt.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from simulator.errors import AttuneError
from simulator.service import play as service
from simulator.service.library import Vignette
from simulator.service.scores import expert_route_text, render_report, state_line


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
    con.say(
        "Type the number of your response. r adds a rationale note first, c answers a check-in "
        "when there is one; q saves and quits."
    )


def run(
    vignette: Path | None,
    mode: str,
    resume: bool,
    trainee: str | None,
    db_url: str | None,
    *,
    in_order: bool = False,
    own_words: bool = False,
) -> None:
    """`attune play --plain`: pick a vignette (unless named), brief, play, debrief."""
    from simulator.service.courses import open_database, writer
    from simulator.service.library import load_library, open_vignette
    from simulator.service.scores import default_rubric

    con = Console()
    rubric = default_rubric()
    unreachable: AttuneError | None = None
    try:
        db = open_database(db_url)
    except AttuneError as exc:  # play on: the journal keeps every choice; `attune sync` later
        unreachable = exc
    if unreachable is None:
        try:
            trainee = writer(db, trainee, _ask_password)  # the one gate for writes in shared mode
        finally:
            db.close()  # the session's saver opens its own connection
    if vignette is None:
        items, problems = load_library(db_url=db_url, trainee=trainee)
        for problem in problems:
            sys.stderr.write(problem.render() + "\n")
        picked = choose_vignette(con, items, _due(db_url, trainee) if unreachable is None else {})
        if picked is None:
            return
        path, v = picked
    else:
        path, v = open_vignette(vignette, db_url)

    def db_failed(exc: AttuneError, journal: Path) -> None:
        con.say("note: " + service.db_error_note(exc, journal))

    if resume:
        loaded = service.latest_unfinished(v.id, str(path), trainee)
        run = service.resume(
            v, loaded, rubric, path=path, db_url=db_url, on_db_error=db_failed, acting=trainee
        )
        con.say(f"Resuming session {loaded.transcript.session_id} at turn {run.turn + 1}.")
    else:
        run = service.start(
            path,
            v,
            rubric,
            mode=mode,
            trainee=trainee,
            db_url=db_url,
            on_db_error=db_failed,
            # a database whose gate could not be checked is not written; sync checks it later
            use_database=unreachable is None,
            assignments=unreachable is None,
            in_order=in_order,
            own_words=own_words,
        )
        if unreachable is not None and run.journal is not None:
            db_failed(unreachable, run.journal)
        task = run.task
        if task is not None:
            con.say(
                f"Assignment from '{task.cohort}': {task.mode} mode, due {task.due or 'no date'}, "
                f"attempt {task.used + 1} of {task.attempts}."
            )
    briefing(con, v, run.mode)
    if play(run, con):
        debrief(run, con)
        con.say(f"\nTranscript: {run.journal}")
    else:
        run.leave()


def _ask_password(name: str) -> str:
    import getpass

    return getpass.getpass(f"Password for {name}: ")


def _due(db_url: str | None, trainee: str | None) -> dict[str, str]:
    """The trainee's assignments, by vignette id, as one line each."""
    if not trainee:
        return {}
    from simulator.service.courses import assigned_to, open_database

    due = {}
    for a in assigned_to(open_database(db_url), trainee):
        state = "done" if a.finished else ("OVERDUE" if a.overdue else "to do")
        due[a.vignette_id] = f"due {a.due or 'no date'}, {a.mode}, {state}"
    return due


def play(
    run: service.Play,
    con: Console,
    clock: Callable[[], float] = time.monotonic,
) -> bool:
    """Run the session loop. Returns True if it reached an ending."""
    v = run.vignette
    while not run.ended:
        beat = run.beat()
        con.say("")
        before = run.been_here()
        if before is not None:
            con.say(
                f"(You've been here before: {v.client.name} said this at turn {before}. "
                "The conversation has come round again.)"
            )
        con.say(f'{v.client.name}: "{beat.client}"')
        if beat.nonverbal:
            con.say(f"({beat.nonverbal})")
        checkin = None
        started = clock()
        words = None
        if run.own_words:  # recall before recognition: the trainee's words, then the options
            words = _own_words(con)
            if words is None:
                if run.turn or run.transcript.events:
                    con.say(f"Saved. Resume with: attune play {v.id} --resume --plain")
                return False
        for i, c in enumerate(run.options(), 1):
            con.say(f"  {i}. {c.say}")
        if words:
            near = run.suggest(words)
            con.say(
                f"Closest to your words: {near} (a suggestion only; the option you choose is "
                "what is scored)."
            )
        if beat.checkin:
            con.say(f"Check-in (c): {beat.checkin}")
        rationale = None
        while True:
            answer = con.ask("> ")
            if answer is None or answer.lower() == "q":
                if run.turn or run.transcript.events:
                    con.say(f"Saved. Resume with: attune play {v.id} --resume --plain")
                return False
            if answer.lower() == "r":
                rationale = con.ask("  rationale: ") or None
                continue
            if answer.lower() == "c":
                if not beat.checkin:
                    con.say("There is no check-in at this moment.")
                    continue
                checkin = con.ask(f"  {beat.checkin}\n  your note: ") or None
                continue
            if answer.lower() == "b" and run.mode == "practice":
                if not run.can_rewind:
                    con.say("Nothing to rewind yet.")
                    continue
                run.rewind()
                con.say("Rewound one choice. (The record keeps the choice you undid.)")
                break
            if answer.isdigit() and 1 <= int(answer) <= len(run.offered()):
                if run.rationale_required and not rationale:
                    rationale = con.ask(
                        "  This assignment asks for a rationale. Why this response? "
                    )
                    if not rationale:
                        con.say("A rationale is required here; type it, or q to save and quit.")
                        continue
                lines = run.pick(
                    int(answer),
                    rationale=rationale,
                    checkin=checkin,
                    elapsed_ms=int((clock() - started) * 1000),
                    own_words=words,
                )
                if run.mode == "practice":
                    con.say(f"  [{state_line(v, run.state.env(v))}]")
                    for line in lines:
                        con.say(
                            f"  feedback: {line.points:+d} {line.rule}: {line.text} ({line.source})"
                        )
                break
            con.say(
                f"Type 1-{len(run.offered())}, r, "
                + ("c, " if beat.checkin else "")
                + ("b, " if run.mode == "practice" else "")
                + "or q."
            )
    closing = run.closing()
    con.say("")
    if closing.turn_limit:
        con.say("The session reached its time limit.")
    else:
        con.say(f"Ending: {closing.title}")
        if closing.client:
            con.say(f'{v.client.name}: "{closing.client}"')
    return True


def _own_words(con: Console) -> str | None:
    """Own words first: what the trainee would say, asked until something is typed (q or the
    end of input stops the session, saved)."""
    while True:
        typed = con.ask("In your own words, what would you say? (q to save and quit)\n> ")
        if typed is None or typed.strip().lower() == "q":
            return None
        if typed.strip():
            return typed.strip()
        con.say("Type what you would say first; the options come next.")


def debrief(run: service.Play, con: Console) -> str:
    result = run.debrief()
    key = run.answer_key
    text = render_report(
        result.report,
        run.vignette,
        run.rubric,
        debrief=True,
        codes=key.codes,
        own_words=run.typed(),
    )
    if result.best is not None:
        text += "\n" + expert_route_text(run.vignette, result.best, key.codes) + "\n"
    if key.withheld:
        text += "\n" + key.withheld + "\n"
    rewound = run.transcript.rewound()
    if rewound:
        text += f"\nRewound choices kept in the record: {len(rewound)}.\n"
    con.say("")
    con.out.write(text)
    con.out.flush()
    return text
