"""HR reporting: completion roll-ups, trend, person-level lists, assessment quality and their downloads.

Aggregates are SQL over the duties in effect (`duties.py`), rolled up the organisation tree by the materialised
path; small groups are suppressed before anything leaves the service (`suppression.py`).
"""

from .filters import AUDIENCES, STATUSES, ReportFilters, parse_filters
from .people import PAGE_SIZE, DutyWords, PeoplePage, every_duty, outstanding
from .quality import Quality, module_quality
from .rollup import CompletionTable, Figure, ModuleTable, Row, completion_table
from .scope import ReportScope, report_scope
from .suppression import Hidden, Part
from .trend import Trend, Week, weekly_completions

__all__ = [
    "AUDIENCES",
    "PAGE_SIZE",
    "STATUSES",
    "CompletionTable",
    "DutyWords",
    "Figure",
    "Hidden",
    "ModuleTable",
    "Part",
    "PeoplePage",
    "Quality",
    "ReportFilters",
    "ReportScope",
    "Row",
    "Trend",
    "Week",
    "completion_table",
    "every_duty",
    "module_quality",
    "outstanding",
    "parse_filters",
    "report_scope",
    "weekly_completions",
]
