"""HR's reports: completion per unit and module, trend, people still to complete, assessment quality, the
departmental report; downloads.

Every view and download is written to the audit log; the reporting services decide the scope.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from flask import Blueprint, Response, current_app, render_template, request, stream_with_context
from flask_babel import get_locale
from flask_login import current_user, login_required

from ...catalog import current_catalog
from ...db import get_session
from ...i18n import _
from ...services import reporting
from ...services.errors import InvalidInput, NotFound
from ...services.reporting.audit import record_report
from ...services.reporting.departmental import DepartmentalReport, departmental_report
from ...services.reporting.departmental import parse_query as parse_departmental
from ...services.reporting.exports import Cell, csv_stream, file_chunks, generated_at, xlsx_file
from ...services.reporting.period import Period, last_calendar_year
from ...services.reporting.quality import module_quality
from ...services.reporting.summary import Summary
from ...services.reporting.summary_pdf import render_pdf
from ...services.reporting.summary_xlsx import write_xlsx
from . import departmental, tables

bp = Blueprint("hr", __name__, url_prefix="/hr")

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.before_request
@login_required
def _require_login() -> None:
    """HR pages need a logged-in person; the reporting services decide on the scope."""


def _lang() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def _k() -> int:
    return int(current_app.config["REPORT_MIN_GROUP"])


def _filters() -> reporting.ReportFilters:
    return reporting.parse_filters(request.args, current_catalog(), date.today())


def _scope(filters: reporting.ReportFilters) -> reporting.ReportScope:
    return reporting.report_scope(get_session(), current_user, filters)


def _audited(
    report: str, scope: reporting.ReportScope | None, filters: reporting.ReportFilters, fmt: str | None
) -> None:
    session = get_session()
    record_report(session, current_user, report, scope, filters, file_format=fmt)
    session.commit()


def _about(
    title: str, scope: reporting.ReportScope, filters: reporting.ReportFilters, day: date
) -> list[tuple[str, str]]:
    """What a download is about, for its header lines (CSV) or its About sheet (XLSX)."""
    catalog = current_catalog()
    module = tables.module_title(catalog, filters.module_slug, _lang()) if filters.module_slug else _("All modules")
    about = [
        (_("Report"), title),
        (_("Unit"), f"{scope.unit.name} ({scope.unit.code})"),
        (_("As of"), day.isoformat()),
        (_("Module"), module),
        (_("Audience"), _("Managers") if filters.audience == "managers" else _("Everyone")),
    ]
    if filters.status:
        about.append((_("Status"), tables.status_labels()[filters.status]))
    if filters.due_from or filters.due_to:
        about.append((_("Due date"), f"{filters.due_from or '…'} – {filters.due_to or '…'}"))
    about.append((_("Generated"), generated_at(datetime.now(UTC))))
    about.append(
        (
            _("Small groups"),
            _(
                "Counts about fewer than %(k)s people are shown as “< %(k)s”; “x” hides a count that would reveal one.",
                k=_k(),
            ),
        )
    )
    return about


def _download(
    name: str, fmt: str, about: list[tuple[str, str]], header: list[str], rows: Iterable[Sequence[Cell]]
) -> Response:
    filename = f"{name}-{date.today().isoformat()}.{fmt}"
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    if fmt == "xlsx":
        path = xlsx_file(name, about, header, rows)
        return Response(file_chunks(path), mimetype=FORMATS["xlsx"], headers=disposition)
    delimiter = "," if request.args.get("sep") == "comma" else ";"
    body = stream_with_context(chunk.encode("utf-8") for chunk in csv_stream(about, header, rows, delimiter=delimiter))
    return Response(body, content_type=FORMATS["csv"], headers=disposition)


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise NotFound("format")
    return fmt


@bp.get("/")
def completion() -> str:
    """Completion per module for one unit: its total, its own people and each unit below it (drill down)."""
    filters = _filters()
    scope = _scope(filters)
    table = reporting.completion_table(get_session(), current_catalog(), scope, filters, date.today(), _k())
    _audited("completion", scope, filters, None)
    return render_template(
        "hr/completion.html",
        table=table,
        rows=tables.completion_rows(table, current_catalog(), _lang()),
        header=tables.completion_header(),
        filters=filters,
        catalog=current_catalog(),
        lang=_lang(),
    )


@bp.get("/completion.<fmt>")
def completion_download(fmt: str) -> Response:
    """The completion table as CSV or XLSX, with its filters and generation time."""
    fmt = _format(fmt)
    filters = _filters()
    scope = _scope(filters)
    table = reporting.completion_table(get_session(), current_catalog(), scope, filters, date.today(), _k())
    _audited("completion", scope, filters, fmt)
    rows = tables.completion_rows(table, current_catalog(), _lang())
    about = _about(_("Completion per unit and module"), scope, filters, table.day)
    return _download("completion", fmt, about, tables.completion_header(), iter(rows))


@bp.get("/trend")
def trend() -> str:
    """Completions per week for the unit and everything below it, as a chart with its table."""
    filters = _filters()
    scope = _scope(filters)
    result = reporting.weekly_completions(get_session(), scope, filters, date.today(), _k())
    _audited("trend", scope, filters, None)
    return render_template("hr/trend.html", trend=result, filters=filters, catalog=current_catalog(), lang=_lang())


def _page_number() -> int:
    text = request.args.get("page", "1")
    if not text.isdigit() or int(text) < 1:
        raise InvalidInput(_("Page: “%(value)s” is not a page number.", value=text[:20]))
    return int(text)


@bp.get("/people")
def people() -> str:
    """People in scope who have not completed a module assigned to them, most overdue first."""
    filters = _filters()
    scope = _scope(filters)
    words = tables.duty_words(current_catalog(), _lang())
    page = reporting.outstanding(get_session(), scope, filters, date.today(), words, _page_number())
    _audited("people", scope, filters, None)
    return render_template(
        "hr/people.html",
        page=page,
        header=tables.people_header(False),
        filters=filters,
        catalog=current_catalog(),
        lang=_lang(),
    )


@bp.get("/people.<fmt>")
def people_download(fmt: str) -> Response:
    """Every duty in scope (with ?status= only those), one line each; with ?history=1 earlier cycles too."""
    fmt = _format(fmt)
    filters = _filters()
    scope = _scope(filters)
    _audited("people", scope, filters, fmt)
    words = tables.duty_words(current_catalog(), _lang())
    lines = reporting.every_duty(get_session(), scope, filters, date.today(), words)
    about = _about(_("Duties per person"), scope, filters, filters.day(date.today()))
    return _download("people", fmt, about, tables.people_header(filters.history), lines)


@bp.get("/quality")
def quality() -> str:
    """How first attempts answered each assessment question, and which scenario choices are made (aggregates)."""
    filters = _filters()
    scope = _scope(filters)
    catalog = current_catalog()
    slug = filters.module_slug or next((m.slug for m in catalog.modules.values() if m.assessment), None)
    module = catalog.module(slug) if slug else None
    if module is None:
        raise NotFound("module")
    result = module_quality(get_session(), module, _k(), scope.unit)
    _audited("quality", scope, filters, None)
    return render_template(
        "hr/quality.html", quality=result, scope=scope, filters=filters, catalog=catalog, lang=_lang()
    )


DEPARTMENTAL_FORMATS = {"pdf": "application/pdf", "xlsx": FORMATS["xlsx"]}


def _departmental() -> tuple[DepartmentalReport, Summary]:
    """The report asked for by ?unit=&from=&to= (the services decide the scope), audited by the caller."""
    today = date.today()
    asked = parse_departmental(request.args, current_catalog(), today)
    report = departmental_report(
        get_session(), current_catalog(), current_user, asked, today, _k(), current_app.config["BYSTANDER_MODULE"]
    )
    return report, departmental.summary(report, current_catalog(), _lang())


def _audit_departmental(report: DepartmentalReport, fmt: str | None) -> None:
    session = get_session()
    period = f"{report.period.first.isoformat()}/{report.period.last.isoformat()}"
    record_report(session, current_user, "departmental", report.scope, report.filters, file_format=fmt, period=period)
    session.commit()


@bp.get("/departmental")
def departmental_page() -> str:
    """The departmental report for the yearly report: people reached, completion per unit, trend per quarter."""
    report, summary = _departmental()
    _audit_departmental(report, None)
    today = date.today()
    presets = [
        (_("Last calendar year"), last_calendar_year(today)),
        (_("This year until today"), Period(date(today.year, 1, 1), today)),
    ]
    return render_template(
        "hr/departmental.html",
        report=report,
        summary=summary,
        presets=presets,
        filters=report.filters,
        query=report.period.query() | {"unit": str(report.scope.unit.id)},
    )


@bp.get("/departmental.<fmt>")
def departmental_download(fmt: str) -> Response:
    """The departmental report as a one-page PDF or as XLSX, with the same figures as the page."""
    if fmt not in DEPARTMENTAL_FORMATS:
        raise NotFound("format")
    report, summary = _departmental()
    _audit_departmental(report, fmt)
    code = re.sub(r"[^A-Za-z0-9_-]+", "-", report.scope.unit.code)
    name = f"departmental-report-{code}-{report.period.first.isoformat()}-{report.period.last.isoformat()}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    if fmt == "pdf":
        return Response(render_pdf(summary), mimetype=DEPARTMENTAL_FORMATS["pdf"], headers=headers)
    path = write_xlsx(summary, _("Summary"))
    return Response(file_chunks(path), mimetype=DEPARTMENTAL_FORMATS["xlsx"], headers=headers)
