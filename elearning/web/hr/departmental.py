"""The departmental report as a Summary with translated labels: the same cells for the page, the PDF and the XLSX."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import format_date

from ...content import Catalog
from ...i18n import _
from ...services.reporting.departmental import DepartmentalReport
from ...services.reporting.exports import Cell, generated_at, neutralise
from ...services.reporting.summary import Summary, Table
from .tables import figure, module_title


def summary(report: DepartmentalReport, catalog: Catalog, lang: str) -> Summary:
    unit = report.scope.unit
    period = f"{format_date(report.period.first, 'long')} – {format_date(report.period.last, 'long')}"
    facts = [
        (_("Unit"), f"{unit.name} ({unit.code})"),
        (_("Period"), period),
        (_("Completion as of"), format_date(report.day, "long")),
        (_("Generated"), generated_at(datetime.now(UTC))),
    ]
    return Summary(
        title=_("Departmental report: %(unit)s", unit=unit.name),
        facts=facts,
        tables=[_reach(report, catalog, lang), _units(report, catalog, lang), _quarters(report)],
        notes=_notes(report, period),
        lang=lang,
        creator=_("Social safety at work"),
    )


def _reach(report: DepartmentalReport, catalog: Catalog, lang: str) -> Table:
    rows: list[list[Cell]] = [
        [_("Reached by the e-learning (completed at least one module)"), figure(report.people, report.k)]
    ]
    if report.bystander is not None and report.people_bystander is not None:
        title = module_title(catalog, report.bystander, lang)
        rows.append(
            [
                str(neutralise(_("Reached by the bystander module “%(title)s”", title=title))),
                figure(report.people_bystander, report.k),
            ]
        )
    header = [_("Measure"), _("People")]
    return Table("reach", _("People reached in the period"), header, rows, widths=(5, 1), share=0.6)


def _units(report: DepartmentalReport, catalog: Catalog, lang: str) -> Table:
    header = [_("Unit"), _("Code")]
    groups: list[tuple[str, int]] = [("", 2)]
    for slug in report.modules:
        groups.append((str(neutralise(module_title(catalog, slug, lang))), 2))
        header += [_("Assigned"), _("Rate (%)")]
    rows: list[list[Cell]] = []
    for line in report.units:
        cells: list[Cell] = [neutralise(line.unit.name), neutralise(line.unit.code)]
        for slug in report.modules:
            row = line.rows[slug]
            cells += [figure(row.figures["assigned"], report.k), figure(row.rate, report.k)]
        rows.append(cells)
    heading = _("Completion per unit on %(date)s", date=format_date(report.day, "long"))
    widths = (2.8, 1.7, *(1.0 for _slug in report.modules for _column in range(2)))
    indents = [line.level for line in report.units]
    return Table("units", heading, header, rows, widths=widths, indents=indents, groups=groups, text_columns=2)


def _quarters(report: DepartmentalReport) -> Table:
    header = [_("Quarter"), _("Reached by the e-learning")]
    if report.bystander is not None:
        header.append(_("Reached by the bystander module"))
    rows: list[list[Cell]] = []
    for line in report.quarters:
        cells: list[Cell] = [line.quarter.label, figure(line.people, report.k)]
        if line.bystander is not None:
            cells.append(figure(line.bystander, report.k))
        rows.append(cells)
    widths = (1.2, 2, 2)[: len(header)]
    return Table("quarters", _("People reached per quarter"), header, rows, widths=widths, share=0.6)


def _notes(report: DepartmentalReport, period: str) -> list[str]:
    return [
        _(
            "Reached: completed a module (or the bystander module) in the period %(period)s, assigned or not; each "
            "person counts once in the period, and in every quarter in which they completed one.",
            period=period,
        ),
        _(
            "Completion per unit: duties completed out of the duties in effect at the end of %(date)s, as in the "
            "completion report; exempted duties are left out. Each unit includes the units below it.",
            date=format_date(report.day, "long"),
        ),
        _(
            "“< %(k)s”: a group of fewer than %(k)s people, not shown to protect them. “x”: hidden so that such a "
            "group cannot be worked out from the other numbers.",
            k=report.k,
        ),
    ]
