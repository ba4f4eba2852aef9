"""The facts of the accessibility statement: the settings, and the latest automated audit as the browser tests wrote it.

The browser accessibility tests write `elearning/data/accessibility-audit.json` (ELEARNING_ACCESSIBILITY_AUDIT):

    {"checked_on": "YYYY-MM-DD", "standard": "WCAG 2.1 AA", "tool": "...", "method": "...",
     "pages": [{"path": "/learn/", "title": "...", "language": "nl", "viewport": "1280x800",
                "violations": [{"id": "...", "impact": "...", "help": "...", "nodes": 3}]}],
     "open_violations": 0}

It is read when the statement is first shown and again only when the file changes (its modification time and size),
so a new audit shows without a restart. A missing file means no audit has been recorded; a file that cannot be read
is reported as such. Nothing is ever made up: the page shows exactly what the file says.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from threading import Lock
from typing import Any

from ..config import ACCESSIBILITY_STATUSES as STATUSES

log = logging.getLogger(__name__)

__all__ = ["STATUSES", "Audit", "AuditFile", "AuditFileError", "AuditState", "KnownProblem", "parse_audit"]


class AuditFileError(ValueError):
    """The audit file exists but does not hold an audit in the agreed form."""


@dataclass(frozen=True)
class Violation:
    id: str
    impact: str
    help: str
    nodes: int


@dataclass(frozen=True)
class AuditedPage:
    path: str
    title: str
    language: str
    viewport: str
    violations: tuple[Violation, ...]


@dataclass(frozen=True)
class KnownProblem:
    """One kind of violation over every audited page: what it is, how serious, where, how many elements."""

    id: str
    impact: str
    help: str
    nodes: int
    pages: tuple[str, ...]


@dataclass(frozen=True)
class Audit:
    checked_on: date
    standard: str
    tool: str
    method: str
    pages: tuple[AuditedPage, ...]
    open_violations: int

    def known_problems(self) -> list[KnownProblem]:
        """The violations grouped by rule, the most serious and most frequent first."""
        grouped: dict[str, list[tuple[AuditedPage, Violation]]] = {}
        for page in self.pages:
            for violation in page.violations:
                grouped.setdefault(violation.id, []).append((page, violation))
        problems = [
            KnownProblem(
                id=rule,
                impact=found[0][1].impact,
                help=found[0][1].help,
                nodes=sum(v.nodes for _page, v in found),
                pages=tuple(dict.fromkeys(page.path for page, _v in found)),
            )
            for rule, found in grouped.items()
        ]
        order = {"critical": 0, "serious": 1, "moderate": 2, "minor": 3}
        return sorted(problems, key=lambda p: (order.get(p.impact, 4), -p.nodes, p.id))


@dataclass(frozen=True)
class AuditState:
    """What the statement can say about the audit: the audit, or why there is none."""

    audit: Audit | None
    missing: bool = False  # no file: no automated audit recorded yet
    unreadable: bool = False  # a file that is not an audit


def _text(data: dict[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise AuditFileError(f"{where}: '{key}' must be text")
    return value.strip()


def _count(data: dict[str, Any], key: str, where: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise AuditFileError(f"{where}: '{key}' must be a whole number of 0 or more")
    return value


def parse_audit(data: Any) -> Audit:
    """An Audit from the decoded JSON; AuditFileError naming the first field that is not as agreed."""
    if not isinstance(data, dict):
        raise AuditFileError("the audit must be a JSON object")
    try:
        checked_on = date.fromisoformat(_text(data, "checked_on", "audit"))
    except ValueError as exc:
        raise AuditFileError("audit: 'checked_on' must be a date YYYY-MM-DD") from exc
    raw_pages = data.get("pages")
    if not isinstance(raw_pages, list):
        raise AuditFileError("audit: 'pages' must be a list")
    pages = []
    for number, raw in enumerate(raw_pages, start=1):
        where = f"page {number}"
        if not isinstance(raw, dict):
            raise AuditFileError(f"{where} must be an object")
        raw_violations = raw.get("violations", [])
        if not isinstance(raw_violations, list):
            raise AuditFileError(f"{where}: 'violations' must be a list")
        violations = []
        for index, item in enumerate(raw_violations, start=1):
            spot = f"{where}, violation {index}"
            if not isinstance(item, dict):
                raise AuditFileError(f"{spot} must be an object")
            violations.append(
                Violation(
                    id=_text(item, "id", spot),
                    impact=str(item.get("impact") or "unknown"),
                    help=_text(item, "help", spot),
                    nodes=_count(item, "nodes", spot),
                )
            )
        pages.append(
            AuditedPage(
                path=_text(raw, "path", where),
                title=str(raw.get("title") or ""),
                language=str(raw.get("language") or ""),
                viewport=str(raw.get("viewport") or ""),
                violations=tuple(violations),
            )
        )
    return Audit(
        checked_on=checked_on,
        standard=_text(data, "standard", "audit"),
        tool=_text(data, "tool", "audit"),
        method=_text(data, "method", "audit"),
        pages=tuple(pages),
        open_violations=_count(data, "open_violations", "audit"),
    )


class AuditFile:
    """The audit at one path, read once and again only after the file changed."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = Lock()
        self._stamp: tuple[int, int] | None = None
        self._state = AuditState(None, missing=True)

    def state(self) -> AuditState:
        try:
            stat = self.path.stat()
        except OSError:
            return AuditState(None, missing=True)
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if stamp != self._stamp:
                self._state = self._read()
                self._stamp = stamp
            return self._state

    def _read(self) -> AuditState:
        try:
            return AuditState(parse_audit(json.loads(self.path.read_text(encoding="utf-8"))))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, AuditFileError) as exc:
            log.warning("accessibility audit %s cannot be read: %s", self.path, exc)
            return AuditState(None, unreadable=True)
