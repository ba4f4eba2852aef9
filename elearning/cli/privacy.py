"""Flask commands: the retention job that anonymises people who left, for cron."""

from __future__ import annotations

from datetime import date, datetime

import click
from flask import current_app
from flask.cli import AppGroup

from ..db import get_session
from ..models import utcnow
from ..services.login_sessions import SessionPolicy
from ..services.login_throttle import ThrottlePolicy
from ..services.retention import run_retention


@click.group("privacy", cls=AppGroup, help="Privacy: retention of personal data.")
def privacy_group() -> None:
    pass


@privacy_group.command("retention")
@click.option("--dry-run", is_flag=True, help="Count who would be anonymised; change nothing.")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Act as if it were this day (YYYY-MM-DD); default: the server's date.",
)
def retention_command(dry_run: bool, today: datetime | None) -> None:
    """Anonymise people who left more than ELEARNING_RETENTION_MONTHS ago; purge ended sessions and login counts."""
    config = current_app.config
    session = get_session()
    result = run_retention(
        session,
        today=today.date() if today is not None else date.today(),
        now=utcnow(),
        months=config["RETENTION_MONTHS"],
        session_policy=SessionPolicy.from_config(config["SESSION_IDLE_MINUTES"], config["SESSION_MAX_HOURS"]),
        throttle_policy=ThrottlePolicy.from_config(config),
        dry_run=dry_run,
    )
    if dry_run:
        click.echo(
            f"dry run, nothing changed: would anonymise {result.anonymised} person(s) who left before "
            f"{result.cutoff.isoformat()}; {result.newly_inactive} person(s) seen inactive for the first time"
        )
        return
    session.commit()
    click.echo(
        f"anonymised {result.anonymised} person(s) who left before {result.cutoff.isoformat()}; "
        f"{result.newly_inactive} person(s) seen inactive for the first time; purged {result.sessions_purged} "
        f"ended session(s) and {result.throttles_purged} failed-login count(s)"
    )
