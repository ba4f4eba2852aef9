"""Flask commands: send the xAPI outbox to the learning record store (cron, systemd timer), export, status, retry."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..db import get_session
from ..models import utcnow
from ..services.errors import InvalidInput
from ..services.xapi import delivery, export
from ..services.xapi.settings import XapiSettings
from ..services.xapi.transport import make_transport


@click.group("xapi", cls=AppGroup, help="xAPI statements for a learning record store (see docs/integrations.md).")
def xapi_group() -> None:
    pass


def _settings() -> XapiSettings | None:
    settings: XapiSettings | None = current_app.extensions.get("xapi")
    return settings


@xapi_group.command("send")
@click.option(
    "--now",
    "now_text",
    default=None,
    help="Act as if it were this moment (ISO 8601, UTC), e.g. to test the backoff; default: now.",
)
def send_command(now_text: str | None) -> None:
    """Send the queued statements that are due; exit 1 when the store failed or refused (they stay queued)."""
    settings = _settings()
    if settings is None:
        click.echo("xAPI is off (ELEARNING_XAPI_ENABLED); nothing sent")
        return
    now = _moment(now_text)
    session = get_session()
    result = delivery.send_pending(session, make_transport(settings), settings, now, commit=session.commit)
    click.echo(
        f"xapi: {result.sent} statement(s) sent to {settings.safe_endpoint}, {result.retried} to retry later, "
        f"{result.given_up} given up; {delivery.pending_count(session)} waiting"
    )
    if result.stopped == delivery.CREDENTIALS:
        click.echo(
            f"the store refused the credentials ({result.reason}); check ELEARNING_XAPI_KEY and "
            "ELEARNING_XAPI_SECRET. The statements stay queued.",
            err=True,
        )
    elif result.stopped == delivery.UNAVAILABLE:
        click.echo(f"the store failed ({result.reason}); the statements are retried later", err=True)
    if not result.ok:
        raise SystemExit(1)


def _moment(text: str | None) -> datetime:
    if not text:
        return utcnow()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a moment; write e.g. 2026-12-01T09:30:00", param_hint="--now"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@xapi_group.command("export")
@click.option("--from", "first", required=True, help="First day (YYYY-MM-DD, UTC).")
@click.option("--to", "last", required=True, help="Last day (YYYY-MM-DD, UTC), included.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the JSON to this file; default: standard output.",
)
def export_command(first: str, last: str, output: Path | None) -> None:
    """The statements of a date range (sent or not) as one JSON array; audited."""
    session = get_session()
    try:
        period = export.parse_range({"from": first, "to": last}, utcnow().date())
    except InvalidInput as exc:
        raise click.ClickException(str(exc)) from None
    chunks = export.statements(session, None, period)
    session.commit()  # the audit event
    if output is None:
        for chunk in chunks:
            click.echo(chunk, nl=False)
        return
    with output.open("w", encoding="utf-8") as stream:
        for chunk in chunks:
            stream.write(chunk)
    click.echo(f"statements from {period.first} to {period.last} written to {output}", err=True)


@xapi_group.command("status")
def status_command() -> None:
    """The queue: waiting, due, sent and given-up statements, and the errors seen."""
    settings = _settings()
    state = export.queue_counts(get_session(), utcnow())
    click.echo(f"xAPI is {'on, sending to ' + settings.safe_endpoint if settings else 'off'}")
    click.echo(
        f"{state.waiting} waiting ({state.due} due now), {state.sent} sent, {state.given_up} given up; "
        f"oldest waiting: {state.oldest_waiting.isoformat() if state.oldest_waiting else '-'}"
    )
    for error, count in state.errors:
        click.echo(f"  {count} x {error}")


@xapi_group.command("retry")
def retry_command() -> None:
    """Queue the statements that were given up again, due now."""
    session = get_session()
    count = delivery.retry_given_up(session, utcnow())
    session.commit()
    click.echo(f"{count} statement(s) queued again")
