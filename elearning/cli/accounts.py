"""Flask commands: account invitations by e-mail."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from ..db import get_session
from ..mail import current_sender
from ..models import Person, utcnow
from ..services.accounts import normalise_email
from ..services.errors import InvalidInput
from ..services.invitations import MailNotSent, invite_pending, send_invitation


@click.group("accounts", cls=AppGroup, help="Login accounts: invitations by e-mail.")
def accounts_group() -> None:
    pass


@accounts_group.command("invite")
@click.option("--email", "email", metavar="ADDRESS", help="Invite the one person with this e-mail address.")
@click.option("--pending", is_flag=True, help="Invite every active person without a password or open invitation.")
def invite(email: str | None, pending: bool) -> None:
    """Send invitation links (valid ELEARNING_INVITATION_DAYS days); earlier invitations of a person stop working."""
    if bool(email) == pending:
        raise click.UsageError("give either --email ADDRESS or --pending")
    session = get_session()
    days = current_app.config["INVITATION_DAYS"]
    if pending:
        try:
            count = invite_pending(session, current_sender(), now=utcnow(), days=days)
        except MailNotSent as exc:
            session.commit()  # the invitations that did go out stay valid
            raise click.ClickException(str(exc)) from None
        session.commit()
        click.echo(f"{count} invitation(s) sent")
        return
    address = normalise_email(email or "")
    person = session.scalar(select(Person).where(func.lower(Person.email) == address))
    if person is None:
        raise click.ClickException(f"no person with e-mail address {address}")
    try:
        send_invitation(session, current_sender(), person, actor=None, now=utcnow(), days=days)
    except InvalidInput as exc:
        raise click.ClickException(str(exc)) from None
    session.commit()
    click.echo(f"invitation sent to {address} (valid {days} days)")
