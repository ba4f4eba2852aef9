"""Assignments: HR within its scope, admin everywhere; validation, audit, and the audience enrolled at once."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearning.content import Catalog, load_catalog
from elearning.models import Assignment, AuditEvent, Enrolment
from elearning.services import assignments
from elearning.services.assignments import AFTER_START, AssignmentInput, AssignmentInvalid, parse_reminder_days
from elearning.services.errors import Forbidden, InvalidInput, NotFound
from elearning.services.idempotency import new_token

from ..conftest import TEST_CONTENT, World

TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def catalog() -> Catalog:
    return load_catalog(TEST_CONTENT)


def _input(world: World, **values: object) -> AssignmentInput:
    values.setdefault("module_slug", "basis")
    values.setdefault("organisation_id", world.dg_a.id)
    values.setdefault("due_on", date(2026, 6, 1))
    return AssignmentInput(**values)  # type: ignore[arg-type]


def _create(db: Session, catalog: Catalog, world: World, actor: object = None, **values: object) -> assignments.Saved:
    saved = assignments.create(
        db, catalog, actor or world.hr_a, _input(world, **values), TODAY, now=NOW, form_token=new_token()
    )
    assert saved is not None
    db.commit()
    return saved


def _enrolled(db: Session, assignment: Assignment) -> set[int]:
    return set(
        db.scalars(
            select(Enrolment.person_id).where(
                Enrolment.assignment_id == assignment.id, Enrolment.withdrawn_at.is_(None)
            )
        )
    )


def test_create_enrols_the_audience_and_is_audited(world: World, db: Session, catalog: Catalog) -> None:
    saved = _create(db, catalog, world)
    assert saved.sync.enrolled == 4
    assert _enrolled(db, saved.assignment) == {world.employee.id, world.manager.id, world.author.id, world.hr_a.id}
    assert saved.assignment.created_by_id == world.hr_a.id
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "assignment.create"))
    assert event is not None and event.actor_id == world.hr_a.id
    assert event.target == f"assignment:{saved.assignment.id}"
    assert event.details["unit"] == "DG-A" and event.details["module"] == "basis" and event.details["enrolled"] == 4
    assert "hr-a@example.org" not in str(event.details)


def test_double_submit_creates_one_assignment(world: World, db: Session, catalog: Catalog) -> None:
    token = new_token()
    first = assignments.create(db, catalog, world.hr_a, _input(world), TODAY, now=NOW, form_token=token)
    second = assignments.create(db, catalog, world.hr_a, _input(world), TODAY, now=NOW, form_token=token)
    db.commit()
    assert first is not None and second is None
    assert db.scalar(select(func.count()).select_from(Assignment)) == 1


def test_hr_is_limited_to_its_subtree(world: World, db: Session, catalog: Catalog) -> None:
    with pytest.raises(Forbidden):
        _create(db, catalog, world, organisation_id=world.dg_b.id)
    with pytest.raises(Forbidden):
        _create(db, catalog, world, organisation_id=world.ministry.id)  # a parent is outside too
    assert _create(db, catalog, world, organisation_id=world.team_a1.id).sync.enrolled == 2
    for_b = _create(db, catalog, world, actor=world.hr_b, organisation_id=world.dg_b.id).assignment
    with pytest.raises(NotFound):
        assignments.get_assignment(db, world.hr_a, for_b.id)
    with pytest.raises(NotFound):
        assignments.end(db, world.hr_a, for_b.id, now=NOW)
    assert [row.assignment.id for row in assignments.list_assignments(db, world.hr_b, TODAY)] == [for_b.id]
    assert {u.code for u in assignments.manageable_units(db, world.hr_a)} == {"DG-A", "DG-A-1"}


def test_admin_may_assign_anywhere(world: World, db: Session, catalog: Catalog) -> None:
    saved = _create(db, catalog, world, actor=world.admin, organisation_id=world.ministry.id)
    assert saved.sync.enrolled == 7
    assert len(assignments.list_assignments(db, world.admin, TODAY)) == 1
    assert {u.code for u in assignments.manageable_units(db, world.admin)} == {"MIN", "DG-A", "DG-A-1", "DG-B"}


@pytest.mark.parametrize("who", ["employee", "manager", "author"])
def test_others_may_not_manage_assignments(world: World, db: Session, catalog: Catalog, who: str) -> None:
    person = getattr(world, who)
    with pytest.raises(Forbidden):
        _create(db, catalog, world, actor=person)
    with pytest.raises(Forbidden):
        assignments.list_assignments(db, person, TODAY)
    with pytest.raises(Forbidden):
        assignments.manageable_units(db, person)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"module_slug": "nope"}, "module_slug"),
        ({"due_on": TODAY - timedelta(days=1)}, "due_on"),
        ({"due_on": None}, "due_on"),
        ({"due_rule": AFTER_START, "due_on": None, "due_days_after_start": -1}, "due_days_after_start"),
        ({"due_rule": AFTER_START, "due_on": None}, "due_days_after_start"),
        ({"due_rule": "whenever"}, "due_rule"),
        ({"recurrence_months": 0}, "recurrence_months"),
        ({"recurrence_months": 121}, "recurrence_months"),
        ({"reminder_days": "-7,zero"}, "reminder_days"),
        ({"reminder_days": "-61"}, "reminder_days"),
        ({"reminder_days": "366"}, "reminder_days"),
        ({"escalate_after_days": 0}, "escalate_after_days"),
        ({"escalate_after_days": 10**12}, "escalate_after_days"),
        ({"recurrence_months": 10**12}, "recurrence_months"),
        ({"due_rule": AFTER_START, "due_on": None, "due_days_after_start": 10**12}, "due_days_after_start"),
        ({"organisation_id": None}, "organisation_id"),
        ({"organisation_id": 987654}, "organisation_id"),
    ],
)
def test_bad_input_names_the_field(
    world: World, db: Session, catalog: Catalog, values: dict[str, object], field: str
) -> None:
    with pytest.raises(AssignmentInvalid) as caught:
        _create(db, catalog, world, **values)
    assert caught.value.errors.get(field)
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Assignment)) == 0


def test_several_errors_come_together(world: World, db: Session, catalog: Catalog) -> None:
    with pytest.raises(AssignmentInvalid) as caught:
        _create(db, catalog, world, module_slug="nope", recurrence_months=500, escalate_after_days=-3)
    assert set(caught.value.errors) == {"module_slug", "recurrence_months", "escalate_after_days"}


def test_input_is_cleaned(world: World, db: Session, catalog: Catalog) -> None:
    saved = _create(
        db,
        catalog,
        world,
        due_rule=AFTER_START,
        due_days_after_start=0,
        reminder_days=" 14, -7 ,0,7,7,",
        recurrence_months=24,
        escalate_after_days=7,
    )
    a = saved.assignment
    assert (a.due_on, a.due_days_after_start, a.reminder_days) == (None, 0, "-7,0,7,14")
    assert (a.recurrence_months, a.escalate_after_days) == (24, 7)
    assert parse_reminder_days("") == ()


def test_managers_module_is_given_to_managers_only(world: World, db: Session, catalog: Catalog) -> None:
    saved = _create(db, catalog, world, module_slug="leiding")
    assert saved.assignment.managers_only is True
    assert saved.notices and "managers" in saved.notices[0]
    assert _enrolled(db, saved.assignment) == {world.manager.id}


def test_edit_moves_the_audience_and_due_dates(world: World, db: Session, catalog: Catalog) -> None:
    saved = _create(db, catalog, world)
    edited = assignments.edit(
        db,
        catalog,
        world.hr_a,
        saved.assignment.id,
        _input(world, organisation_id=world.team_a1.id, due_on=date(2026, 7, 1), managers_only=True),
        TODAY,
        now=NOW,
    )
    db.commit()
    assert edited.sync.withdrawn == 3
    assert _enrolled(db, saved.assignment) == {world.manager.id}
    due = db.scalar(select(Enrolment.due_on).where(Enrolment.person_id == world.manager.id))
    assert due == date(2026, 7, 1)
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "assignment.edit"))
    assert event is not None and set(event.details["changed"]) == {"unit", "due_on", "managers_only"}


def test_edit_to_a_relative_due_date(world: World, db: Session, catalog: Catalog) -> None:
    world.employee.start_date = date(2026, 4, 1)
    db.commit()
    saved = _create(db, catalog, world)
    assignments.edit(
        db,
        catalog,
        world.hr_a,
        saved.assignment.id,
        _input(world, due_rule=AFTER_START, due_on=None, due_days_after_start=10),
        TODAY + timedelta(days=5),
        now=NOW + timedelta(days=5),
    )
    db.commit()
    dues = {person_id: due for person_id, due in db.execute(select(Enrolment.person_id, Enrolment.due_on))}
    assert dues[world.employee.id] == date(2026, 4, 11)  # from the start date
    assert dues[world.manager.id] == TODAY + timedelta(days=10)  # from the day of enrolment


def test_edit_keeps_a_past_due_date_but_refuses_a_new_one(world: World, db: Session, catalog: Catalog) -> None:
    saved = _create(db, catalog, world)
    later = date(2026, 7, 1)
    assignments.edit(db, catalog, world.hr_a, saved.assignment.id, _input(world, recurrence_months=12), later, now=NOW)
    with pytest.raises(AssignmentInvalid) as caught:
        assignments.edit(
            db, catalog, world.hr_a, saved.assignment.id, _input(world, due_on=date(2026, 6, 2)), later, now=NOW
        )
    assert set(caught.value.errors) == {"due_on"}
    with pytest.raises(AssignmentInvalid):
        assignments.edit(
            db, catalog, world.hr_a, saved.assignment.id, _input(world, module_slug="toets"), later, now=NOW
        )


def test_end_withdraws_open_enrolments(world: World, db: Session, catalog: Catalog) -> None:
    saved = _create(db, catalog, world)
    assert assignments.end(db, world.hr_a, saved.assignment.id, now=NOW) == 4
    db.commit()
    assert _enrolled(db, saved.assignment) == set()
    assert db.scalar(select(func.count()).select_from(Enrolment)) == 4  # history stays
    assert assignments.end(db, world.hr_a, saved.assignment.id, now=NOW) == 0
    with pytest.raises(InvalidInput):
        assignments.edit(db, catalog, world.hr_a, saved.assignment.id, _input(world), TODAY, now=NOW)
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "assignment.end"))
    assert event is not None and event.details == {"module": "basis", "unit": "DG-A", "withdrawn": 4}


def test_list_counts(world: World, db: Session, catalog: Catalog) -> None:
    overdue = dataclasses.replace(_input(world), due_on=TODAY)
    saved = assignments.create(db, catalog, world.hr_a, overdue, TODAY, now=NOW, form_token=new_token())
    assert saved is not None
    db.commit()
    (row,) = assignments.list_assignments(db, world.hr_a, TODAY + timedelta(days=1))
    assert (row.counts.enrolled, row.counts.completed, row.counts.overdue) == (4, 0, 4)
