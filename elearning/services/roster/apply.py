"""Applying a checked roster: bulk writes a batch at a time, each batch its own short transaction, safe to rerun."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from ...content import Catalog
from ...i18n import _l
from ...models import Person, utcnow
from .. import enrolments
from ..audit import record
from ..errors import InvalidInput
from .read import file_sha256
from .report import ChangeKind, ImportMode, ImportReport, Problem, Sample
from .validate import DEFAULT_LANGUAGES, Decision, RosterPass, check_file

AUDIT_ACTION = "people.import"
ANALYZE_AFTER = 5_000  # new people before PostgreSQL's planner statistics are worth refreshing


class ImportInterrupted(InvalidInput):
    """The data changed between the check and a batch; what was written stays, a rerun of the file finishes it."""


def apply_import(
    session: Session,
    path: Path,
    importer: Person | None,
    *,
    mode: ImportMode,
    today: date,
    end_transaction: Callable[[], None],
    scope_codes: Sequence[str] = (),
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    catalog: Catalog | None = None,
) -> ImportReport:
    """Check the whole file, then, only if it has no problem at all, write it in batches.

    With a catalogue, the enrolments follow at once: joiners and movers get their assignments with their own due
    dates, leavers' duties are withdrawn (otherwise the nightly `flask assignments sync` does it).

    Returns the dry run's report (applied False) when the file has problems: nothing is written then.
    `end_transaction` ends each batch's transaction (the caller's session.commit); it is also called once after the
    check, so that no write starts from an old read snapshot. One "people.import" audit event goes with the first
    batch when anything changes. A crash between batches leaves whole batches applied: importing the same file again
    finishes the job (what was written is unchanged the second time).
    """
    checked = check_file(session, path, importer, mode, today, scope_codes, languages)
    end_transaction()
    if not checked.report.valid:
        return checked.report
    report = ImportReport(
        mode,
        checked.report.scope_codes,
        file_sha256=file_sha256(path),
        file_format=checked.report.file_format,
        encoding=checked.report.encoding,
        delimiter=checked.report.delimiter,
        ignored_columns=checked.report.ignored_columns,
    )
    if report.file_sha256 != checked.report.file_sha256:
        raise ImportInterrupted(_l("The file changed while it was being checked. Nothing was changed; try again."))
    if checked.report.changes:
        # With the first batch: no change is ever committed without its audit event.
        record(session, importer, AUDIT_ACTION, "roster", **checked.report.audit_details())
    # SQLite has one writer: the sync goes with each batch, so learners never wait for more than a batch. PostgreSQL
    # does not block learners; there one sync after the last batch, a committed step at a time, is much faster.
    per_batch = catalog is not None and session.get_bind().dialect.name == "sqlite"
    run = RosterPass(session, checked.context, report)
    run.follow(checked)  # rows the check found unchanged are passed over; the same bytes, so the same rows
    statistics = _PlannerStatistics(session)
    for decisions, problems in run.batches(path):
        if problems or report.problem_total:
            raise ImportInterrupted(_interrupted(report, problems))
        _write(session, decisions)
        for decision in decisions:
            report.count(decision.kind, run.sample(decision) if report.wants_sample(decision.kind) else None)
        statistics.grown(sum(1 for d in decisions if d.kind is ChangeKind.CREATED))
        if per_batch and catalog is not None:  # in the batch's own transaction: joiners, movers and leavers
            enrolments.sync_people(session, catalog, _changed_ids(session, decisions), today, now=utcnow())
        end_transaction()
    if report.problem_total:
        raise ImportInterrupted(_interrupted(report, []))
    report.counts[ChangeKind.UNCHANGED] += run.skipped
    for gone in run.absentees():
        session.execute(
            update(Person)
            .where(Person.id.in_([person.id for person in gone]))
            .values(active=False)
            .execution_options(synchronize_session=False)
        )
        for person in gone:
            report.count(
                ChangeKind.DEACTIVATED, Sample(None, person.employee_number, person.name, person.organisation_code)
            )
        if per_batch and catalog is not None:
            enrolments.sync_people(session, catalog, [person.id for person in gone], today, now=utcnow())
        end_transaction()
    statistics.done()
    end_transaction()
    if catalog is not None and not per_batch and report.changes:
        enrolments.sync(session, catalog, today, now=utcnow(), checkpoint=end_transaction)
        end_transaction()
    report.applied = True
    return report


class _PlannerStatistics:
    """Refreshes PostgreSQL's statistics of the person table while an import fills it.

    Without them the planner keeps the plans it made for the empty table (sequential scans) for the key lookups of
    every later batch, and an initial load of 200,000 people slows down to minutes. ANALYZE samples a fixed number
    of rows and blocks neither readers nor writers; it runs each time the table has doubled, and once at the end.
    """

    def __init__(self, session: Session):
        self.session = session
        self.enabled = session.get_bind().dialect.name == "postgresql"
        self.rows = (session.scalar(select(func.count()).select_from(Person)) or 0) if self.enabled else 0
        self.added = 0

    def grown(self, created: int) -> None:
        self.added += created
        if self.enabled and self.added >= max(ANALYZE_AFTER, self.rows):
            self._analyze()

    def done(self) -> None:
        if self.enabled and self.added >= max(ANALYZE_AFTER, self.rows // 10):
            self._analyze()

    def _analyze(self) -> None:
        self.session.execute(text("ANALYZE person"))
        self.rows += self.added
        self.added = 0


def _write(session: Session, decisions: list[Decision]) -> None:
    """One executemany INSERT for the new people and one UPDATE by primary key for the changed ones."""
    created = [d.values for d in decisions if d.kind is ChangeKind.CREATED]
    changed = [
        {"id": d.person_id, **d.values} for d in decisions if d.kind not in (ChangeKind.CREATED, ChangeKind.UNCHANGED)
    ]
    if created:
        session.execute(insert(Person), created)
    if changed:
        session.execute(update(Person), changed)


def _changed_ids(session: Session, decisions: list[Decision]) -> list[int]:
    """The people a batch created or changed (new people have their ids only now)."""
    numbers = [d.values["employee_number"] for d in decisions if d.kind is not ChangeKind.UNCHANGED]
    if not numbers:
        return []
    return list(session.scalars(select(Person.id).where(Person.employee_number.in_(numbers))))


def _interrupted(report: ImportReport, problems: list[Problem]) -> str:
    found = report.problems or problems
    detail = f" ({found[0].where()}: {found[0].message})" if found else ""
    return str(
        _l(
            "The data changed while the import ran, so it stopped%(detail)s. The batches before it were applied; "
            "check the file and import it again to finish.",
            detail=detail,
        )
    )
