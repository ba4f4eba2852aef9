"""Flask commands for LTI 1.3: the tool's key, platform registrations and the score outbox (cron)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app, url_for
from flask.cli import AppGroup

from ..db import get_session
from ..models import utcnow
from ..services.errors import InvalidInput
from ..services.lti import delivery, registrations, scores, tool_key


@click.group("lti", cls=AppGroup, help="LTI 1.3: launches from an LMS and scores back to its gradebook.")
def lti_group() -> None:
    pass


def _key_path() -> Path:
    return Path(current_app.config["LTI_KEY_FILE"])


@lti_group.command("generate-key")
@click.option("--replace", is_flag=True, help="Make a new key even if there is one (every LMS then refetches it).")
def generate_key(replace: bool) -> None:
    """Make the tool's RSA key (ELEARNING_LTI_KEY_FILE) if there is none yet; print its key id."""
    existed = _key_path().exists()
    key = tool_key.generate(_key_path(), replace=replace)
    state = "kept the existing" if existed and not replace else "made a new"
    click.echo(f"{state} tool key {key.kid} in {_key_path()}")


@lti_group.command("register")
@click.option("--name", required=True, help="A name for the LMS, for example Moodle.")
@click.option("--issuer", required=True, help="The platform's issuer (platform ID).")
@click.option("--client-id", required=True, help="The client ID the LMS gave this tool.")
@click.option("--deployment-id", "deployment_ids", multiple=True, required=True, help="A deployment ID (repeatable).")
@click.option("--login-url", required=True, help="The platform's authentication request URL.")
@click.option("--token-url", required=True, help="The platform's access token URL.")
@click.option("--jwks-url", required=True, help="The platform's public keyset URL.")
def register(
    name: str,
    issuer: str,
    client_id: str,
    deployment_ids: tuple[str, ...],
    login_url: str,
    token_url: str,
    jwks_url: str,
) -> None:
    """Register an LMS (or update the one with the same issuer and client ID); makes the tool key if needed."""
    session = get_session()
    data = registrations.Registration(name, issuer, client_id, deployment_ids, login_url, token_url, jwks_url)
    try:
        platform, created = registrations.register(session, None, data)
    except InvalidInput as exc:
        raise click.ClickException(str(exc)) from None
    session.commit()
    key = tool_key.generate(_key_path())
    click.echo(f"{'registered' if created else 'updated'} platform {platform.id}: {platform.name}")
    _print_tool(key.kid)


def _print_tool(kid: str | None) -> None:
    base = current_app.config["BASE_URL"]
    with current_app.test_request_context():
        click.echo("tell the LMS's administrator:")
        click.echo(f"  tool URL            {base}/")
        click.echo(f"  initiate login URL  {base}{url_for('lti.login')}")
        click.echo(f"  redirection URI     {base}{url_for('lti.launch')}")
        click.echo(f"  public keyset URL   {base}{url_for('lti.jwks')}")
        click.echo("  custom parameter    module=<module slug>")
    click.echo(f"tool key id: {kid or 'none yet (flask lti generate-key)'}")


@lti_group.command("list")
def list_platforms() -> None:
    """The registered platforms with their score outbox, and the tool's addresses."""
    for row in registrations.overview(get_session(), None):
        p = row.platform
        click.echo(
            f"{p.id}: {p.name} [{'on' if p.active else 'off'}] issuer={p.issuer} client_id={p.client_id} "
            f"deployments={','.join(p.deployment_ids)} learners={row.learners} waiting={row.scores_waiting} "
            f"given_up={row.scores_failed}"
        )
    key = tool_key.load(_key_path())
    _print_tool(key.kid if key else None)


@lti_group.command("send-scores")
@click.option("--limit", default=500, show_default=True, help="At most this many scores in one run.")
def send_scores(limit: int) -> None:
    """Send the queued scores to the LMS gradebooks (run every minute from cron); failures are retried later."""
    key = tool_key.load(_key_path())
    if key is None:
        raise click.ClickException("no tool key: run `flask lti generate-key` and give the LMS the keyset URL")
    session = get_session()
    client = delivery.AgsClient(key)
    counts = dict.fromkeys((delivery.SENT, delivery.RETRY, delivery.FAILED, delivery.SKIPPED), 0)
    for score_id in scores.due(session, utcnow(), limit):
        counts[delivery.deliver(session, score_id, client, utcnow())] += 1
        session.commit()  # one score at a time: a crash halfway loses nothing and sends nothing twice
    click.echo(
        f"sent {counts[delivery.SENT]} score(s); {counts[delivery.RETRY]} to retry later; "
        f"{counts[delivery.FAILED]} given up"
    )
