"""Every report view and download goes into the audit log: who, which report, which unit and filters, when."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ...models import Person
from .. import audit
from .filters import ReportFilters
from .scope import ReportScope

VIEW = "report.view"
DOWNLOAD = "report.download"


def record_report(
    session: Session,
    viewer: Person,
    report: str,
    scope: ReportScope | None,
    filters: ReportFilters,
    *,
    file_format: str | None = None,
    **extra: str,
) -> None:
    """One audit event; the filters as they were asked (and `extra` facts such as a period), never names of the
    people in the report."""
    details: dict[str, object] = {"report": report, "filters": filters.audit(), **extra}
    if file_format is not None:
        details["format"] = file_format
    target = f"unit:{scope.unit.code}" if scope is not None else ""
    audit.record(session, viewer, DOWNLOAD if file_format else VIEW, target, **details)
