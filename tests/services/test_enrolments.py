"""Enrolments follow assignments, the roster and completions; sync is set-based and idempotent."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearning.content import Catalog, load_catalog
from elearning.models import Assignment, Enrolment, ModuleCompletion, Person
from elearning.services import enrolments, progress
from elearning.services.enrolments import SyncResult, counts_by_assignment, current_enrolments, sync

from ..conftest import TEST_CONTENT, World

TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def catalog() -> Catalog:
    return load_catalog(TEST_CONTENT)


def _assign(db: Session, world: World, unit: object = None, **values: object) -> Assignment:
    values.setdefault("module_slug", "basis")
    if "due_days_after_start" not in values:
        values.setdefault("due_on", date(2026, 6, 1))
    assignment = Assignment(organisation_id=(unit or world.dg_a).id, **values)  # type: ignore[attr-defined]
    db.add(assignment)
    db.commit()
    return assignment


def _rows(db: Session, assignment: Assignment) -> dict[str, list[Enrolment]]:
    db.expire_all()
    by_person: dict[str, list[Enrolment]] = {}
    for enrolment in db.scalars(
        select(Enrolment).where(Enrolment.assignment_id == assignment.id).order_by(Enrolment.cycle)
    ):
        by_person.setdefault(enrolment.person.email.split("@")[0], []).append(enrolment)
    return by_person


def _open(db: Session, assignment: Assignment) -> set[str]:
    return {
        name
        for name, rows in _rows(db, assignment).items()
        if any(r.completed_at is None and r.withdrawn_at is None for r in rows)
    }


def _complete(db: Session, person: Person, at: datetime, version: str, module: str = "basis") -> None:
    db.add(ModuleCompletion(person_id=person.id, module_slug=module, content_version=version, completed_at=at))
    db.commit()


def _sync(db: Session, catalog: Catalog, today: date = TODAY, now: datetime = NOW) -> SyncResult:
    result = sync(db, catalog, today, now=now)
    db.commit()
    return result


def _with_version(catalog: Catalog, slug: str, version: str) -> Catalog:
    module = dataclasses.replace(catalog.modules[slug], version=version)
    return dataclasses.replace(catalog, modules={**catalog.modules, slug: module})


def test_fixed_due_date_for_the_whole_subtree(world: World, db: Session, catalog: Catalog) -> None:
    assignment = _assign(db, world)
    result = _sync(db, catalog)
    assert result == SyncResult(enrolled=4)
    rows = _rows(db, assignment)
    assert set(rows) == {"employee", "manager", "author", "hr-a"}  # DG-A and its team, not DG-B
    assert {r[0].due_on for r in rows.values()} == {date(2026, 6, 1)}
    assert {r[0].cycle for r in rows.values()} == {0}


def test_sync_twice_changes_nothing(world: World, db: Session, catalog: Catalog) -> None:
    _assign(db, world, recurrence_months=12)
    _complete(db, world.employee, NOW - timedelta(days=3), catalog.modules["basis"].version)
    first = _sync(db, catalog)
    assert first.enrolled == 4 and first.completed == 1 and first.next_cycles == 1
    assert _sync(db, catalog) == SyncResult()
    assert not _sync(db, catalog).changed


def test_relative_due_date_counts_from_start_or_from_enrolment(world: World, db: Session, catalog: Catalog) -> None:
    world.employee.start_date = TODAY + timedelta(days=10)  # starts later: 30 days after starting
    world.manager.start_date = date(2020, 1, 1)  # started long before: 30 days after enrolment
    db.commit()
    assignment = _assign(db, world, due_days_after_start=30)
    _sync(db, catalog)
    rows = _rows(db, assignment)
    assert rows["employee"][0].due_on == TODAY + timedelta(days=40)
    assert rows["manager"][0].due_on == TODAY + timedelta(days=30)
    assert rows["author"][0].due_on == TODAY + timedelta(days=30)  # no start date known


def test_a_joiner_gets_it_with_their_own_due_date(world: World, db: Session, catalog: Catalog) -> None:
    assignment = _assign(db, world, due_days_after_start=14)
    _sync(db, catalog)
    joiner = world.person("joiner@example.org", world.team_a1)
    joiner.start_date = date(2026, 4, 1)
    db.commit()
    later = TODAY + timedelta(days=20)
    assert _sync(db, catalog, later, NOW + timedelta(days=20)) == SyncResult(enrolled=1)
    rows = _rows(db, assignment)
    assert rows["joiner"][0].due_on == date(2026, 4, 15)
    assert rows["employee"][0].due_on == TODAY + timedelta(days=14)  # unchanged


def test_movers_and_leavers(world: World, db: Session, catalog: Catalog) -> None:
    assignment = _assign(db, world)
    _sync(db, catalog)
    world.employee.organisation = world.dg_b  # moves out
    world.colleague_b.organisation = world.team_a1  # moves in
    world.author.active = False  # leaves
    world.hr_a.end_date = TODAY - timedelta(days=1)  # left yesterday, not yet deactivated
    db.commit()
    assert _sync(db, catalog) == SyncResult(enrolled=1, withdrawn=3)
    assert _open(db, assignment) == {"manager", "colleague-b"}
    rows = _rows(db, assignment)
    assert rows["employee"][0].withdrawn_at is not None  # history kept
    # Coming back reopens the same enrolment with its due date.
    world.employee.organisation = world.team_a1
    db.commit()
    assert _sync(db, catalog) == SyncResult(reopened=1)
    rows = _rows(db, assignment)
    assert len(rows["employee"]) == 1 and rows["employee"][0].withdrawn_at is None
    assert rows["employee"][0].due_on == date(2026, 6, 1)


def test_managers_only_and_managers_modules(world: World, db: Session, catalog: Catalog) -> None:
    for_managers = _assign(db, world, managers_only=True)
    managers_module = _assign(db, world, module_slug="leiding")  # the module itself is for managers only
    _sync(db, catalog)
    assert _open(db, for_managers) == {"manager"}
    assert _open(db, managers_module) == {"manager"}
    world.manager.is_manager = False
    db.commit()
    assert _sync(db, catalog).withdrawn == 2


def test_a_completion_before_the_assignment_counts(world: World, db: Session, catalog: Catalog) -> None:
    _complete(db, world.employee, datetime(2024, 5, 1, tzinfo=UTC), "an-old-version")
    assignment = _assign(db, world)
    assert _sync(db, catalog).completed == 1
    row = _rows(db, assignment)["employee"][0]
    assert row.completed_at == datetime(2024, 5, 1, tzinfo=UTC)
    assert row.completion_version == "an-old-version"


def test_unless_the_current_version_is_required(world: World, db: Session, catalog: Catalog) -> None:
    _complete(db, world.employee, datetime(2024, 5, 1, tzinfo=UTC), "an-old-version")
    assignment = _assign(db, world, requires_current_version=True)
    assert _sync(db, catalog).completed == 0
    current = catalog.modules["basis"].version
    _complete(db, world.employee, NOW, current)
    assert _sync(db, catalog).completed == 1
    assert _rows(db, assignment)["employee"][0].completion_version == current


def test_recurrence_opens_the_next_cycle(world: World, db: Session, catalog: Catalog) -> None:
    done_at = datetime(2026, 1, 31, 15, 0, tzinfo=UTC)
    _complete(db, world.employee, done_at, "v1")
    v1 = _with_version(catalog, "basis", "v1")
    assignment = _assign(db, world, recurrence_months=1)
    result = _sync(db, v1)
    assert (result.completed, result.next_cycles) == (1, 1)
    first, second = _rows(db, assignment)["employee"]
    assert first.completed_at == done_at
    assert (second.cycle, second.due_on, second.counts_from) == (1, date(2026, 2, 28), done_at)
    assert second.completed_at is None
    # The content changed: a new completion on the old version does not fulfil the next cycle ...
    v2 = _with_version(catalog, "basis", "v2")
    _complete(db, world.employee, done_at + timedelta(days=5), "v1-copy")
    assert _sync(db, v2).completed == 0
    # ... a new one on the current version does, and opens the cycle after it.
    _complete(db, world.employee, datetime(2026, 3, 1, 9, 0, tzinfo=UTC), "v2")
    result = _sync(db, v2)
    assert (result.completed, result.next_cycles) == (1, 1)
    rows = _rows(db, assignment)["employee"]
    assert [r.cycle for r in rows] == [0, 1, 2]
    assert rows[1].completion_version == "v2"
    assert rows[2].due_on == date(2026, 4, 1)
    assert _sync(db, v2) == SyncResult()


def test_taking_an_unchanged_module_again_fulfils_the_next_cycle(world: World, db: Session, catalog: Catalog) -> None:
    assignment = _assign(db, world, recurrence_months=24)
    _sync(db, catalog)
    first_time = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    progress.mark_lesson_done(db, catalog, world.employee, "basis", "01-welkom", first_time)
    assert progress.mark_lesson_done(db, catalog, world.employee, "basis", "02-oefenen", first_time) is True
    db.commit()
    rows = _rows(db, assignment)["employee"]
    assert [(r.cycle, r.completed_at is not None) for r in rows] == [(0, True), (1, False)]
    assert rows[1].due_on == date(2028, 3, 2)
    # Two years later the learner goes through the module again; the same version's completion is dated anew.
    again = datetime(2028, 2, 20, 9, 0, tzinfo=UTC)
    assert progress.mark_lesson_done(db, catalog, world.employee, "basis", "02-oefenen", again) is True
    db.commit()
    rows = _rows(db, assignment)["employee"]
    assert [(r.cycle, r.completed_at) for r in rows] == [(0, first_time), (1, again), (2, None)]
    assert rows[2].due_on == date(2030, 2, 20)
    # Without a cycle waiting for it, doing a lesson again changes nothing.
    assert progress.mark_lesson_done(db, catalog, world.employee, "basis", "02-oefenen", again) is False


def test_a_completion_fulfils_enrolments_at_once(world: World, db: Session, catalog: Catalog) -> None:
    assignment = _assign(db, world)
    _sync(db, catalog)
    progress.mark_lesson_done(db, catalog, world.employee, "basis", "01-welkom", NOW)
    progress.mark_lesson_done(db, catalog, world.employee, "basis", "02-oefenen", NOW)
    db.commit()
    row = _rows(db, assignment)["employee"][0]
    assert row.completed_at == NOW and row.completion_version == catalog.modules["basis"].version


def test_ending_an_assignment_withdraws_open_enrolments(world: World, db: Session, catalog: Catalog) -> None:
    assignment = _assign(db, world)
    _complete(db, world.employee, NOW, "v1")
    _sync(db, catalog)
    assignment.ended_at = NOW
    db.commit()
    assert _sync(db, catalog) == SyncResult(withdrawn=3)
    assert _open(db, assignment) == set()
    assert _rows(db, assignment)["employee"][0].withdrawn_at is None  # completed work stays completed


def test_unknown_module_enrols_nobody_and_withdraws_nobody(world: World, db: Session, catalog: Catalog) -> None:
    assignment = _assign(db, world)
    _sync(db, catalog)
    without = dataclasses.replace(catalog, modules={k: v for k, v in catalog.modules.items() if k != "basis"})
    world.person("joiner@example.org", world.team_a1)
    db.commit()
    assert _sync(db, without) == SyncResult()  # a content error must not withdraw everyone
    assert len(_open(db, assignment)) == 4


def test_status_is_computed_in_the_database(world: World, db: Session, catalog: Catalog) -> None:
    overdue = _assign(db, world, due_on=TODAY - timedelta(days=1))
    soon = _assign(db, world, module_slug="toets", due_on=TODAY + timedelta(days=14))
    later = _assign(db, world, module_slug="leiding", due_on=TODAY + timedelta(days=15))
    _complete(db, world.manager, NOW, "v1", module="toets")
    _sync(db, catalog)
    statuses = {
        (s.person_id, s.module_slug): (s.status, s.progress)
        for s in current_enrolments(db, TODAY, [world.employee.id, world.manager.id])
    }
    assert statuses == {
        (world.employee.id, "basis"): ("overdue", "not_started"),
        (world.employee.id, "toets"): ("due_soon", "not_started"),
        (world.manager.id, "basis"): ("overdue", "not_started"),
        (world.manager.id, "toets"): ("completed", "completed"),
        (world.manager.id, "leiding"): ("open", "not_started"),
    }
    counts = counts_by_assignment(db, TODAY, [overdue.id, soon.id, later.id])
    assert (counts[overdue.id].enrolled, counts[overdue.id].overdue, counts[overdue.id].completed) == (4, 4, 0)
    assert (counts[soon.id].due_soon, counts[soon.id].completed, counts[soon.id].open) == (3, 1, 0)
    assert (counts[later.id].enrolled, counts[later.id].open) == (1, 1)


def test_started_modules_are_in_progress(world: World, db: Session, catalog: Catalog) -> None:
    _assign(db, world)
    _sync(db, catalog)
    progress.mark_lesson_done(db, catalog, world.employee, "basis", "01-welkom", NOW)
    db.commit()
    (status,) = current_enrolments(db, TODAY, [world.employee.id])
    assert (status.status, status.progress) == ("open", "in_progress")


def test_a_recurring_cycle_shows_completed_until_it_comes_near(world: World, db: Session, catalog: Catalog) -> None:
    _assign(db, world, recurrence_months=12)
    _complete(db, world.employee, NOW, catalog.modules["basis"].version)
    _sync(db, catalog)
    (status,) = current_enrolments(db, TODAY, [world.employee.id])
    assert (status.cycle, status.status) == (1, "completed")
    (status,) = current_enrolments(db, TODAY + timedelta(days=360), [world.employee.id])
    assert status.status == "due_soon"
    (status,) = current_enrolments(db, TODAY + timedelta(days=400), [world.employee.id])
    assert status.status == "overdue"


def test_sync_for_some_people_only(world: World, db: Session, catalog: Catalog) -> None:
    assignment = _assign(db, world)
    result = enrolments.sync_people(db, catalog, [world.employee.id], TODAY, now=NOW)
    db.commit()
    assert result == SyncResult(enrolled=1)
    assert _open(db, assignment) == {"employee"}
