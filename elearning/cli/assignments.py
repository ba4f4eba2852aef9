"""Flask commands: assignments of modules to organisation subtrees."""

from __future__ import annotations

from datetime import date, datetime

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..catalog import current_catalog
from ..db import get_session
from ..models import Assignment, utcnow


@click.group("assignments", cls=AppGroup, help="Assignments of modules to organisation subtrees.")
def assignments_group() -> None:
    pass


_TODAY = click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Act as if it were this day (YYYY-MM-DD); default: the server's date.",
)


@assignments_group.command("sync")
@_TODAY
def sync_command(today: datetime | None) -> None:
    """Enrol joiners and movers, withdraw leavers, record completions, open next cycles (run daily from cron)."""
    from ..services.enrolments import sync

    session = get_session()
    day = today.date() if today is not None else date.today()
    result = sync(session, current_catalog(), day, now=utcnow(), checkpoint=session.commit)
    session.commit()
    click.echo(
        f"enrolments: {result.enrolled} enrolled, {result.withdrawn} withdrawn, {result.reopened} reopened, "
        f"{result.completed} completed, {result.next_cycles} next cycle(s) opened"
    )


@assignments_group.command("list")
@_TODAY
def list_command(today: datetime | None) -> None:
    """Every assignment with its rule and how many people are enrolled, completed and overdue."""
    from ..services.enrolments import StatusCounts, counts_by_assignment

    session = get_session()
    assignments = session.scalars(
        select(Assignment).options(joinedload(Assignment.organisation)).order_by(Assignment.id)
    ).all()
    counts = counts_by_assignment(
        session, today.date() if today is not None else date.today(), [a.id for a in assignments]
    )
    if not assignments:
        click.echo("no assignments")
    for a in assignments:
        due = a.due_on.isoformat() if a.due_on else f"{a.due_days_after_start} days after start"
        flags = [
            *(["managers only"] if a.managers_only else []),
            *([f"every {a.recurrence_months} months"] if a.recurrence_months else []),
            *(["current version"] if a.requires_current_version else []),
            *([f"ended {a.ended_at.date().isoformat()}"] if a.ended_at else []),
        ]
        c = counts.get(a.id, StatusCounts())
        click.echo(
            f"{a.id:>5}  {a.module_slug:<24} {a.organisation.code:<20} due {due}"
            f"{'  (' + ', '.join(flags) + ')' if flags else ''}"
            f"  enrolled {c.enrolled}, completed {c.completed}, overdue {c.overdue}"
        )
