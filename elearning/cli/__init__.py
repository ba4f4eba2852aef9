"""Flask commands: database migrations, content check, demo data and accounts; the other groups register here."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from ..config import safe_url
from ..content import check as check_content
from ..db import get_session
from .accounts import accounts_group
from .assignments import assignments_group
from .lti import lti_group
from .people import people_group
from .privacy import privacy_group
from .reminders import reminders_group
from .xapi import xapi_group


def register_cli(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(content_group)
    app.cli.add_command(demo_group)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(people_group)
    app.cli.add_command(accounts_group)
    app.cli.add_command(assignments_group)
    app.cli.add_command(reminders_group)
    app.cli.add_command(privacy_group)
    app.cli.add_command(lti_group)
    app.cli.add_command(xapi_group)


@click.group("db", cls=AppGroup, help="Database schema (Alembic migrations in migrations/).")
def db_group() -> None:
    pass


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Upgrade the database schema to REVISION (default: head)."""
    from ..migrate import upgrade

    url = current_app.config["DATABASE_URL"]
    upgrade(url, revision)
    click.echo(f"database {safe_url(url)} is at {revision}")


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Downgrade the database schema to REVISION (e.g. base)."""
    from ..migrate import downgrade

    downgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database downgraded to {revision}")


@click.group("content", cls=AppGroup, help="Training content in content/modules/.")
def content_group() -> None:
    pass


@content_group.command("check")
@click.argument("path", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
def content_check(path: Path | None) -> None:
    """Validate every module under PATH (default: the configured content folder); exit 1 on any error."""
    root = path or Path(current_app.config["CONTENT_DIR"])
    problems = check_content(root)
    for problem in problems:
        click.echo(str(problem), err=True)
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    plain = sum(1 for p in problems if p.category == "plain-language")
    about_plain = f" ({plain} about plain language in Dutch lessons)" if plain else ""
    click.echo(f"{root}: {errors} error(s), {warnings} warning(s){about_plain}")
    if errors:
        raise SystemExit(1)


@click.group("demo", cls=AppGroup, help="Demo organisation and people for trying the platform.")
def demo_group() -> None:
    pass


@demo_group.command("load")
def demo_load() -> None:
    """Create the demo organisation tree and people (idempotent) and print the logins."""
    from ..services.demo import DEMO_LOGINS, DEMO_PASSWORD, load_demo

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("demo data is not loaded in production")
    from ..catalog import current_catalog

    session = get_session()
    created = load_demo(session, current_catalog())
    session.commit()
    click.echo(
        f"demo data: {created['units']} unit(s), {created['people']} person(s) and "
        f"{created['assignments']} assignment(s) created"
    )
    from ..services.lti import tool_key

    key = tool_key.generate(Path(current_app.config["LTI_KEY_FILE"]))  # kept if it exists
    click.echo(f"LTI: the demo LMS is registered (Administration → LMS); tool key {key.kid}")
    click.echo(f"demo logins (password for all: {DEMO_PASSWORD}):")
    for login in DEMO_LOGINS:
        click.echo(f"  {login.email:<28} {login.role}")


@click.command("create-admin")
@with_appcontext
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option()
def create_admin_command(email: str, name: str, password: str) -> None:
    """Create an administrator account (or make an existing person admin)."""
    from ..services.accounts import create_admin
    from ..services.errors import InvalidInput

    session = get_session()
    try:
        create_admin(session, email, name, password)
    except InvalidInput as exc:
        raise click.ClickException(str(exc)) from None
    session.commit()
    click.echo("administrator ready")
