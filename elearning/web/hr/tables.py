"""The report tables as rows of cells, the same for the page and its CSV and XLSX downloads."""

from __future__ import annotations

from ...content import Catalog
from ...i18n import _
from ...services.reporting import CompletionTable, DutyWords, Figure, Hidden, Part, Row
from ...services.reporting.exports import Cell, neutralise

COUNT_COLUMNS = ("assigned", "started", "completed", "on_time", "overdue", "not_yet_due", "exempted")


def count_labels() -> dict[str, str]:
    return {
        "assigned": _("Assigned"),
        "started": _("Started"),
        "completed": _("Completed"),
        "on_time": _("Completed on time"),
        "overdue": _("Overdue"),
        "not_yet_due": _("Open, not yet due"),
        "exempted": _("Exempted"),
    }


def status_labels() -> dict[str, str]:
    return {
        "completed": _("Completed"),
        "overdue": _("Overdue"),
        "in_progress": _("In progress"),
        "not_started": _("Not started"),
        "not_yet_due": _("Open, not yet due"),
        "open": _("Not completed"),
        "exempted": _("Exempted"),
    }


def figure(value: Figure, k: int) -> Cell:
    """A count as shown: the number, "< k" for a small group, "x" for a cell hidden to protect one."""
    if value.hidden is Hidden.SMALL:
        return f"< {k}"
    if value.hidden is Hidden.COMPLEMENT:
        return "x"
    return value.value if value.value is not None else "–"


def module_title(catalog: Catalog, slug: str, lang: str) -> str:
    module = catalog.module(slug)
    return module.text(lang).title if module else slug


def row_kind(row: Row) -> str:
    if row.is_child:
        return _("Unit below")
    return _("Total") if row.part is Part.TOTAL else _("Directly in this unit")


def completion_header() -> list[str]:
    labels = count_labels()
    return [_("Module"), _("Unit code"), _("Unit"), _("Rows"), *(labels[c] for c in COUNT_COLUMNS), _("Rate (%)")]


def completion_rows(table: CompletionTable, catalog: Catalog, lang: str) -> list[list[Cell]]:
    """One line per module and row, as in the downloads (text neutralised); the page shows them without the module."""
    lines: list[list[Cell]] = []
    for section in table.modules:
        title = neutralise(module_title(catalog, section.module_slug, lang))
        for row in section.rows:
            cells: list[Cell] = [title, neutralise(row.unit.code), neutralise(row.unit.name), row_kind(row)]
            cells += [figure(row.figures[column], table.k) for column in COUNT_COLUMNS]
            cells.append(figure(row.rate, table.k))
            lines.append(cells)
    return lines


def people_header(history: bool) -> list[str]:
    header = [
        _("Employee number"),
        _("Name"),
        _("Unit code"),
        _("Unit"),
        _("Module"),
        _("Cycle"),
        _("Due date"),
        _("Status"),
        _("Started"),
        _("Completed"),
        _("On time"),
        _("Content version"),
        _("Assessment"),
        _("Days overdue"),
    ]
    return [*header, _("In effect")] if history else header


def duty_words(catalog: Catalog, lang: str) -> DutyWords:
    """The words of the person-level lines; the database writes them into the cells."""
    return DutyWords(
        modules={slug: module_title(catalog, slug, lang) for slug in catalog.modules},
        statuses=status_labels(),
        yes=_("yes"),
        no=_("no"),
        passed=_("passed"),
        failed=_("failed"),
    )
