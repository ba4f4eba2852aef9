"""One streaming pass over a roster: every row checked, then compared with the stored people a batch at a time."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...i18n import _l
from ...models import OrganisationUnit, Person
from .columns import MAX_LENGTHS, Field, Layout, RosterRow, RowParser, read_layout, text
from .read import Cell, UnreadableFile, file_sha256, open_table
from .report import ChangeKind, ImportMode, ImportReport, Problem, Sample
from .scope import ImportScope, import_scope

# Rows compared (and, when applying, written and committed) together: small enough for short transactions.
BATCH_SIZE = 2_000
# Stored people scanned per query when looking for those a full roster leaves out.
ABSENT_CHUNK = 5_000

PERSON_COLUMNS = (
    Person.id,
    Person.employee_number,
    Person.name,
    Person.email,
    Person.organisation_id,
    Person.is_manager,
    Person.preferred_language,
    Person.active,
    Person.start_date,
    Person.end_date,
)
COLUMN_INDEX = {column.key: index for index, column in enumerate(PERSON_COLUMNS)}
# Person attribute → the roster field name the preview shows, where they differ.
_PUBLIC_NAMES = {"organisation_id": Field.ORGANISATION_CODE.value, "preferred_language": Field.LANGUAGE.value}


@dataclass(frozen=True, slots=True)
class Unit:
    id: int
    code: str
    path: str
    closed: bool


class Units:
    """Every organisation unit by code and id (a few thousand at most), loaded once per pass."""

    def __init__(self, session: Session):
        rows = session.execute(
            select(OrganisationUnit.id, OrganisationUnit.code, OrganisationUnit.path, OrganisationUnit.closed_at)
        ).all()
        units = [Unit(id_, code, path, closed_at is not None) for id_, code, path, closed_at in rows]
        self.by_id = {unit.id: unit for unit in units}
        self.by_code = {unit.code: unit for unit in units}
        folded: dict[str, list[Unit]] = {}
        for unit in units:
            folded.setdefault(unit.code.casefold(), []).append(unit)
        # A code in other capitals is accepted only when that leaves no doubt.
        self.by_folded = {key: found[0] for key, found in folded.items() if len(found) == 1}

    def find(self, code: str) -> Unit | None:
        return self.by_code.get(code) or self.by_folded.get(code.casefold())


@dataclass(frozen=True)
class ImportContext:
    """Everything a pass needs to decide, fixed for its whole run."""

    mode: ImportMode
    scope: ImportScope
    today: date
    languages: Sequence[str]
    importer_id: int | None


@dataclass(slots=True)
class Decision:
    """What to do with one valid row: the kind, the stored person (None: new) and the values to write."""

    row: RosterRow
    kind: ChangeKind
    person_id: int | None
    values: dict[str, Any]
    changes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Absentee:
    """An active person in scope whom this import deactivates without a row of theirs in the file."""

    id: int
    employee_number: str
    name: str
    organisation_code: str | None


def _problem(
    row: RosterRow | int | None, layout: Layout | None, field_: Field | None, code: str, message: object
) -> Problem:
    number = row.row if isinstance(row, RosterRow) else row
    column = layout.columns.get(field_) if layout is not None and field_ is not None else None
    return Problem(number, column.header if column else None, column.letter if column else None, code, str(message))


@dataclass
class RosterPass:
    """Reads, checks and compares one file; problems and row count go to `report`, decisions come per batch."""

    session: Session
    context: ImportContext
    report: ImportReport
    units: Units = field(init=False)
    layout: Layout | None = field(init=False, default=None)
    seen_numbers: dict[str, int] = field(init=False, default_factory=dict)
    seen_emails: dict[str, int] = field(init=False, default_factory=dict)
    complete: bool = field(init=False, default=False)  # the whole file was read under a valid header
    # Row numbers (as indexes) whose decision is a change: one byte per row. Set by the check, so that the apply
    # can pass over the rows that change nothing without parsing or comparing them again.
    changing: bytearray = field(init=False, default_factory=bytearray)
    only_changing: bytearray | None = field(init=False, default=None)
    skipped: int = field(init=False, default=0)

    def follow(self, checked: RosterPass) -> None:
        """Apply what `checked` (a pass over the same bytes) found: only its changing rows, with its keys."""
        self.only_changing = checked.changing
        self.seen_numbers = checked.seen_numbers
        self.seen_emails = checked.seen_emails

    def __post_init__(self) -> None:
        self.units = Units(self.session)

    def batches(self, path: Path) -> Iterator[tuple[list[Decision], list[Problem]]]:
        """Decisions and database-dependent problems per batch of valid rows; row problems go to the report."""
        try:
            with open_table(path) as table:
                self.report.file_format = table.file_format
                self.report.encoding = table.encoding
                self.report.delimiter = table.delimiter
                layout, problems = read_layout(table.header)
                self.layout = layout
                self.report.ignored_columns = layout.ignored
                for problem in problems:
                    self.report.add_problem(problem)
                if problems:
                    return
                batch: list[RosterRow] = []
                parse = RowParser(layout, self.context.languages)
                only = self.only_changing
                for number, cells in table.rows:
                    self.report.rows += 1
                    if only is not None and (number >= len(only) or not only[number]):
                        self.skipped += 1
                        continue
                    row = self._check(number, cells, parse)
                    if row is not None:
                        batch.append(row)
                    if len(batch) >= BATCH_SIZE:
                        yield self.decide(batch)
                        batch = []
                if batch:
                    yield self.decide(batch)
                self.complete = True
        except UnreadableFile as exc:
            self.report.add_problem(Problem(exc.row, None, None, "unreadable_file", str(exc)))
            return
        if self.report.rows == 0 and self.context.mode is ImportMode.FULL:
            self.report.add_problem(
                _problem(
                    None,
                    None,
                    None,
                    "no_rows",
                    _l("The file holds no people. As a full roster it would deactivate everyone in scope."),
                )
            )

    def _check(self, number: int, cells: list[Cell], parse: RowParser) -> RosterRow | None:
        """The row's values if the row is valid on its own and within the file; else its problems are reported."""
        row, problems = parse(number, cells)
        layout = parse.layout
        if row is not None:
            keys = [row.employee_number, row.email, row.organisation_code]
        else:  # still check what can be checked, so that one upload lists every problem
            keys = [_key(cells, layout, f) for f in (Field.EMPLOYEE_NUMBER, Field.EMAIL, Field.ORGANISATION_CODE)]
        for field_, key, seen in (
            (Field.EMPLOYEE_NUMBER, keys[0], self.seen_numbers),
            (Field.EMAIL, keys[1], self.seen_emails),
        ):
            if key and (first := seen.setdefault(key, number)) != number:
                problems.append(_repeated(number, layout, field_, key, first))
        code = keys[2]
        if code and len(code) <= MAX_LENGTHS[Field.ORGANISATION_CODE]:
            problem = self._unit_problem(number, layout, code)
            if problem is not None:
                problems.append(problem)
        for problem in problems:
            self.report.add_problem(problem)
        return row if not problems else None

    def _unit_problem(self, number: int, layout: Layout, code: str) -> Problem | None:
        unit = self.units.find(code)
        if unit is None:
            message = _l("Unknown organisation code %(code)s.", code=code)
            kind = "unknown_unit"
        elif unit.closed:
            message = _l("Organisation unit %(code)s is closed.", code=unit.code)
            kind = "closed_unit"
        elif not self.context.scope.covers(unit.path):
            message = _l("Unit %(code)s lies outside the units you may import for.", code=unit.code)
            kind = "unit_out_of_scope"
        else:
            return None
        return _problem(number, layout, Field.ORGANISATION_CODE, kind, message)

    def decide(self, rows: list[RosterRow]) -> tuple[list[Decision], list[Problem]]:
        """Compare a batch with the people stored under the same employee numbers and e-mail addresses."""
        # Core rows, not ORM entities: a few thousand plain tuples per batch.
        connection = self.session.connection()
        numbers = [row.employee_number for row in rows]
        emails = [row.email for row in rows]
        by_number = {
            r.employee_number: r
            for r in connection.execute(select(*PERSON_COLUMNS).where(Person.employee_number.in_(numbers)))
        }
        by_email = {r.email: r for r in connection.execute(select(*PERSON_COLUMNS).where(Person.email.in_(emails)))}
        decisions: list[Decision] = []
        problems: list[Problem] = []
        for row in rows:
            decision = self._decide_one(row, by_number.get(row.employee_number), by_email.get(row.email), problems)
            if decision is not None:
                decisions.append(decision)
        return decisions, problems

    def _decide_one(self, row: RosterRow, stored: Any, owner: Any, problems: list[Problem]) -> Decision | None:
        layout = self.layout
        if layout is None:
            raise RuntimeError("the roster layout is not known yet")
        if stored is None and owner is not None and owner.employee_number is None:
            stored = owner  # an account made before the roster knew it (e.g. an administrator): adopted by e-mail
        elif owner is not None and (stored is None or owner.id != stored.id):
            problems.append(
                _problem(
                    row,
                    layout,
                    Field.EMAIL,
                    "email_taken",
                    _l("The e-mail address %(email)s is already used by another person.", email=row.email),
                )
            )
            return None
        if stored is not None and not self.context.scope.covers(self._path(stored.organisation_id)):
            problems.append(
                _problem(
                    row,
                    layout,
                    Field.EMPLOYEE_NUMBER,
                    "person_out_of_scope",
                    _l(
                        "Employee number %(value)s belongs to a person outside the units you may import for.",
                        value=row.employee_number,
                    ),
                )
            )
            return None
        unit = self.units.find(row.organisation_code)
        if unit is None:
            raise RuntimeError("a checked row names an unknown unit")
        values: dict[str, Any] = {
            "employee_number": row.employee_number,
            "name": row.name,
            "email": row.email,
            "organisation_id": unit.id,
        }
        new = stored is None
        if new or layout.has(Field.IS_MANAGER):
            values["is_manager"] = row.is_manager
        if new or layout.has(Field.LANGUAGE):
            values["preferred_language"] = row.language
        if new or layout.has(Field.START_DATE):
            values["start_date"] = row.start_date
        if new or layout.has(Field.END_DATE):
            values["end_date"] = row.end_date
        end_date = values["end_date"] if "end_date" in values else stored[COLUMN_INDEX["end_date"]]
        values["active"] = end_date is None or end_date >= self.context.today
        if stored is None:
            return Decision(row, ChangeKind.CREATED, None, values, ())
        if stored.id == self.context.importer_id and not values["active"]:
            problems.append(
                _problem(
                    row,
                    layout,
                    Field.END_DATE,
                    "deactivates_importer",
                    _l("This row would deactivate your own account; ask another HR adviser or an administrator."),
                )
            )
            return None
        changes = tuple(
            _PUBLIC_NAMES.get(attribute, attribute)
            for attribute, value in values.items()
            if attribute != "active" and stored[COLUMN_INDEX[attribute]] != value
        )
        if values["active"] and not stored.active:
            kind = ChangeKind.REACTIVATED
        elif stored.active and not values["active"]:
            kind = ChangeKind.DEACTIVATED
        else:
            kind = ChangeKind.UPDATED if changes else ChangeKind.UNCHANGED
        return Decision(row, kind, stored.id, values, changes)

    def _path(self, organisation_id: int | None) -> str | None:
        unit = self.units.by_id.get(organisation_id) if organisation_id is not None else None
        return unit.path if unit else None

    def absentees(self) -> Iterator[list[Absentee]]:
        """Active people in scope to deactivate although the file has no row for them, in key-ordered chunks.

        A full roster deactivates everyone it leaves out; any import deactivates those whose stored end date has
        passed. People without an employee number (accounts not from the roster) are never touched.
        """
        query = (
            select(Person.id, Person.employee_number, Person.name, OrganisationUnit.code)
            .outerjoin(OrganisationUnit, OrganisationUnit.id == Person.organisation_id)
            .where(Person.active.is_(True), Person.employee_number.is_not(None))
            .order_by(Person.employee_number)
            .limit(ABSENT_CHUNK)
        )
        if not self.context.scope.whole_tree:
            query = query.where(self.context.scope.clause())
        if self.context.mode is ImportMode.PARTIAL:
            query = query.where(Person.end_date < self.context.today)
        last: str | None = None
        while True:
            chunk = (
                self.session.connection()
                .execute(query if last is None else query.where(Person.employee_number > last))
                .all()
            )
            if not chunk:
                return
            last = chunk[-1].employee_number
            gone = [
                Absentee(id_, number, name, code)
                for id_, number, name, code in chunk
                if number is not None and number not in self.seen_numbers
            ]
            if gone:
                yield gone

    def mark(self, decision: Decision) -> None:
        """Remember that this decision's row changes something (see `changing`)."""
        if decision.kind is not ChangeKind.UNCHANGED:
            number = decision.row.row
            if number >= len(self.changing):
                self.changing.extend(bytes(number - len(self.changing) + 4096))
            self.changing[number] = 1

    def sample(self, decision: Decision) -> Sample:
        return Sample(
            decision.row.row,
            decision.row.employee_number,
            decision.row.name,
            decision.row.organisation_code,
            decision.changes,
        )


def _repeated(number: int, layout: Layout, field_: Field, key: str, first: int) -> Problem:
    """The problem of a key that an earlier row already has, naming that row."""
    if field_ is Field.EMPLOYEE_NUMBER:
        message = _l("Employee number %(value)s also appears in row %(row)s.", value=key, row=first)
        return _problem(number, layout, field_, "duplicate_employee_number", message)
    message = _l("This e-mail address also appears in row %(row)s.", row=first)
    return _problem(number, layout, field_, "duplicate_email", message)


def _key(cells: list[Cell], layout: Layout, field_: Field) -> str:
    """A key cell as the parsers will see it (e-mail in lower case), read before and apart from parsing."""
    column = layout.columns[field_]
    key = " ".join(text(cells[column.index] if column.index < len(cells) else None).split())
    return key.lower() if field_ is Field.EMAIL else key


DEFAULT_LANGUAGES = ("nl", "en")


def preview_import(
    session: Session,
    path: Path,
    importer: Person | None,
    *,
    mode: ImportMode,
    today: date,
    scope_codes: Sequence[str] = (),
    languages: Sequence[str] = DEFAULT_LANGUAGES,
) -> ImportReport:
    """The dry run: every problem, and what applying would create, update, (re)activate or leave; writes nothing.

    `importer` None is the system (the command line): the whole tree, or the units in `scope_codes`.
    Forbidden for a person who is neither HR nor admin, or who asks for units outside their scope.
    """
    return check_file(session, path, importer, mode, today, scope_codes, languages).report


def check_file(
    session: Session,
    path: Path,
    importer: Person | None,
    mode: ImportMode,
    today: date,
    scope_codes: Sequence[str],
    languages: Sequence[str],
) -> RosterPass:
    """The dry run's pass, kept whole: the apply follows it (its changing rows and its key sets)."""
    context = ImportContext(
        mode, import_scope(session, importer, scope_codes), today, tuple(languages), importer.id if importer else None
    )
    report = ImportReport(mode, context.scope.codes, file_sha256=file_sha256(path))
    run = RosterPass(session, context, report)
    for decisions, problems in run.batches(path):
        for problem in problems:
            report.add_problem(problem)
        for decision in decisions:
            run.mark(decision)
            report.count(decision.kind, run.sample(decision) if report.wants_sample(decision.kind) else None)
    if run.complete:
        for gone in run.absentees():
            for person in gone:
                if person.id == context.importer_id:
                    message = _l("This import would deactivate your own account, which is not in the file.")
                    report.add_problem(_problem(None, None, None, "deactivates_importer", message))
                sample = Sample(None, person.employee_number, person.name, person.organisation_code)
                report.count(ChangeKind.DEACTIVATED, sample)
    return run
