"""What a roster import found or did: counts, the first rows of each kind, and every problem by row and column."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

# Kept in full up to this many; beyond it only counted (per kind and column in `problem_kinds`).
MAX_PROBLEMS = 10_000
SAMPLE_SIZE = 10


class ImportMode(StrEnum):
    """A full roster deactivates the people of the scope it leaves out; a partial file only adds and changes."""

    FULL = "full"
    PARTIAL = "partial"


class ChangeKind(StrEnum):
    """What an import does to one person."""

    CREATED = "created"
    UPDATED = "updated"
    REACTIVATED = "reactivated"
    DEACTIVATED = "deactivated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason the file cannot be imported; row as the spreadsheet shows it (header = 1), None for the file."""

    row: int | None
    column: str | None
    letter: str | None
    code: str
    message: str

    def where(self) -> str:
        """Where, as the operator's terminal shows it: "row 5, column C (E-mail)"."""
        parts = []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.letter} ({self.column})" if self.letter else f"column {self.column}")
        return ", ".join(parts) or "file"


@dataclass(frozen=True, slots=True)
class Sample:
    """A person as shown in the preview: file row (None when absent from the file), key, name, unit, what changes."""

    row: int | None
    employee_number: str
    name: str
    organisation_code: str | None
    changes: tuple[str, ...] = ()


def _zero_counts() -> dict[ChangeKind, int]:
    return dict.fromkeys(ChangeKind, 0)


def _no_samples() -> dict[ChangeKind, list[Sample]]:
    return {kind: [] for kind in ChangeKind}


@dataclass
class ImportReport:
    """The outcome of a dry run or an apply; `applied` is True only when the changes were written."""

    mode: ImportMode
    scope_codes: tuple[str, ...]
    file_sha256: str = ""
    file_format: str = ""  # "csv" or "xlsx"
    encoding: str = ""  # of a CSV file: "utf-8", "utf-8-sig", "utf-16" or "cp1252"
    delimiter: str = ""  # of a CSV file
    rows: int = 0
    counts: dict[ChangeKind, int] = field(default_factory=_zero_counts)
    samples: dict[ChangeKind, list[Sample]] = field(default_factory=_no_samples)
    problems: list[Problem] = field(default_factory=list)
    problem_total: int = 0
    problem_kinds: Counter[tuple[str, str]] = field(default_factory=Counter)
    ignored_columns: list[str] = field(default_factory=list)
    applied: bool = False

    @property
    def valid(self) -> bool:
        return self.problem_total == 0

    @property
    def changes(self) -> int:
        return sum(count for kind, count in self.counts.items() if kind is not ChangeKind.UNCHANGED)

    def add_problem(self, problem: Problem) -> None:
        self.problem_total += 1
        self.problem_kinds[(problem.code, problem.column or "")] += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def count(self, kind: ChangeKind, sample: Sample | None = None) -> None:
        self.counts[kind] += 1
        if sample is not None and len(self.samples[kind]) < SAMPLE_SIZE:
            self.samples[kind].append(sample)

    def wants_sample(self, kind: ChangeKind) -> bool:
        return len(self.samples[kind]) < SAMPLE_SIZE

    def audit_details(self) -> dict[str, Any]:
        """Counts and codes only: an audit event never holds names or e-mail addresses."""
        return {
            "mode": self.mode.value,
            "scope": list(self.scope_codes) or ["*"],
            "rows": self.rows,
            **{kind.value: count for kind, count in self.counts.items()},
            "file_sha256": self.file_sha256,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode.value,
            "scope_codes": list(self.scope_codes),
            "file_sha256": self.file_sha256,
            "file_format": self.file_format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "rows": self.rows,
            "counts": {kind.value: count for kind, count in self.counts.items()},
            "samples": {kind.value: [asdict(s) for s in samples] for kind, samples in self.samples.items()},
            "problems": [asdict(p) for p in self.problems],
            "problem_total": self.problem_total,
            "problem_kinds": [[code, column, count] for (code, column), count in self.problem_kinds.items()],
            "ignored_columns": self.ignored_columns,
            "applied": self.applied,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportReport:
        return cls(
            mode=ImportMode(data["mode"]),
            scope_codes=tuple(data["scope_codes"]),
            file_sha256=data["file_sha256"],
            file_format=data["file_format"],
            encoding=data["encoding"],
            delimiter=data["delimiter"],
            rows=data["rows"],
            counts={kind: data["counts"].get(kind.value, 0) for kind in ChangeKind},
            samples={
                kind: [Sample(**{**s, "changes": tuple(s["changes"])}) for s in data["samples"].get(kind.value, [])]
                for kind in ChangeKind
            },
            problems=[Problem(**p) for p in data["problems"]],
            problem_total=data["problem_total"],
            problem_kinds=Counter({(code, column): count for code, column, count in data["problem_kinds"]}),
            ignored_columns=list(data["ignored_columns"]),
            applied=data["applied"],
        )
