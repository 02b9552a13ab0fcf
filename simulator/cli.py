"""The `attune` command line. Headless commands import only the core, lazily, to start fast."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from simulator.cli_options import db_option
from simulator.errors import AttuneError


def fail(error: AttuneError) -> NoReturn:
    for problem in error.problems:
        click.echo(problem.render(), err=True)
    sys.exit(error.exit_code)


# Course and trust commands are imported only when used: the headless commands start faster.
LAZY = {
    **dict.fromkeys(
        ("cohort", "assign", "progress", "sync", "review", "hotspots", "scores", "user"),
        "simulator.cli_courses",
    ),
    **dict.fromkeys(("verify", "export", "serve"), "simulator.cli_trust"),
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
def lint(paths: tuple[Path, ...], as_json: bool) -> None:
    """Check vignette files or folders: format, graph structure, scoring.

    Exit 0 when clean, 1 when a vignette has an error finding, 2 when a file cannot be read.
    """
    from simulator.lint import lint_paths, render_text

    report = lint_paths(list(paths))
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
    from simulator.model import Vignette

    text = json.dumps(vignette_schema(Vignette), indent=2) + "\n"
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


def vignette_schema(model: Any) -> dict[str, Any]:
    data: dict[str, Any] = model.model_json_schema(by_alias=True)
    data["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    data["$id"] = "https://attunement.invalid/schema/vignette-1.json"
    return data


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
def map_(vignette: Path, fmt: str, out: Path | None, route_file: Path | None) -> None:
    """Draw a vignette's graph: choices coloured by valence, endings marked."""
    from simulator.loader import load_vignette
    from simulator.mapping import to_dot, to_mermaid

    v = load_vignette(resolve_vignette(vignette))
    route = None
    if route_file is not None:
        loaded, played, _ = load_for_scoring(route_file, vignette)
        if played.id != v.id:
            raise AttuneError.single(
                str(route_file), f"this transcript is for '{played.id}', not '{v.id}'"
            )
        report = score_loaded(
            loaded, played, _rubric(None)
        )  # validates the route against the vignette
        route = [t.beat for t in report.turns] + ([report.ending] if report.ending else [])
    text = to_mermaid(v, route) if fmt == "mermaid" else to_dot(v, route)
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


def resolve_vignette(name: Path) -> Path:
    """A path, or the id of a shipped vignette."""
    if name.exists() or name.suffix:
        return name
    from simulator.library import bundled_path

    found = bundled_path(str(name))
    return found if found else name


def _rubric(path: Path | None) -> Any:
    from scoring.rubric import default_rubric, load_rubric

    return load_rubric(path) if path else default_rubric()


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
) -> None:
    """Play a vignette headlessly and write its transcript, as a real session would.

    With --db (or ATTUNE_DB), each choice is also committed to the course database as it is made.
    """
    import random

    from scoring.bounds import compute_bounds
    from simulator.library import bundled_dir
    from simulator.loader import load_vignette
    from simulator.session import Session, file_store
    from simulator.transcript import file_sha256

    path = resolve_vignette(vignette)
    v = load_vignette(path)
    r = _rubric(rubric)
    shipped = path.resolve().parent == bundled_dir().resolve()
    session = Session(
        v,
        rubric_version=r.version,
        vignette_path=None if shipped else str(path.resolve()),
        vignette_sha256=file_sha256(path),
        store=file_store(out),
        source="autoplay",
        strategy=strategy if strategy != "random" else f"random:{seed}",
        trainee=trainee,
    )
    saver = None
    if db_url or os.environ.get("ATTUNE_DB"):
        from simulator.dbstore import SessionSaver

        saver = SessionSaver(file_store(out), db_url, v, r)
        session.store = saver
        saver(session.transcript)
    if strategy == "random":
        rng = random.Random(seed)
        while not session.ended:
            session.choose(rng.randrange(len(session.offered())))
    else:
        bounds = compute_bounds(v, r)
        for _, index in (bounds.best if strategy == "best" else bounds.worst).route:
            session.choose(index)
    click.echo(f"wrote {out}: {session.turn} choices, ending '{session.ending}'")
    if saver is not None and saver.db_error is not None:
        assert isinstance(saver.db_error, AttuneError)
        fail(saver.db_error)


def load_for_scoring(transcript_path: Path, vignette: Path | None) -> tuple[Any, Any, Path]:
    """The transcript and the vignette it was played on."""
    from simulator.library import vignette_candidates
    from simulator.loader import load_vignette
    from simulator.transcript import file_sha256, load_transcript

    loaded = load_transcript(transcript_path)
    t = loaded.transcript
    found = vignette_candidates(t, resolve_vignette(vignette) if vignette else None)
    path = found[0] if found else None
    if path is None:
        raise AttuneError.single(
            str(transcript_path),
            f"cannot find vignette '{t.vignette_id}' for this transcript",
            field="vignette_id",
            hint="name it with --vignette PATH",
        )
    v = load_vignette(path)
    if v.id != t.vignette_id:
        raise AttuneError.single(
            str(transcript_path),
            f"the transcript is for vignette '{t.vignette_id}', but {path} is '{v.id}'",
            field="vignette_id",
            hint="name the right file with --vignette",
        )
    if t.vignette_sha256 and t.vignette_sha256 != file_sha256(path):
        click.echo(
            f"note: {path} has changed since this transcript was recorded; scoring against the current file",
            err=True,
        )
    return loaded, v, path


def score_loaded(loaded: Any, v: Any, r: Any) -> Any:
    from scoring.scorer import RouteError, score_route
    from simulator.transcript import route_problems

    route = loaded.transcript.route()
    try:
        return score_route(
            v,
            [(e.beat, e.choice - 1) for e in route],
            r,
            recorded_rubric_version=loaded.transcript.rubric_version,
        )
    except RouteError as exc:
        raise route_problems(
            loaded,
            f"does not match vignette '{v.id}': {exc.message}",
            route[exc.position],
            exc.hint,
        ) from None


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
    from scoring.report import render_report

    r = _rubric(rubric)
    loaded, v, _ = load_for_scoring(transcript, vignette)
    report = score_loaded(loaded, v, r)
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
@db_option
def play(
    vignette: Path | None,
    mode: str,
    resume: bool,
    plain: bool,
    trainee: str | None,
    served: bool,
    db_url: str | None,
) -> None:
    """Play a vignette. Sessions are saved after every choice and can be resumed."""
    import gc

    if not plain and not served:
        # the full-screen player paints its first frame before the core's heavier imports; the
        # collector, paused by the entry point, resumes once that frame is on screen
        _play_tui(vignette, mode, resume, trainee, db_url)
        return
    gc.enable()  # a long-running session needs the collector (the entry point paused it)
    if served:
        _play_served(db_url)
        return
    from scoring.rubric import default_rubric
    from simulator import plain as player
    from simulator.dbstore import SessionSaver
    from simulator.library import bundled_dir, load_library
    from simulator.loader import load_vignette
    from simulator.session import Session, file_store
    from simulator.storage import session_path
    from simulator.transcript import file_sha256

    con = player.Console()
    rubric = default_rubric()
    if vignette is None:
        items, problems = load_library()
        for problem in problems:
            click.echo(problem.render(), err=True)
        due = {}
        if trainee:
            from simulator.courses import assigned_to
            from simulator.database import open_database

            for a in assigned_to(open_database(db_url), trainee):
                state = "done" if a.finished else ("OVERDUE" if a.overdue else "to do")
                due[a.vignette_id] = f"due {a.due or 'no date'}, {a.mode}, {state}"
        picked = player.choose_vignette(con, items, due)
        if picked is None:
            return
        path, v = picked
    else:
        path = resolve_vignette(vignette)
        v = load_vignette(path)
    session = None
    task = None
    if resume:
        loaded = latest_unfinished(path, v.id)
        session = Session.resume(v, loaded.transcript)
        con.say(f"Resuming session {loaded.transcript.session_id} at turn {session.turn + 1}.")
    else:
        shipped = path.resolve().parent == bundled_dir().resolve()
        task = _assignment(db_url, trainee, v.id)
        if task is not None:
            mode = task.mode
            con.say(
                f"Assignment from '{task.cohort}': {task.mode} mode, due {task.due or 'no date'}, "
                f"attempt {task.used + 1} of {task.attempts}."
            )
        session = Session(
            v,
            rubric_version=rubric.version,
            mode=mode,
            trainee=trainee,
            vignette_path=None if shipped else str(path.resolve()),
            vignette_sha256=file_sha256(path),
            assignment_id=task.assignment_id if task else None,
            cohort_id=task.cohort_id if task else None,
        )
    journal = session_path(session.transcript.session_id)
    if resume:
        journal = Path(loaded.path)
    session.store = SessionSaver(
        file_store(journal),
        db_url,
        v,
        rubric,
        on_db_error=lambda exc: con.say(
            "note: the database could not be written; your choices are safe in "
            f"{journal} and `attune sync` will store them. ({exc.problems[0].message})"
        ),
    )
    if not resume:
        session.store(session.transcript)
    required = bool(task and task.rationale_required) if not resume else False
    player.briefing(con, v, session.mode)
    if player.play(session, rubric, con, rationale_required=required):
        player.debrief(session, rubric, con)
        con.say(f"\nTranscript: {session_path(session.transcript.session_id)}")


def _assignment(db_url: str | None, trainee: str | None, vignette_id: str) -> Any:
    """The trainee's assignment for this vignette, if any (None without a trainee)."""
    if not trainee:
        return None
    from simulator.courses import attempt_for
    from simulator.database import open_database

    return attempt_for(open_database(db_url), trainee, vignette_id)


def latest_unfinished(path: Path, vignette_id: str) -> Any:
    """The most recent unfinished session of a vignette, or a clear error."""
    from simulator.storage import unfinished_sessions

    pending = unfinished_sessions(vignette_id)
    if not pending:
        raise AttuneError.single(
            str(path),
            f"no unfinished session of '{vignette_id}' to resume",
            hint="start one without --resume",
        )
    return pending[0]


def _play_served(db_url: str | None) -> None:
    """One browser's app under `attune serve`: a login first when the database has passwords."""
    from simulator.auth import logins_enabled
    from simulator.database import open_database
    from simulator.tui.app import make_app

    db = open_database(db_url)
    # PostgreSQL is always shared: everyone logs in (nobody can until a password is set)
    shared = logins_enabled(db) or db.dialect == "postgresql"
    make_app(db_url=db_url, require_login=shared).run()


def _play_tui(
    vignette: Path | None, mode: str, resume: bool, trainee: str | None, db_url: str | None
) -> None:
    from simulator.tui.app import make_app

    start = resume_target = None
    if vignette is not None:
        from simulator.loader import load_vignette

        path = resolve_vignette(vignette)
        v = load_vignette(path)
        start = (path, v)
        if resume:
            resume_target = (path, v, latest_unfinished(path, v.id))
    elif resume:
        raise AttuneError.single(
            "attune play",
            "--resume needs a vignette",
            hint="e.g. attune play sophie --resume, or press u in the library",
        )
    make_app(start=start, mode=mode, resume=resume_target, trainee=trainee, db_url=db_url).run()
