"""The filters of every HR report, parsed from a query string so that a forged or mistyped value is named."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from ...content import Catalog
from ...i18n import _l
from ..errors import InvalidInput

AUDIENCES = ("all", "managers")
# Statuses of a duty as of the report's date; the people list and the person-level export filter on them.
STATUSES = ("not_started", "in_progress", "overdue", "not_yet_due", "open", "completed", "exempted")
OPEN_STATUSES = ("not_started", "in_progress", "overdue", "not_yet_due", "open")


@dataclass(frozen=True)
class ReportFilters:
    """What a report is about; None or "all" means no restriction."""

    unit_id: int | None = None
    module_slug: str | None = None
    audience: str = "all"
    status: str | None = None
    due_from: date | None = None
    due_to: date | None = None
    as_of: date | None = None  # None: today
    history: bool = False  # the person-level export: earlier cycles too

    def day(self, today: date) -> date:
        return self.as_of or today

    def moment(self, today: date) -> datetime:
        """The end of the report's day (UTC): what happened before it counts."""
        return datetime.combine(self.day(today) + timedelta(days=1), time(), tzinfo=UTC)

    def is_now(self, today: date) -> bool:
        return self.as_of is None or self.as_of >= today

    def with_unit(self, unit_id: int) -> ReportFilters:
        return replace(self, unit_id=unit_id)

    def query(self, **override: Any) -> dict[str, str]:
        """The filters as query-string parameters (for links, drill-down and downloads)."""
        values: dict[str, Any] = {
            "unit": self.unit_id,
            "module": self.module_slug,
            "audience": self.audience if self.audience != "all" else None,
            "status": self.status,
            "due_from": self.due_from,
            "due_to": self.due_to,
            "as_of": self.as_of,
            "history": "1" if self.history else None,
        } | override
        return {key: str(value) for key, value in values.items() if value not in (None, "")}

    def audit(self) -> dict[str, Any]:
        """What the audit log keeps of the filters: exactly what was asked for."""
        return {key: value for key, value in self.query().items()}


def _date(args: Mapping[str, str], name: str, label: Any) -> date | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            _l("%(field)s: “%(value)s” is not a date; write YYYY-MM-DD.", field=label, value=value[:40])
        ) from None


def parse_filters(args: Mapping[str, str], catalog: Catalog, today: date) -> ReportFilters:
    """ReportFilters from request arguments; InvalidInput naming the first value that is not valid."""
    unit_text = (args.get("unit") or "").strip()
    if unit_text and not unit_text.isdigit():
        raise InvalidInput(_l("Unit: “%(value)s” is not a unit number.", value=unit_text[:40]))
    module = (args.get("module") or "").strip() or None
    if module is not None and catalog.module(module) is None:
        raise InvalidInput(_l("Module: there is no module “%(value)s”.", value=module[:100]))
    audience = (args.get("audience") or "all").strip()
    if audience not in AUDIENCES:
        raise InvalidInput(_l("Audience: choose everyone or managers, not “%(value)s”.", value=audience[:40]))
    status = (args.get("status") or "").strip() or None
    if status is not None and status not in STATUSES:
        raise InvalidInput(_l("Status: “%(value)s” is not a status of this report.", value=status[:40]))
    due_from = _date(args, "due_from", _l("Due from"))
    due_to = _date(args, "due_to", _l("Due until"))
    if due_from and due_to and due_from > due_to:
        raise InvalidInput(_l("Due from %(start)s is after due until %(end)s.", start=due_from, end=due_to))
    as_of = _date(args, "as_of", _l("As of"))
    if as_of is not None and as_of > today:
        raise InvalidInput(_l("As of: %(date)s lies in the future; choose today or an earlier date.", date=as_of))
    return ReportFilters(
        unit_id=int(unit_text) if unit_text else None,
        module_slug=module,
        audience=audience,
        status=status,
        due_from=due_from,
        due_to=due_to,
        as_of=as_of if as_of != today else None,
        history=(args.get("history") or "") in ("1", "true", "yes"),
    )
