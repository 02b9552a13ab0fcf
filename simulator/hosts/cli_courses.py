"""`attune cohort`, `attune assign`, `attune progress` and `attune sync`: courses on the database."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from simulator.hosts.cli_options import actor_option, db_option
from simulator.settings import settings


def acting(actor: str | None) -> str:
    from simulator.service.courses import acting_name

    return acting_name(actor)


def _open(db_url: str | None) -> Any:
    from simulator.service.courses import open_database

    return open_database(db_url)


def who(db: Any, actor: str | None, bootstrap: bool = False) -> Any:
    """The acting person (`auth.identify`): in shared mode, with their password."""
    from simulator.service.courses import identify

    return identify(db, actor, _ask_password, bootstrap)


def _ask_password(name: str) -> str:
    return str(click.prompt(f"Password for {name}", hide_input=True, err=True))


def leader(db: Any, actor: str | None, what: str, bootstrap: bool = False) -> Any:
    """The acting person, who must be a course leader when logins are on."""
    from simulator.service.courses import require

    ident = who(db, actor, bootstrap)
    if ident.authenticated:
        require(ident, "course_leader", what=what)
    return ident


def reviewer(db: Any, actor: str | None, what: str) -> Any:
    """The acting person, who must be an assessor or course leader when logins are on."""
    from simulator.service.courses import require

    ident = who(db, actor)
    if ident.authenticated:
        require(ident, "assessor", "course_leader", what=what)
    return ident


@click.group()
def cohort() -> None:
    """Cohorts: the trainees, course leaders and assessors of one course."""


@cohort.command("create")
@click.argument("name")
@db_option
@actor_option
def cohort_create(name: str, db_url: str | None, actor: str | None) -> None:
    """Create a cohort."""
    from simulator.service.courses import create_cohort

    db = _open(db_url)
    create_cohort(db, name, leader(db, actor, "create cohorts").name)
    click.echo(f"created cohort '{name}'")


@cohort.command("add")
@click.argument("name")
@click.argument("people", nargs=-1, required=True)
@click.option(
    "--role",
    type=click.Choice(["trainee", "course_leader", "assessor"]),
    default="trainee",
    show_default=True,
    help="The role of people not yet registered.",
)
@db_option
@actor_option
def cohort_add(
    name: str, people: tuple[str, ...], role: str, db_url: str | None, actor: str | None
) -> None:
    """Add people to cohort NAME (registering them with --role if they are new)."""
    from simulator.service.courses import add_members

    db = _open(db_url)
    added = add_members(db, name, list(people), role, leader(db, actor, "add people").name)
    click.echo(f"added {added} to '{name}' ({len(people) - added} already there)")


@cohort.command("remove")
@click.argument("name")
@click.argument("people", nargs=-1, required=True)
@db_option
@actor_option
def cohort_remove(
    name: str, people: tuple[str, ...], db_url: str | None, actor: str | None
) -> None:
    """Take people out of cohort NAME (their sessions and transcripts are kept)."""
    from simulator.service.courses import remove_members

    db = _open(db_url)
    remove_members(db, name, list(people), leader(db, actor, "remove people").name)
    click.echo(f"removed {', '.join(people)} from '{name}' (their sessions are kept)")


@cohort.command("delete")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@db_option
@actor_option
def cohort_delete(name: str, yes: bool, db_url: str | None, actor: str | None) -> None:
    """Delete cohort NAME with its memberships and assignments. Transcripts are kept."""
    from simulator.service.courses import cohort_info, delete_cohort

    db = _open(db_url)
    who_ = leader(db, actor, "delete cohorts")
    info = cohort_info(db, name)  # an unknown cohort is an error before anything is asked
    if not yes and not click.confirm(
        f"Delete cohort '{name}' ({len(info.people)} people, {len(info.assignments)} "
        "assignment(s))? Its sessions and transcripts are kept.",
        err=True,
    ):
        click.echo("nothing deleted", err=True)
        sys.exit(1)
    kept = delete_cohort(db, name, who_.name)
    click.echo(f"deleted cohort '{name}' ({kept} session(s) kept, no longer in a cohort)")


@cohort.command("list")
@db_option
@actor_option
def cohort_list(db_url: str | None, actor: str | None) -> None:
    """List the cohorts."""
    from simulator.service.courses import list_cohorts

    db = _open(db_url)
    reviewer(db, actor, "list cohorts")
    rows = list_cohorts(db)
    if not rows:
        click.echo("no cohorts yet: create one with `attune cohort create NAME`")
    for name, n_people, n_assign in rows:
        click.echo(f"{name}  {n_people} people, {n_assign} assignment(s)")


@cohort.command("show")
@click.argument("name")
@db_option
@actor_option
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def cohort_show(name: str, db_url: str | None, actor: str | None, as_json: bool) -> None:
    """Show a cohort's people and assignments."""
    from simulator.service.courses import cohort_info

    db = _open(db_url)
    reviewer(db, actor, "see cohorts")
    info = cohort_info(db, name)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "name": info.name,
                    "created_at": info.created_at,
                    "people": [{"name": n, "role": r} for n, r in info.people],
                    "assignments": info.assignments,
                },
                indent=2,
            )
        )
        return
    click.echo(f"{info.name} (created {info.created_at[:10]})")
    for n, r in info.people:
        click.echo(f"  {r:<14} {n}")
    for a in info.assignments:
        rationale = ", rationale required" if a["rationale_required"] else ""
        click.echo(
            f"  assignment: {a['vignette_id']} ({a['mode']}, due {a['due'] or 'no date'}, "
            f"{a['attempts']} attempt(s){rationale})"
        )


@click.command()
@click.argument("cohort_name", metavar="COHORT")
@click.argument("vignette", type=click.Path(path_type=Path))
@click.option(
    "--mode", type=click.Choice(["practice", "assessment"]), default="assessment", show_default=True
)
@click.option(
    "--due",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Due date, as YYYY-MM-DD.",
)
@click.option(
    "--attempts",
    type=click.IntRange(min=1, max=100),
    default=1,
    show_default=True,
    help="How many sessions a trainee may start.",
)
@click.option(
    "--require-rationale/--no-require-rationale",
    default=False,
    show_default=True,
    help="Whether each choice needs a rationale note.",
)
@click.option(
    "--own-words/--no-own-words",
    default=False,
    show_default=True,
    help="Trainees type what they would say before the options appear (recall before recognition).",
)
@db_option
@actor_option
def assign(
    cohort_name: str,
    vignette: Path,
    mode: str,
    due: datetime | None,
    attempts: int,
    require_rationale: bool,
    own_words: bool,
    db_url: str | None,
    actor: str | None,
) -> None:
    """Assign VIGNETTE (a shipped id or a file) to COHORT. Assigning it again updates it."""
    from simulator.service.courses import assign as do_assign
    from simulator.service.library import open_vignette

    db = _open(db_url)
    who_ = leader(db, actor, "assign vignettes")
    _, v = open_vignette(vignette, db_url)
    do_assign(
        db,
        cohort_name,
        v.id,
        mode=mode,
        due=due.date() if due else None,
        attempts=attempts,
        rationale_required=require_rationale,
        actor=who_.name,
        own_words=own_words,
    )
    when = f", due {due.date().isoformat()}" if due else ""
    words = ", own words first" if own_words else ""
    click.echo(f"assigned '{v.id}' to '{cohort_name}' ({mode}{when}, {attempts} attempt(s){words})")
    if due and due.date() < date.today():
        click.echo(
            f"warning: the due date {due.date().isoformat()} is in the past: it is overdue for "
            "everyone at once (assign again with a later --due to change it)",
            err=True,
        )


@click.command()
@click.argument("cohort_name", metavar="COHORT")
@click.argument("vignette_id", metavar="VIGNETTE")
@db_option
@actor_option
def unassign(cohort_name: str, vignette_id: str, db_url: str | None, actor: str | None) -> None:
    """Withdraw VIGNETTE from COHORT. Sessions played on it are kept, as practice."""
    from simulator.service.courses import unassign as do_unassign

    db = _open(db_url)
    do_unassign(db, cohort_name, vignette_id, leader(db, actor, "withdraw assignments").name)
    click.echo(f"withdrew '{vignette_id}' from '{cohort_name}' (sessions played on it are kept)")


@click.group()
def library() -> None:
    """Course vignettes in the course database: every trainee who shares it can play them."""


@library.command("add")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@db_option
@actor_option
def library_add(file: Path, db_url: str | None, actor: str | None) -> None:
    """Validate FILE and store it as the next version of its vignette (course leaders)."""
    from simulator.service.library import add_to_library

    db = _open(db_url)
    author = leader(db, actor, "add vignettes to the library").name
    added = add_to_library(file, db, author)
    s = added.stored
    if added.new:
        click.echo(
            f"stored '{s.vignette_id}' version {s.version} (sha256 {s.sha256[:12]}), by {author}"
        )
    else:
        click.echo(f"'{s.vignette_id}' version {s.version} has exactly this text: nothing added")


@library.command("list")
@click.option("--removed", is_flag=True, help="Also list removed vignettes.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@db_option
@actor_option
def library_list(removed: bool, as_json: bool, db_url: str | None, actor: str | None) -> None:
    """List the course vignettes, newest version of each (course leaders and assessors)."""
    from simulator.service.library import current

    db = _open(db_url)
    reviewer(db, actor, "list the course library")
    rows = current(db, include_removed=removed)
    if as_json:
        click.echo(
            json.dumps(
                [{k: v for k, v in s._asdict().items() if k != "source"} for s in rows], indent=2
            )
        )
        return
    if not rows:
        click.echo("no course vignettes yet: add one with `attune library add FILE`")
    for s in rows:
        gone = f", removed {s.removed_at[:10]}" if s.removed_at else ""
        click.echo(
            f"{s.vignette_id}  version {s.version}  {s.title}  (sha256 {s.sha256[:12]}, "
            f"by {s.author or 'unknown'}, {s.added_at[:10]}{gone})"
        )


@library.command("remove")
@click.argument("vignette_id", metavar="ID")
@db_option
@actor_option
def library_remove(vignette_id: str, db_url: str | None, actor: str | None) -> None:
    """Take a course vignette out of the library (course leaders). Its versions are kept, so
    sessions played on it still score."""
    from simulator.errors import AttuneError
    from simulator.service.library import remove

    db = _open(db_url)
    who_ = leader(db, actor, "remove vignettes from the library")
    if not remove(db, vignette_id, who_.name):
        raise AttuneError.single(
            f"library '{vignette_id}'",
            "no course vignette of that id is in the library",
            hint="`attune library list` shows the ids",
        )
    click.echo(f"removed '{vignette_id}' from the library (its versions are kept for scoring)")


@click.command()
@click.argument("cohort_name", metavar="COHORT")
@db_option
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Judge what is overdue as of this date (default: today).",
)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@actor_option
def progress(
    cohort_name: str, db_url: str | None, today: datetime | None, as_json: bool, actor: str | None
) -> None:
    """Who in COHORT has done what, their best scores, and what is overdue."""
    from simulator.service.courses import progress as get_progress

    db = _open(db_url)
    reviewer(db, actor, "see a cohort's progress")
    rows = get_progress(db, cohort_name, today.date() if today else date.today())
    if as_json:
        click.echo(json.dumps([r.__dict__ for r in rows], indent=2))
        return
    if not rows:
        click.echo(f"'{cohort_name}' has no trainees or no assignments yet")
        return
    header = f"{'trainee':<20} {'vignette':<12} {'due':<10} {'attempts':<9} {'best':<22} status"
    click.echo(header)
    click.echo("-" * len(header))
    for r in rows:
        best = f"{r.best} {r.best_band} (provisional)" if r.best is not None else "—"
        if r.best_with_overrides:
            best += " *"
        click.echo(
            f"{r.trainee:<20} {r.vignette_id:<12} {r.due or '—':<10} "
            f"{r.used}/{r.attempts:<7} {best:<22} {r.status}"
        )
    if any(r.best_with_overrides for r in rows):
        click.echo("* with an assessor's overrides (the review shows the scorer's own score too)")
    overdue = sum(r.status == "overdue" for r in rows)
    click.echo(f"\n{overdue} overdue." if overdue else "\nNothing overdue.")


@click.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
def sync(files: tuple[Path, ...], db_url: str | None) -> None:
    """Store in the database any saved session it is missing (after a locked or unreachable
    database). FILES are transcript files (default: every session saved in your data folder)."""
    from simulator.service.courses import journal_files, shared_mode, sync_journals

    db = _open(db_url)
    owner = actor = None
    if shared_mode(db):  # the write gate: a trainee stores only their own sessions
        identity = who(db, None)
        actor = identity.name
        owner = None if identity.role == "course_leader" else identity.name
    todo = list(files) or journal_files()
    with click.progressbar(
        length=len(todo), label="Checking saved sessions", file=sys.stderr
    ) as bar:
        stored, problems = sync_journals(
            db, todo, tick=lambda: bar.update(1), owner=owner, actor=actor
        )
    for p in problems:
        click.echo(p.render(), err=True)
    click.echo(f"stored {stored} session(s) in the database")
    if problems:
        raise SystemExit(1)


@click.command()
@click.option("--cohort", help="Only this cohort's transcripts.")
@click.option("--vignette", help="Only this vignette's transcripts (its id).")
@click.option("--trainee", help="Only this trainee's transcripts.")
@click.option(
    "--status",
    type=click.Choice(["in progress", "to review", "competent", "not yet"]),
    help="Only transcripts with this status.",
)
@click.option(
    "--practice", is_flag=True, help="Practice sessions played outside any cohort, instead."
)
@db_option
@actor_option
def review(
    cohort: str | None,
    vignette: str | None,
    trainee: str | None,
    status: str | None,
    practice: bool,
    db_url: str | None,
    actor: str | None,
) -> None:
    """Review trainees' transcripts: comment, override, sign off (assessors and course leaders)."""
    from simulator.service.courses import require_reviewer

    db = _open(db_url)
    ident = reviewer(db, actor, "review transcripts")
    require_reviewer(db, ident.name)
    from simulator.hosts.tui.app import make_app

    filters = {
        "cohort": cohort,
        "vignette": vignette,
        "trainee": trainee,
        "status": status,
        "sessions": "practice" if practice else None,
    }
    make_app(review=filters, reviewer=ident.name, db_url=db_url).run()


@click.command()
@click.argument("cohort_name", metavar="[COHORT]", required=False)
@click.option("--vignette", help="Only this vignette (its id); needed for --map.")
@click.option("--top", type=click.IntRange(min=1), default=15, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print every decision point as JSON.")
@click.option(
    "--map",
    "map_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the vignette map with the hot spots shaded (needs --vignette).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "dot"]),
    default="mermaid",
    show_default=True,
    help="The map's format.",
)
@db_option
@actor_option
def hotspots(
    cohort_name: str | None,
    vignette: str | None,
    top: int,
    as_json: bool,
    map_out: Path | None,
    fmt: str,
    db_url: str | None,
    actor: str | None,
) -> None:
    """Decision points where trainees most often pushed or left a rupture unrepaired."""
    from simulator.service.courses import hot_spots

    if map_out and not vignette:
        raise click.UsageError("--map needs --vignette: which vignette's map to shade")
    db = _open(db_url)
    reviewer(db, actor, "see cohort analytics")
    spots = hot_spots(db, cohort_name, vignette)
    if as_json:
        click.echo(
            json.dumps(
                [s.__dict__ | {"push_rate": s.push_rate, "heat": s.heat} for s in spots], indent=2
            )
        )
    elif not spots:
        click.echo("no choices recorded yet" + (f" in '{cohort_name}'" if cohort_name else ""))
    else:
        click.echo(f"{'vignette/beat':<34} {'choices':>7} {'pushed':>13} {'unrepaired':>13}")
        for h in spots[:top]:
            click.echo(
                f"{h.vignette_id + '/' + h.beat:<34} {h.choices:>7} "
                f"{h.pushes:>6} ({h.push_rate:>4.0%}) {h.unrepaired:>6} ({h.unrepaired_rate:>4.0%})"
            )
        if len(spots) > top:
            click.echo(f"... and {len(spots) - top} more decision points (--top N, or --json)")
    if map_out and vignette:
        from simulator.service.library import open_vignette, to_dot, to_mermaid

        _, v = open_vignette(Path(vignette), db_url)
        heat = {
            h.beat: (
                h.heat,
                f"pushed {h.push_rate:.0%}, unrepaired {h.unrepaired_rate:.0%}, n={h.choices}",
            )
            for h in spots
            if h.vignette_id == v.id
        }
        text = (to_mermaid if fmt == "mermaid" else to_dot)(v, heat=heat)
        map_out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {map_out}: {len(heat)} decision point(s) shaded", err=True)


@click.command()
@click.argument("cohort_name", metavar="[COHORT]", required=False)
@db_option
@actor_option
def scores(cohort_name: str | None, db_url: str | None, actor: str | None) -> None:
    """Distributions of finished sessions' overall scores, per vignette (bands are provisional)."""
    from simulator.service.courses import histogram, score_distributions

    db = _open(db_url)
    reviewer(db, actor, "see cohort analytics")
    found = score_distributions(db, cohort_name)
    if not found:
        click.echo("no finished sessions yet")
    for d in found:
        mean = f", mean {d.mean:.0f}" if d.mean is not None else ""
        click.echo(f"{d.vignette_id}: {d.sessions} finished session(s){mean}")
        for line in histogram(d):
            click.echo(line)


@click.command()
@click.option(
    "--session", "session_id", metavar="ID", help="One session in full (a short id works)."
)
@click.option("--trainee", help="Course leaders and assessors: this trainee's sessions.")
@db_option
@actor_option
def history(
    session_id: str | None, trainee: str | None, db_url: str | None, actor: str | None
) -> None:
    """Your past sessions, with the assessor's comments and sign-off."""
    from simulator.service.courses import (
        full_session_id,
        judgement_text,
        list_transcripts,
        load_review,
    )
    from simulator.service.scores import default_rubric, render_report

    db = _open(db_url)
    viewer = who(db, actor)
    whose = trainee if trainee and viewer.reviewer else viewer.name
    rubric = default_rubric()
    if session_id:
        review = load_review(db, full_session_id(db, session_id), rubric, viewer)
        click.echo(render_report(review.original, review.vignette, rubric), nl=False)
        click.echo("\nThe assessor's judgement\n" + judgement_text(review))
        return
    rows = list_transcripts(db, trainee=whose, viewer=viewer)
    if not rows:
        click.echo(f"no sessions of {whose} in the course database yet")
        return
    for r in rows:
        judged = load_review(db, r.session_id, rubric, viewer).judgement() if r.ended_at else None
        if judged is None:
            score = "unfinished"
        elif judged.overrides:
            score = f"{judged.overall}/100 with overrides (scorer {judged.machine_overall})"
        else:
            score = f"{judged.machine_overall}/100"
        status = judged.status if judged is not None else "in progress"
        click.echo(
            f"{r.started_at[:16].replace('T', ' ')}  {r.session_id[:8]}  {r.vignette_id:<10} "
            f"{r.mode:<10}  {score:<40}  {status}"
        )
    click.echo("\n`attune history --session ID` shows one session with the assessor's comments.")


@click.group()
def user() -> None:
    """People and their passwords. Once anyone has a password, everyone logs in."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["trainee", "course_leader", "assessor"]), required=True)
@db_option
@actor_option
def user_add(name: str, role: str, db_url: str | None, actor: str | None) -> None:
    """Register a person with a role."""
    from simulator.service.courses import ensure_person

    db = _open(db_url)
    ident = leader(db, actor, "register people", bootstrap=True)
    with db.begin() as conn:
        ensure_person(conn, name, role, ident.name)
    click.echo(f"registered {name} as {role.replace('_', ' ')}")


@user.command("passwd")
@click.argument("name")
@db_option
@actor_option
def user_passwd(name: str, db_url: str | None, actor: str | None) -> None:
    """Set NAME's password (asks twice; or ATTUNE_NEW_PASSWORD). The first password turns logins on."""
    from simulator.service.courses import logins_enabled, set_password

    db = _open(db_url)
    ident = who(db, actor) if logins_enabled(db) else None
    new = settings().new_password or click.prompt(
        f"New password for {name}", hide_input=True, confirmation_prompt=True, err=True
    )
    set_password(db, name, new, ident)
    click.echo(f"password set for {name}; logins are on for this database")


COMMANDS = (
    cohort,
    assign,
    unassign,
    library,
    history,
    progress,
    sync,
    review,
    hotspots,
    scores,
    user,
)
