"""Flask commands: people from the HR roster: import, invitations."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import AppGroup

from ..catalog import current_catalog
from ..db import get_session

if TYPE_CHECKING:
    from ..services.roster import ImportReport


@click.group("people", cls=AppGroup, help="People from the HR roster: import, invitations.")
def people_group() -> None:
    pass


@people_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change; change nothing.")
@click.option("--partial", is_flag=True, help="A file of changes only: nobody is deactivated for being absent.")
@click.option(
    "--scope",
    "scope_codes",
    multiple=True,
    metavar="CODE",
    help="Only the subtree of this organisation unit (repeatable); default: the whole organisation.",
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Act as if it were this day (YYYY-MM-DD), for end dates; default: the server's date.",
)
def import_command(
    file: Path, dry_run: bool, partial: bool, scope_codes: tuple[str, ...], today: datetime | None
) -> None:
    """Import the HR roster FILE (CSV or XLSX): create, update, reactivate and deactivate people; exit 1 if invalid.

    The whole file is checked first; a file with any problem changes nothing and every problem is listed by row
    and column. A valid file is applied in batches, each committed on its own; after an interruption, import the
    same file again to finish.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from ..services.errors import InvalidInput
    from ..services.roster import ImportMode, apply_import, preview_import

    session = get_session()
    mode = ImportMode.PARTIAL if partial else ImportMode.FULL
    day = today.date() if today is not None else date.today()
    languages = tuple(current_app.config["LANGUAGES"])
    try:
        if dry_run:
            report = preview_import(
                session, file, None, mode=mode, today=day, scope_codes=scope_codes, languages=languages
            )
        else:
            report = apply_import(
                session,
                file,
                None,
                mode=mode,
                today=day,
                end_transaction=session.commit,
                scope_codes=scope_codes,
                languages=languages,
                catalog=current_catalog(),
            )
    except InvalidInput as exc:
        raise click.ClickException(str(exc)) from None
    except SQLAlchemyError as exc:
        session.rollback()
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise click.ClickException(
            f"the import stopped: {reason}. The batches before it were applied; import the same file again to finish."
        ) from None
    _print_report(file, report, dry_run)
    if not report.valid:
        raise SystemExit(1)


def _print_report(file: Path, report: ImportReport, dry_run: bool) -> None:
    from ..services.roster import ChangeKind

    scope = ", ".join(report.scope_codes) or "whole organisation"
    source = report.file_format.upper() + (f" {report.encoding} '{report.delimiter}'" if report.encoding else "")
    click.echo(f"{file.name}: {report.rows} row(s), {source}, {report.mode.value} roster, scope: {scope}")
    if report.ignored_columns:
        click.echo(f"columns ignored: {', '.join(report.ignored_columns)}")
    counts = ", ".join(f"{kind.value} {report.counts[kind]}" for kind in ChangeKind)
    if not report.valid:
        for problem in report.problems:
            click.echo(f"{problem.where()}: {problem.message}", err=True)
        hidden = report.problem_total - len(report.problems)
        if hidden:
            click.echo(f"... and {hidden} more problem(s)", err=True)
        click.echo(f"invalid file: {report.problem_total} problem(s); nothing was changed")
        return
    if dry_run:
        click.echo(f"dry run, nothing changed: would have {counts}")
        for kind in ChangeKind:
            for sample in report.samples[kind] if kind is not ChangeKind.UNCHANGED else []:
                where = f"row {sample.row}" if sample.row is not None else "not in file"
                changes = f" ({', '.join(sample.changes)})" if sample.changes else ""
                click.echo(
                    f"  {kind.value:<11} {where:<11} {sample.employee_number} {sample.name} "
                    f"[{sample.organisation_code or '-'}]{changes}"
                )
        return
    click.echo(f"imported: {counts}")
