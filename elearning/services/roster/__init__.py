"""The HR roster import: read a CSV or XLSX file, check every row, then upsert people in short batches."""

from .apply import AUDIT_ACTION, ImportInterrupted, apply_import
from .report import ChangeKind, ImportMode, ImportReport, Problem, Sample
from .scope import ImportScope, import_scope, may_import
from .validate import DEFAULT_LANGUAGES, preview_import

__all__ = [
    "AUDIT_ACTION",
    "DEFAULT_LANGUAGES",
    "ChangeKind",
    "ImportInterrupted",
    "ImportMode",
    "ImportReport",
    "ImportScope",
    "Problem",
    "Sample",
    "apply_import",
    "import_scope",
    "may_import",
    "preview_import",
]
