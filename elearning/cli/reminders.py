"""Flask commands: reminder e-mails for due and overdue modules."""

from __future__ import annotations

from datetime import date, datetime

import click
from flask import current_app
from flask.cli import AppGroup

from ..catalog import current_catalog
from ..db import get_session
from ..mail import current_sender
from ..models import utcnow


@click.group("reminders", cls=AppGroup, help="Reminder e-mails for due and overdue modules.")
def reminders_group() -> None:
    pass


@reminders_group.command("send")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Act as if it were this day (YYYY-MM-DD); default: the server's date.",
)
@click.option("--dry-run", is_flag=True, help="Count what would be sent; send and record nothing.")
def send_command(today: datetime | None, dry_run: bool) -> None:
    """Send the reminders due today and tell managers about overdue people; exit 1 if any mail failed."""
    from ..services.reminders import send_reminders

    session = get_session()
    result = send_reminders(
        session,
        current_sender(),
        current_catalog(),
        today.date() if today is not None else date.today(),
        now=utcnow(),
        dry_run=dry_run,
        commit=session.commit,
        languages=tuple(current_app.config["LANGUAGES"]),
        default_language=current_app.config["BABEL_DEFAULT_LOCALE"],
    )
    prefix = "dry run, nothing sent or recorded: would send" if dry_run else "sent"
    click.echo(
        f"reminders {prefix} {result.learner_mails} learner mail(s), {result.manager_mails} manager mail(s); "
        f"{result.skipped_steps} missed step(s) skipped; {result.failed} failed"
    )
    if result.failed:
        click.echo(f"{result.failed} mail(s) failed and will be retried on the next run; see the log", err=True)
        raise SystemExit(1)
