"""Assignments: which module an organisation subtree must do by when; managed by HR within its scope, or admin."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.sql.expression import ColumnElement

from ..content import Catalog
from ..i18n import _l
from ..models import DEFAULT_REMINDER_DAYS, Assignment, Enrolment, OrganisationUnit, Person, Role
from . import audit, enrolments
from .authz import hr_scopes
from .enrolments import StatusCounts, SyncResult
from .errors import Forbidden, InvalidInput, NotFound
from .idempotency import claim
from .sql_dates import add_days, later_date, utc_date

FIXED = "fixed"
AFTER_START = "after_start"
DUE_RULES = (FIXED, AFTER_START)
MAX_DAYS_AFTER_START = 3650
RECURRENCE_MONTHS = (1, 120)
REMINDER_DAYS = (-60, 365)
MAX_ESCALATION_DAYS = 365


class AssignmentInvalid(InvalidInput):
    """Bad input for an assignment: one message per form field, so that the form can show each at its field."""

    def __init__(self, errors: dict[str, Any]):
        self.errors = {name: str(message) for name, message in errors.items()}
        super().__init__(" ".join(self.errors.values()))


@dataclass(frozen=True)
class AssignmentInput:
    """What HR fills in on the assignment form."""

    module_slug: str
    organisation_id: int | None
    due_rule: str = FIXED
    due_on: date | None = None
    due_days_after_start: int | None = None
    managers_only: bool = False
    recurrence_months: int | None = None
    requires_current_version: bool = False
    reminder_days: str = DEFAULT_REMINDER_DAYS
    escalate_after_days: int | None = None


@dataclass(frozen=True)
class Saved:
    """An assignment just saved, what the sync did for its audience, and notes for the person who saved it."""

    assignment: Assignment
    sync: SyncResult
    notices: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class AssignmentRow:
    """An assignment on the list page, with its counts."""

    assignment: Assignment
    counts: StatusCounts


def may_manage(person: Person) -> bool:
    """Whether to offer the assignment pages at all (which units is decided by the scopes)."""
    return person.has_role(Role.HR) or person.has_role(Role.ADMIN)


def _scopes(session: Session, actor: Person) -> list[OrganisationUnit]:
    if not may_manage(actor):
        raise Forbidden("role hr or admin required")
    scopes = hr_scopes(session, actor)
    if not scopes:
        raise Forbidden("no organisation scope")
    return scopes


def _in_scopes(unit: OrganisationUnit, scopes: list[OrganisationUnit]) -> bool:
    return any(unit.path.startswith(scope.path) for scope in scopes)


def manageable_units(session: Session, actor: Person) -> list[OrganisationUnit]:
    """The open units the actor may assign modules to: every unit within their HR subtrees (admins: all)."""
    scopes = _scopes(session, actor)
    query = (
        select(OrganisationUnit)
        .where(OrganisationUnit.closed_at.is_(None), _any_prefix([scope.path for scope in scopes]))
        .order_by(OrganisationUnit.path)
    )
    return list(session.scalars(query))


def _any_prefix(paths: list[str]) -> ColumnElement[bool]:
    return or_(*(OrganisationUnit.path.startswith(path, autoescape=True) for path in paths))


def list_assignments(session: Session, actor: Person, today: date) -> list[AssignmentRow]:
    """The assignments of units within the actor's scope, running ones first, newest first, with status counts."""
    scopes = _scopes(session, actor)
    query = (
        select(Assignment)
        .join(OrganisationUnit, OrganisationUnit.id == Assignment.organisation_id)
        .options(joinedload(Assignment.organisation))
        .where(_any_prefix([scope.path for scope in scopes]))
        .order_by(Assignment.ended_at.is_not(None), Assignment.created_at.desc(), Assignment.id.desc())
    )
    assignments = list(session.scalars(query))
    counts = enrolments.counts_by_assignment(session, today, [a.id for a in assignments])
    return [AssignmentRow(a, counts.get(a.id, StatusCounts())) for a in assignments]


def get_assignment(session: Session, actor: Person, assignment_id: int) -> Assignment:
    """One assignment within the actor's scope; NotFound for one outside it (its existence is not revealed)."""
    scopes = _scopes(session, actor)
    assignment = session.get(Assignment, assignment_id)
    if assignment is None or not _in_scopes(assignment.organisation, scopes):
        raise NotFound("assignment")
    return assignment


def _checked(
    session: Session,
    catalog: Catalog,
    actor: Person,
    data: AssignmentInput,
    today: date,
    previous: Assignment | None,
) -> tuple[OrganisationUnit, AssignmentInput, list[str]]:
    """The unit (Forbidden outside the actor's scope), the cleaned input and notices; or every error at once."""
    scopes = _scopes(session, actor)
    unit = session.get(OrganisationUnit, data.organisation_id) if data.organisation_id is not None else None
    if unit is not None and not _in_scopes(unit, scopes):
        raise Forbidden("unit outside your scope")
    errors: dict[str, Any] = {}
    if unit is None or (unit.closed_at is not None and (previous is None or previous.organisation_id != unit.id)):
        errors["organisation_id"] = _l("Choose an organisation unit.")
    try:
        cleaned, notices = _validate(catalog, data, today, previous)
    except AssignmentInvalid as exc:
        errors |= exc.errors
    if errors or unit is None:
        raise AssignmentInvalid(errors)
    return unit, cleaned, notices


def parse_reminder_days(text: str) -> tuple[int, ...]:
    """Days relative to the due date, from "-7, 0, 7,14": sorted, without repeats; ValueError for anything else."""
    days = set()
    for part in text.split(","):
        if not part.strip():
            continue
        value = int(part.strip())
        if not REMINDER_DAYS[0] <= value <= REMINDER_DAYS[1]:
            raise ValueError(part)
        days.add(value)
    return tuple(sorted(days))


def _validate(
    catalog: Catalog, data: AssignmentInput, today: date, previous: Assignment | None
) -> tuple[AssignmentInput, list[str]]:
    """The input cleaned (managers' modules only for managers, reminder days normalised) and notices; or the errors."""
    errors: dict[str, Any] = {}
    notices: list[str] = []
    module = catalog.module(data.module_slug)
    if module is None:
        errors["module_slug"] = _l("Choose a module from the catalogue.")
    managers_only = data.managers_only
    if module is not None and module.audience == "managers" and not managers_only:
        managers_only = True
        notices.append(str(_l("This module is for managers only, so only managers in the unit are enrolled.")))
    due_on, days = data.due_on, data.due_days_after_start
    if data.due_rule == FIXED:
        days = None
        if due_on is None:
            errors["due_on"] = _l("Enter the date by which the module must be completed.")
        elif due_on < today and (previous is None or previous.due_on != due_on):
            errors["due_on"] = _l("The due date %(date)s has passed. Choose today or a later date.", date=due_on)
    elif data.due_rule == AFTER_START:
        due_on = None
        if days is None:
            errors["due_days_after_start"] = _l("Enter the number of days after the start date.")
        elif not 0 <= days <= MAX_DAYS_AFTER_START:
            errors["due_days_after_start"] = _l(
                "The number of days must be between 0 and %(max)s.", max=MAX_DAYS_AFTER_START
            )
    else:
        errors["due_rule"] = _l("Choose how the due date is set.")
    low, high = RECURRENCE_MONTHS
    if data.recurrence_months is not None and not low <= data.recurrence_months <= high:
        errors["recurrence_months"] = _l("Repeat every %(low)s to %(high)s months, or leave empty.", low=low, high=high)
    try:
        reminder_days = ",".join(str(day) for day in parse_reminder_days(data.reminder_days))
    except ValueError:
        reminder_days = data.reminder_days
        errors["reminder_days"] = _l(
            "Reminder days must be whole numbers from %(low)s to %(high)s, separated by commas, like -7,0,7,14.",
            low=REMINDER_DAYS[0],
            high=REMINDER_DAYS[1],
        )
    if data.escalate_after_days is not None and not 1 <= data.escalate_after_days <= MAX_ESCALATION_DAYS:
        errors["escalate_after_days"] = _l(
            "Escalation needs at least 1 and at most %(max)s days overdue, or leave it empty.",
            max=MAX_ESCALATION_DAYS,
        )
    if errors:
        raise AssignmentInvalid(errors)
    cleaned = AssignmentInput(
        module_slug=data.module_slug,
        organisation_id=data.organisation_id,
        due_rule=data.due_rule,
        due_on=due_on,
        due_days_after_start=days,
        managers_only=managers_only,
        recurrence_months=data.recurrence_months,
        requires_current_version=data.requires_current_version,
        reminder_days=reminder_days,
        escalate_after_days=data.escalate_after_days,
    )
    return cleaned, notices


def _apply(assignment: Assignment, data: AssignmentInput, unit: OrganisationUnit) -> None:
    assignment.organisation_id = unit.id
    assignment.managers_only = data.managers_only
    assignment.due_on = data.due_on
    assignment.due_days_after_start = data.due_days_after_start
    assignment.recurrence_months = data.recurrence_months
    assignment.requires_current_version = data.requires_current_version
    assignment.reminder_days = data.reminder_days
    assignment.escalate_after_days = data.escalate_after_days


def _details(assignment: Assignment, unit: OrganisationUnit) -> dict[str, Any]:
    """What the audit log keeps of an assignment: ids, codes and settings, no names."""
    return {
        "module": assignment.module_slug,
        "unit": unit.code,
        "managers_only": assignment.managers_only,
        "due_on": assignment.due_on.isoformat() if assignment.due_on else None,
        "due_days_after_start": assignment.due_days_after_start,
        "recurrence_months": assignment.recurrence_months,
        "requires_current_version": assignment.requires_current_version,
        "reminder_days": assignment.reminder_days,
        "escalate_after_days": assignment.escalate_after_days,
    }


def create(
    session: Session,
    catalog: Catalog,
    actor: Person,
    data: AssignmentInput,
    today: date,
    *,
    now: datetime,
    form_token: str | None,
) -> Saved | None:
    """Create an assignment and enrol its audience; None when this form was already handled (a double submit)."""
    unit, cleaned, notices = _checked(session, catalog, actor, data, today, None)
    if not claim(session, form_token):
        return None
    assignment = Assignment(module_slug=cleaned.module_slug, created_by_id=actor.id, created_at=now)
    _apply(assignment, cleaned, unit)
    session.add(assignment)
    session.flush()
    result = enrolments.sync_assignment(session, catalog, assignment.id, today, now=now)
    audit.record(
        session,
        actor,
        "assignment.create",
        f"assignment:{assignment.id}",
        **_details(assignment, unit),
        enrolled=result.enrolled,
        completed=result.completed,
    )
    return Saved(assignment, result, tuple(notices))


def edit(
    session: Session,
    catalog: Catalog,
    actor: Person,
    assignment_id: int,
    data: AssignmentInput,
    today: date,
    *,
    now: datetime,
) -> Saved:
    """Change a running assignment (not its module); open enrolments follow a new due rule, the audience is synced."""
    assignment = get_assignment(session, actor, assignment_id)
    if assignment.ended_at is not None:
        raise InvalidInput(_l("This assignment has ended and can no longer be changed."))
    if data.module_slug != assignment.module_slug:
        raise AssignmentInvalid(
            {"module_slug": _l("The module of an assignment cannot be changed; end it and create a new one.")}
        )
    unit, cleaned, notices = _checked(session, catalog, actor, data, today, assignment)
    before = _details(assignment, assignment.organisation)
    due_rule_changed = (assignment.due_on, assignment.due_days_after_start) != (
        cleaned.due_on,
        cleaned.due_days_after_start,
    )
    _apply(assignment, cleaned, unit)
    session.flush()
    if due_rule_changed:
        _move_open_due_dates(session, assignment)
    result = enrolments.sync_assignment(session, catalog, assignment.id, today, now=now)
    after = _details(assignment, unit)
    changed = sorted(key for key in after if after[key] != before[key])
    audit.record(
        session,
        actor,
        "assignment.edit",
        f"assignment:{assignment.id}",
        **after,
        changed=changed,
        enrolled=result.enrolled,
        withdrawn=result.withdrawn,
    )
    return Saved(assignment, result, tuple(notices))


def _move_open_due_dates(session: Session, assignment: Assignment) -> None:
    """Open first-cycle enrolments take the new due rule (later cycles keep theirs, set by a completion)."""
    if assignment.due_on is not None:
        due: Any = assignment.due_on
    else:
        start = select(Person.start_date).where(Person.id == Enrolment.person_id).scalar_subquery()
        due = add_days(later_date(start, utc_date(Enrolment.enrolled_at)), assignment.due_days_after_start)
    session.execute(
        update(Enrolment)
        .where(
            Enrolment.assignment_id == assignment.id,
            Enrolment.cycle == 0,
            Enrolment.completed_at.is_(None),
        )
        .values(due_on=due)
        .execution_options(synchronize_session=False)
    )
    enrolments.expire_loaded(session)


def end(session: Session, actor: Person, assignment_id: int, *, now: datetime) -> int:
    """End an assignment: nobody new is enrolled, open enrolments are withdrawn; history stays. Returns how many."""
    assignment = get_assignment(session, actor, assignment_id)
    if assignment.ended_at is not None:
        return 0
    assignment.ended_at = now
    result = session.execute(
        update(Enrolment)
        .where(
            Enrolment.assignment_id == assignment.id,
            Enrolment.completed_at.is_(None),
            Enrolment.withdrawn_at.is_(None),
        )
        .values(withdrawn_at=now)
        .execution_options(synchronize_session=False, preserve_rowcount=True)
    )
    withdrawn = max(int(getattr(result, "rowcount", 0) or 0), 0)
    enrolments.expire_loaded(session)
    audit.record(
        session,
        actor,
        "assignment.end",
        f"assignment:{assignment.id}",
        module=assignment.module_slug,
        unit=assignment.organisation.code,
        withdrawn=withdrawn,
    )
    return withdrawn
