"""`attune lti`: register LMS platforms, show what the LMS administrator pastes into the LMS, and
send grades that are waiting (LTI 1.3; `attune serve` is the tool)."""

from __future__ import annotations

import click

from simulator.hosts.cli_courses import _open, leader
from simulator.hosts.cli_options import actor_option, db_option

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


@click.group()
def lti() -> None:
    """Connect attunement to an LMS (Moodle, Canvas, Blackboard, Brightspace) as an LTI 1.3
    tool: launches from the LMS, activities picked by deep linking, grades sent back."""
    from simulator.service.lti import require_jwt

    require_jwt()


@lti.command("register")
@click.option("--issuer", required=True, help="The platform's issuer (iss), e.g. its base URL.")
@click.option("--client-id", required=True, help="The client id the LMS gave this tool.")
@click.option(
    "--deployment-id",
    "deployments",
    required=True,
    multiple=True,
    help="A deployment id the LMS gave this tool; repeat it for more than one.",
)
@click.option("--auth-url", required=True, help="The platform's OIDC authorisation URL.")
@click.option("--token-url", required=True, help="The platform's OAuth 2 access-token URL.")
@click.option("--jwks-url", required=True, help="The platform's public keyset (JWKS) URL.")
@db_option
@actor_option
def lti_register(
    issuer: str,
    client_id: str,
    deployments: tuple[str, ...],
    auth_url: str,
    token_url: str,
    jwks_url: str,
    db_url: str | None,
    actor: str | None,
) -> None:
    """Store a platform in the course database (again, to add deployments or change URLs)."""
    from simulator.service.lti import register, signing_key

    db = _open(db_url)
    ident = leader(db, actor, "register LMS platforms")
    found = register(
        db,
        issuer=issuer,
        client_id=client_id,
        deployments=list(deployments),
        auth_url=auth_url,
        token_url=token_url,
        jwks_url=jwks_url,
        actor=ident.name,
    )
    signing_key(db)  # the tool's key pair, made once
    click.echo(
        f"registered {found.issuer} (client {found.client_id}; "
        f"deployments {', '.join(found.deployments)})"
    )
    click.echo("next: attune lti show --public-url URL, and paste its URLs into the LMS")


@lti.command("show")
@click.option(
    "--public-url",
    default=DEFAULT_PUBLIC_URL,
    show_default=True,
    help="The address the LMS reaches `attune serve` at (https behind a reverse proxy).",
)
@db_option
def lti_show(public_url: str, db_url: str | None) -> None:
    """What the LMS administrator pastes into the LMS's tool registration."""
    from simulator.service.lti import signing_key, tool_urls

    kid, _ = signing_key(_open(db_url))
    urls = tool_urls(public_url)
    click.echo(f"Login initiation URL:   {urls['login']}")
    click.echo(f"Launch (redirect) URL:  {urls['launch']}")
    click.echo(f"Deep-linking URL:       {urls['deeplink']}")
    click.echo(f"Public keyset (JWKS):   {urls['jwks']}  (key id {kid})")
    click.echo(f"Redirect URIs:          {urls['launch']}")
    click.echo(f"                        {urls['deeplink']}")
    click.echo("Services: Assignment and Grade Services (scores, line items); Deep Linking.")


@lti.command("list")
@db_option
def lti_list(db_url: str | None) -> None:
    """The registered platforms."""
    from simulator.service.lti import platforms

    found = platforms(_open(db_url))
    if not found:
        click.echo("no platforms registered (attune lti register --issuer ...)")
    for p in found:
        click.echo(f"{p.issuer}  client {p.client_id}  deployments {', '.join(p.deployments)}")
        click.echo(f"    auth {p.auth_url}\n    token {p.token_url}\n    jwks {p.jwks_url}")


@lti.command("remove")
@click.option("--issuer", required=True)
@click.option("--client-id", help="Which registration, when one issuer has several.")
@db_option
@actor_option
def lti_remove(issuer: str, client_id: str | None, db_url: str | None, actor: str | None) -> None:
    """Forget a platform: its launches stop. People, cohorts and sessions stay."""
    from simulator.service.lti import remove

    db = _open(db_url)
    ident = leader(db, actor, "remove LMS platforms")
    remove(db, issuer, client_id, ident.name)
    click.echo(f"removed {issuer}")


@lti.command("rotate-key")
@db_option
@actor_option
def lti_rotate_key(db_url: str | None, actor: str | None) -> None:
    """Make a new signing key; the old one stays published for a day."""
    from simulator.service.lti import rotate_key

    db = _open(db_url)
    ident = leader(db, actor, "rotate the tool's key")
    click.echo(f"new signing key {rotate_key(db, ident.name)}")


@lti.command("retry")
@db_option
def lti_retry(db_url: str | None) -> None:
    """Send the grades waiting in the outbox (those the LMS refused or did not answer)."""
    from simulator.service.lti import retry

    sent, waiting = retry(_open(db_url))
    click.echo(f"sent {sent} grade(s); {len(waiting)} waiting")
    for p in waiting:
        click.echo(f"  session {p.session_id[:8]} to {p.issuer}: {p.last_error} ({p.tries} tries)")
    if waiting:
        raise SystemExit(1)
