"""The `attune` command line. Headless commands import only the core, lazily, to start fast."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from simulator.errors import AttuneError
from simulator.hosts.cli_options import db_option
from simulator.settings import settings


def fail(error: AttuneError) -> NoReturn:
    for problem in error.problems:
        click.echo(problem.render(), err=True)
    sys.exit(error.exit_code)


# Course and trust commands are imported only when used: the headless commands start faster.
LAZY = {
    **dict.fromkeys(
        (
            "cohort",
            "assign",
            "unassign",
            "library",
            "history",
            "progress",
            "sync",
            "review",
            "hotspots",
            "scores",
            "user",
        ),
        "simulator.hosts.cli_courses",
    ),
    **dict.fromkeys(("verify", "export", "serve"), "simulator.hosts.cli_trust"),
    "lti": "simulator.hosts.cli_lti",
}


class _Group(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY:
            import importlib

            found = getattr(importlib.import_module(LAZY[cmd_name]), cmd_name)
            return found if isinstance(found, click.Command) else None
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AttuneError as exc:
            fail(exc)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="attunement", prog_name="attune")
def main() -> None:
    """attunement: practise working with resistance, pacing and rupture repair."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON report instead of text.")
@click.option(
    "--cues",
    is_flag=True,
    help="Also play surface policies (longest, first, keywords...) against the scorer, with the "
    "options shuffled as the player shows them, and compare each with random choices.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Lint this many files at once (default: one per core).",
)
def lint(paths: tuple[Path, ...], as_json: bool, cues: bool, jobs: int | None) -> None:
    """Check vignette files or folders: format, graph structure, scoring.

    Exit 0 when clean, 1 when a vignette has an error finding, 2 when a file cannot be read.
    """
    from simulator.service.lint import default_jobs, lint_paths, render_text

    report = lint_paths(list(paths), cues=cues, jobs=jobs or default_jobs())
    # the problems first: the text report's summary line points up to them
    for problem in report.unreadable:
        click.echo(problem.render(), err=True)
    if as_json:
        click.echo(json.dumps(report.as_json(), indent=2))
    else:
        click.echo(render_text(report), nl=False)
    sys.exit(report.exit_code)


@main.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
def schema(out: Path | None) -> None:
    """Print the JSON Schema of the vignette format (for editor autocompletion)."""
    from simulator.service.library import vignette_schema

    text = json.dumps(vignette_schema(), indent=2) + "\n"
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@main.command("map")
@click.argument("vignette", type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid", show_default=True
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@click.option(
    "--route",
    "route_file",
    type=click.Path(path_type=Path),
    help="Highlight the route of this transcript (from play, autoplay or export).",
)
@db_option
def map_(
    vignette: Path, fmt: str, out: Path | None, route_file: Path | None, db_url: str | None
) -> None:
    """Draw a vignette's graph: choices coloured by valence, endings marked. A course
    vignette's map (from the course database) is for course leaders and assessors."""
    from simulator.service.library import open_vignette, to_dot, to_mermaid

    path, v = open_vignette(vignette, db_url)
    _staff_only(path, db_url, "see a course vignette's map")
    route = None
    if route_file is not None:
        from simulator.service.scores import load_for_scoring, rubric, score_transcript

        loaded, played, _ = load_for_scoring(route_file, vignette, _note)
        if played.id != v.id:
            raise AttuneError.single(
                str(route_file), f"this transcript is for '{played.id}', not '{v.id}'"
            )
        report = score_transcript(loaded, played, rubric())  # validates the route
        route = [t.beat for t in report.turns] + ([report.ending] if report.ending else [])
    text = to_mermaid(v, route) if fmt == "mermaid" else to_dot(v, route)
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


def _staff_only(path: Path, db_url: str | None, what: str) -> None:
    """The answer key of a course vignette (its map, its best and worst routes) is for course
    leaders and assessors (`service.play.AnswerKey` holds the same line in the debrief)."""
    from simulator.service.library import is_course_copy

    if is_course_copy(path):
        from simulator.hosts.cli_courses import _open, reviewer

        reviewer(_open(db_url), None, what)


def _note(text: str) -> None:
    click.echo(text, err=True)


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--to",
    "to",
    type=click.Choice(["twee", "yaml"]),
    required=True,
    help="twee: for Twine's map; yaml: the vignette file attune lints, plays and scores.",
)
@click.option("--out", type=click.Path(path_type=Path), help="Write to a file (else print).")
def convert(file: Path, to: str, out: Path | None) -> None:
    """Convert a vignette between YAML and Twine: Twee 3, or the HTML Twine 2 publishes or
    archives (read only). A story drafted in Twine without codes converts with warnings that
    list what is missing. Exit 2, and nothing written, on any error."""
    from simulator.service.convert import convert as run
    from simulator.service.convert import write

    result = run(file, to)
    for warning in result.warnings:
        click.echo("warning: " + warning.render(), err=True)
    if out is None:
        click.echo(result.text, nl=False)
        return
    write(result.text, out)
    click.echo(
        f"wrote {out}" + (f" ({len(result.warnings)} warning(s) above)" if result.warnings else ""),
        err=True,
    )


@main.command()
@click.argument("vignette", type=click.Path(path_type=Path))
@click.option(
    "--strategy",
    type=click.Choice(["best", "worst", "random"]),
    default="random",
    show_default=True,
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed for the random strategy."
)
@click.option(
    "--in-order",
    is_flag=True,
    help="Show each beat's choices as authored, not shuffled (for an author's own checks).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Transcript file to write.",
)
@click.option(
    "--rubric", type=click.Path(path_type=Path), help="Rubric file (default: the shipped rubric)."
)
@click.option("--trainee", help="A name to record in the transcript.")
@db_option
def autoplay(
    vignette: Path,
    strategy: str,
    seed: int,
    out: Path,
    rubric: Path | None,
    trainee: str | None,
    db_url: str | None,
    in_order: bool,
) -> None:
    """Play a vignette headlessly and write its transcript, as a real session would.

    With --db (or ATTUNE_DB), each choice is also committed to the course database as it is made.
    """
    import random

    from simulator.service import play as service
    from simulator.service.library import open_vignette
    from simulator.service.scores import rubric as load_rubric

    path, v = open_vignette(vignette, db_url)
    if strategy != "random":
        _staff_only(path, db_url, "search a course vignette's best and worst routes")
    r = load_rubric(rubric)
    errors: list[AttuneError] = []
    use_database = bool(db_url or settings().db)
    if use_database:
        from simulator.service.courses import open_database, writer

        gate = open_database(db_url)
        try:
            trainee = writer(gate, trainee, _ask_password)
        finally:
            gate.close()  # the session's saver opens its own connection
    run = service.start(
        path,
        v,
        r,
        trainee=trainee,
        db_url=db_url,
        out=out,
        source="autoplay",
        strategy=strategy if strategy != "random" else f"random:{seed}",
        assignments=False,
        warm=False,
        use_database=use_database,
        on_db_error=lambda exc, _journal: errors.append(exc),
        in_order=in_order,
    )
    if strategy == "random":
        rng = random.Random(seed)
        while not run.ended:
            run.choose(rng.randrange(len(run.offered())))
    else:
        bounds = run.story.bounds()
        for _, index in (bounds.best if strategy == "best" else bounds.worst).route:
            run.choose(index)
    click.echo(f"wrote {out}: {run.turn} choices, ending '{run.session.ending}'")
    if errors:
        fail(errors[0])


@main.command()
@click.argument("transcript", type=click.Path(path_type=Path))
@click.option("--rubric", type=click.Path(path_type=Path), help="Re-score under this rubric file.")
@click.option(
    "--vignette",
    type=click.Path(path_type=Path),
    help="The vignette, if it cannot be found from the transcript.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def score(transcript: Path, rubric: Path | None, vignette: Path | None, as_json: bool) -> None:
    """Score a transcript, explaining every point."""
    from simulator.service.scores import load_for_scoring, render_report, score_transcript
    from simulator.service.scores import rubric as load_rubric

    r = load_rubric(rubric)
    loaded, v, _ = load_for_scoring(transcript, vignette, _note)
    report = score_transcript(loaded, v, r)
    if as_json:
        click.echo(json.dumps(report.as_json(), indent=2))
    else:
        click.echo(render_report(report, v, r), nl=False)


@main.command()
@click.argument("vignette", required=False, type=click.Path(path_type=Path))
@click.option(
    "--mode", type=click.Choice(["practice", "assessment"]), default="practice", show_default=True
)
@click.option(
    "--resume", is_flag=True, help="Resume the latest unfinished session of this vignette."
)
@click.option(
    "--plain",
    is_flag=True,
    help="Numbered lines on standard input and output (screen readers, logs).",
)
@click.option("--trainee", help="Your name or id, recorded in the transcript.")
@click.option("--served", is_flag=True, hidden=True, help="Started by `attune serve`.")
@click.option(
    "--in-order",
    is_flag=True,
    help="Show each beat's choices as authored, not shuffled (for an author's own checks).",
)
@click.option(
    "--own-words",
    is_flag=True,
    help="Type what you would say before the options appear, then choose the closest.",
)
@db_option
def play(
    vignette: Path | None,
    mode: str,
    resume: bool,
    plain: bool,
    trainee: str | None,
    served: bool,
    db_url: str | None,
    in_order: bool,
    own_words: bool,
) -> None:
    """Play a vignette. Sessions are saved after every choice and can be resumed."""
    import gc

    if not plain and not served:
        # the full-screen player paints its first frame before the core's heavier imports; the
        # collector, paused by the entry point, resumes once that frame is on screen
        _play_tui(vignette, mode, resume, trainee, db_url, in_order, own_words)
        return
    gc.enable()  # a long-running session needs the collector (the entry point paused it)
    if served:
        _play_served(db_url)
        return
    from simulator.hosts import plain as player

    player.run(vignette, mode, resume, trainee, db_url, in_order=in_order, own_words=own_words)


def _play_served(db_url: str | None) -> None:
    """One browser's app under `attune serve`: a login first in shared mode. Without logins the
    browser's sessions are kept apart from the terminal user's (and other browsers'): its
    journals go to a folder of its own, so its library offers only its own to resume."""
    served_app(db_url).run()


def served_app(db_url: str | None) -> Any:
    """The app one browser gets from `attune serve` (see `_play_served`)."""
    from simulator.hosts.tui.app import make_app
    from simulator.service.courses import open_database, shared_mode
    from simulator.service.play import served_sessions_dir
    from simulator.settings import settings, use_sessions_dir

    db = open_database(db_url)
    ticket = settings().lti_ticket
    if ticket:
        return _launched_app(db, db_url, ticket)
    shared = shared_mode(db)
    if not shared:
        use_sessions_dir(served_sessions_dir())
    return make_app(db_url=db_url, require_login=shared)


def _launched_app(db: Any, db_url: str | None, ticket: str) -> Any:
    """The app for a person launched from an LMS (`attune serve` as an LTI tool): already
    authenticated by the LMS, on the activity's vignette. A used or expired ticket gets the
    login screen, saying why."""
    from simulator.errors import AttuneError
    from simulator.hosts.tui.app import make_app
    from simulator.service.courses import Identity
    from simulator.service.library import open_vignette
    from simulator.service.lti import redeem_play

    try:
        mapped = redeem_play(db, ticket)
        start = open_vignette(Path(mapped.vignette_id), db_url) if mapped.vignette_id else None
    except AttuneError as exc:
        p = exc.problems[0]
        return make_app(db_url=db_url, require_login=True, login_notice=f"{p.message}: {p.hint}")
    identity = Identity(mapped.person, mapped.role, True)
    if identity.reviewer:  # staff follow the activity: its sessions, to review
        filters = {"cohort": mapped.cohort, "vignette": mapped.vignette_id}
        return make_app(db_url=db_url, identity=identity, review=filters, reviewer=identity.name)
    return make_app(db_url=db_url, identity=identity, start=start, mode=mapped.mode)


def _ask_password(name: str) -> str:
    return str(click.prompt(f"Password for {name}", hide_input=True, err=True))


def _play_tui(
    vignette: Path | None,
    mode: str,
    resume: bool,
    trainee: str | None,
    db_url: str | None,
    in_order: bool = False,
    own_words: bool = False,
) -> None:
    from simulator.hosts.tui.app import make_app

    start = resume_target = None
    if vignette is not None:
        from simulator.service.library import open_vignette

        path, v = open_vignette(vignette, db_url)
        start = (path, v)
        if resume:
            from simulator.service.play import latest_unfinished

            resume_target = (path, v, latest_unfinished(v.id, str(path), trainee))
    elif resume:
        raise AttuneError.single(
            "attune play",
            "--resume needs a vignette",
            hint="e.g. attune play sophie --resume, or press u in the library",
        )
    # the app finds out after its first frame whether the course database is shared (then it
    # asks for a login before anything is written: the one gate for writes)
    make_app(
        start=start,
        mode=mode,
        resume=resume_target,
        trainee=trainee,
        db_url=db_url,
        check_shared=True,
        in_order=in_order,
        own_words=own_words,
    ).run()
