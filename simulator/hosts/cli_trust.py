"""`attune verify` and `attune export`: trust in transcripts, and getting them out."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any

import click

from simulator.errors import AttuneError
from simulator.hosts.cli_courses import reviewer, who
from simulator.hosts.cli_options import actor_option, db_option, transcripts_option
from simulator.settings import settings

XAPI_BASE = "https://attunement.invalid/xapi"


def _database_if_any(db_url: str | None) -> Any:
    """The course database when one is named or the default one exists; else None."""
    from simulator.service.courses import default_url, open_database

    if db_url or settings().db:
        return open_database(db_url)
    default = default_url()
    if Path(default.removeprefix("sqlite:///")).is_file():
        return open_database(default)
    return None


@click.command()
@transcripts_option
@db_option
@actor_option
def verify(
    files: tuple[Path, ...], session_ids: tuple[str, ...], db_url: str | None, actor: str | None
) -> None:
    """Say whether transcripts are intact, and where they were changed if not.

    FILES are transcripts written by `attune play`, `attune autoplay` or `attune export`. When the
    course database has the same session, the file is also compared with its copy there.
    Exit 0: all intact; 1: something was changed; 2: a file or session cannot be found.
    """
    from simulator.service.trust import verify_against_database, verify_file, verify_stored

    if not files and not session_ids:
        raise click.UsageError("name a transcript file, or --session ID")
    db = _database_if_any(db_url) if files else None
    changed = False
    for path in files:
        verdict = verify_file(path)
        findings, note = verdict.findings, ""
        if verdict.intact and db is not None:
            from simulator.service.play import load_transcript

            findings, note = verify_against_database(db, path, load_transcript(path).transcript)
        if findings:
            changed = True
            for problem in findings:
                click.echo(f"CHANGED  {problem.render()}")
        else:
            click.echo(f"intact   {verdict.render()}" + (f"; {note}" if note else ""))
    if session_ids:
        from simulator.service.courses import (
            full_session_id,
            load_transcript_from_db,
            may_read_transcript,
            open_database,
        )

        stored_db = db or open_database(db_url)
        viewer = who(stored_db, actor)
        for given in session_ids:
            sid = full_session_id(stored_db, given)
            with contextlib.suppress(KeyError):  # verify_stored says it is missing
                may_read_transcript(viewer, load_transcript_from_db(stored_db, sid).trainee)
            verdict = verify_stored(stored_db, sid)
            changed |= not verdict.intact
            click.echo(("intact   " if verdict.intact else "CHANGED  ") + verdict.render())
    sys.exit(1 if changed else 0)


def _damaged(session_id: str, why: str) -> None:
    click.echo(
        f"warning: session {session_id} is damaged and left out of this export: {why} "
        f"(`attune verify --session {session_id}` says more)",
        err=True,
    )


def _sources(
    files: tuple[Path, ...],
    session_ids: tuple[str, ...],
    cohort: str | None,
    db_url: str | None,
    actor: str | None,
) -> list[Any]:
    """(transcript, vignette, integrity line) for every file, stored session and cohort session."""
    from simulator.service.courses import vignette_for
    from simulator.service.play import load_transcript

    out = []
    for path in files:
        t = load_transcript(path).transcript
        out.append((t, vignette_for(t, str(path))))
    if session_ids or cohort:
        from simulator.service.courses import (
            full_session_id,
            list_transcripts,
            may_read_transcript,
            open_database,
            stored_transcript,
        )

        db = open_database(db_url)
        viewer = who(db, actor)
        named = [full_session_id(db, given) for given in session_ids]
        ids = list(named)
        if cohort:
            ids += [
                x.session_id
                for x in list_transcripts(db, cohort=cohort, limit=100_000, viewer=viewer)
            ]
        for sid in ids:
            t = stored_transcript(db, sid)
            may_read_transcript(viewer, t.trainee)
            try:
                out.append((t, vignette_for(t, f"session {sid}", db)))
            except AttuneError as exc:
                if not cohort or sid in named:
                    raise
                _damaged(sid, exc.problems[0].message)  # one session never breaks a cohort
    from simulator.service.courses import integrity_line

    stored = len(files)  # the ones after the files were read from the database
    return [(t, v, integrity_line(t), i >= stored) for i, (t, v) in enumerate(out)]


@click.command()
@transcripts_option
@click.option(
    "--cohort", help="Every session of this cohort (and, for --format html, the cohort report)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "html", "xapi"]),
    help="csv: one row per choice; json: the sealed transcript; html: printable reports; xapi: statements.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="A file, or a folder for one file per transcript (default: standard output).",
)
@click.option(
    "--lrs",
    metavar="URL",
    help="With --format xapi: POST the statements to this learning record store.",
)
@click.option(
    "--lrs-auth",
    default=lambda: settings().lrs_auth,
    metavar="USER:PASSWORD",
    help="The LRS's basic-auth key and secret (or ATTUNE_LRS_AUTH).",
)
@click.option(
    "--retry", is_flag=True, help="Send the statements kept in the outbox after a failed --lrs."
)
@click.option(
    "--pass-mark",
    type=click.IntRange(0, 100),
    default=60,
    show_default=True,
    help="xAPI passed/failed cut-off (provisional).",
)
@click.option(
    "--activity-base",
    default=lambda: settings().xapi_base or XAPI_BASE,
    show_default=XAPI_BASE,
    help="The IRI that xAPI activity ids start with.",
)
@db_option
@actor_option
def export(
    files: tuple[Path, ...],
    session_ids: tuple[str, ...],
    cohort: str | None,
    fmt: str | None,
    out: Path | None,
    lrs: str | None,
    lrs_auth: str | None,
    retry: bool,
    pass_mark: int,
    activity_base: str,
    db_url: str | None,
    actor: str | None,
) -> None:
    """Export transcripts as CSV, JSON, printable HTML or xAPI statements."""
    import json

    from simulator.service.scores import RouteError, default_rubric
    from simulator.service.trust import export as ex

    if retry:
        from simulator.service.trust import lrs as outbox

        if not lrs:
            raise click.UsageError("--retry needs --lrs URL")
        sent = outbox.flush(lrs, lrs_auth)
        click.echo(f"sent {sent} kept statement(s) to {lrs}")
        if not (files or session_ids or cohort):
            return
    if not (files or session_ids or cohort):
        raise click.UsageError("name transcript files, --session ID or --cohort NAME")
    if fmt is None:
        raise click.UsageError("choose --format csv, json, html or xapi")
    rubric = default_rubric()
    sources = _sources(files, session_ids, cohort, db_url, actor)
    # scoring a whole cohort takes a while: show progress (on standard error, not in the export)
    with click.progressbar(
        sources, label="Scoring transcripts", file=sys.stderr, hidden=len(sources) < 20
    ) as bar:
        items = []
        from_db = set()
        for t, v, integrity, stored in bar:
            if stored:
                from_db.add(t.session_id)
            try:
                items.append((ex.scored(t, v, rubric), integrity))
            except RouteError as exc:
                if not cohort:
                    raise AttuneError.single(
                        f"session {t.session_id}",
                        f"its choices do not fit vignette '{v.id}': {exc.message}",
                        hint=exc.hint,
                    ) from None
                _damaged(t.session_id, f"its choices do not fit vignette '{v.id}': {exc.message}")

    if not items:
        click.echo(
            "warning: nothing to export: no transcript matched"
            + (
                f" in cohort '{cohort}' that you may read (--as NAME says who you are)"
                if cohort
                else ""
            ),
            err=True,
        )
        sys.exit(1)
    from simulator.service.trust import attach_judgements

    attach_judgements([s for s, _ in items], db_url, from_db, rubric)
    # a folder when several files come out (several transcripts, or a cohort's HTML reports),
    # unless --out names a file (it has a suffix): then exactly that file is written
    names_a_file = out is not None and not out.is_dir() and bool(out.suffix)
    as_dir = out is not None and (
        out.is_dir()
        or (
            not names_a_file
            and fmt in ("json", "html")
            and (len(items) > 1 or (fmt == "html" and cohort))
        )
    )
    if names_a_file and fmt == "json" and len(items) > 1:
        raise AttuneError.single(
            str(out),
            f"{len(items)} transcripts cannot go into one JSON file",
            hint="name a folder with --out, and each transcript gets its own file",
        )
    if as_dir and out is not None:
        out.mkdir(parents=True, exist_ok=True)

    def write(text: str, name: str | None = None) -> None:
        if out is None:
            click.echo(text, nl=False)
            return
        target = out / name if name and as_dir else out
        if as_dir and not target.resolve().is_relative_to(out.resolve()):
            raise AttuneError.single(
                str(out), f"refusing to write '{name}' outside this folder", hint="rename it"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        click.echo(f"wrote {target}", err=True)

    if fmt == "csv":
        write(ex.to_csv([s for s, _ in items]))
    elif fmt == "json":
        for s, _ in items:
            write(s.transcript.to_json(), f"{s.transcript.session_id}.json")
            if s.judgement is not None and out is not None:
                # the sealed transcript stays byte for byte; the judgement goes beside it
                review = json.dumps(s.judgement.as_json(), indent=2) + "\n"
                if as_dir:
                    write(review, f"{s.transcript.session_id}.review.json")
                else:
                    side = out.with_name(f"{out.stem}.review.json")
                    side.write_text(review, encoding="utf-8")
                    click.echo(f"wrote {side}", err=True)
    elif fmt == "html":
        if cohort:
            from simulator.service.courses import open_database

            db = open_database(db_url)
            reviewer(db, actor, "export cohort reports")
            write(ex.cohort_html(db, cohort), f"cohort-{cohort}.html".replace("/", "-"))
        for s, integrity in items:
            if cohort and not as_dir:
                break  # to standard output or the file named, the cohort report alone
            write(ex.transcript_html(s, rubric, integrity), f"{s.transcript.session_id}.html")
    else:
        statements = [
            st
            for s, _ in items
            for st in ex.xapi_statements(s, base=activity_base, pass_mark=pass_mark)
        ]
        if out is not None or not lrs:
            write(json.dumps(statements, indent=2, ensure_ascii=False) + "\n", "statements.json")
        if lrs:
            from simulator.service.trust import lrs as outbox

            sent = outbox.send(lrs, statements, lrs_auth)
            click.echo(f"sent {sent} statement(s) to {lrs}", err=True)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--public-url",
    help="The address browsers and an LMS reach this server at, behind a reverse proxy "
    "(e.g. https://attune.example.edu); default http://HOST:PORT.",
)
@db_option
def serve(host: str, port: int, public_url: str | None, db_url: str | None) -> None:
    """Run the simulator in a web browser (textual-serve). With a course database where people
    have passwords, everyone logs in first, and sees only what their role allows. With an LMS
    registered (`attune lti register`), it is also the LTI 1.3 tool."""
    import shlex

    from simulator.service.courses import open_database

    open_database(db_url)  # a bad URL or an unreachable server is reported here, not in the browser
    import socket

    from simulator.errors import AttuneError

    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise AttuneError.single(
                f"attune serve {host}:{port}",
                f"cannot listen there: {exc.strerror}",
                hint="another program has this port; choose another with --port",
            ) from None
    import gc

    from simulator.hosts.tui.web import AttuneServer

    gc.enable()  # a long-running server needs the collector (the entry point paused it)
    command, env = served_command(db_url, dict(os.environ))
    os.environ.update(env)  # each browser's app is a child of the server, with its environment
    url = (public_url or f"http://{host}:{port}").rstrip("/")
    click.echo(f"attunement at {url} (Ctrl+C stops it)", err=True)
    AttuneServer(
        shlex.join(command), db_url=db_url, host=host, port=port, title="attunement", public_url=url
    ).serve()


def served_command(db_url: str | None, env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """The command each browser's app runs, and its environment. The database URL, which may
    hold a password, goes through the environment, never the command line (which any user of
    the machine can read in the process list)."""
    if db_url:
        env = {**env, "ATTUNE_DB": db_url}
    return [sys.executable, "-m", "simulator", "play", "--served"], env


COMMANDS = (verify, export, serve)
