"""A small ministry with hand-computed progress, for the HR report tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from elearning.content import Catalog, load_catalog
from elearning.models import Assignment, OrganisationUnit, Person, Role, RoleGrant
from elearning.services import enrolments, progress
from elearning.services.organisations import create_unit
from elearning.services.reporting import STATUSES, DutyWords

from ..conftest import TEST_CONTENT

ENROLLED = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
DUE = date(2026, 3, 1)
ON_TIME = datetime(2026, 2, 10, 10, 0, tzinfo=UTC)
LATE = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
STARTED = datetime(2026, 2, 20, 10, 0, tzinfo=UTC)
TODAY = date(2026, 4, 1)
# Person-level lines with the status codes as their names, for tests of the service without a language.
CODES = DutyWords(modules={}, statuses={s: s for s in STATUSES}, yes="yes", no="no", passed="passed", failed="failed")


@dataclass
class Ministry:
    """MIN → DG-A (A1, A2, and 2 people directly in DG-A), DG-B; one assignment of `basis` to MIN due 1 March.

    as of 2026-04-01   assigned started completed on_time overdue not_yet_due
    A1 (12 people)           12      10         8       6       4           0
    A2 (6)                    6       5         5       5       1           0
    DG-A directly (2)         2       1         1       1       1           0
    DG-A total               20      16        14      12       6           0
    DG-B (10)                10       7         7       7       3           0
    MIN total                30      23        21      19       9           0
    """

    root: OrganisationUnit
    dg_a: OrganisationUnit
    a1: OrganisationUnit
    a2: OrganisationUnit
    dg_b: OrganisationUnit
    hr_a: Person
    hr_b: Person
    hr_min: Person
    catalog: Catalog
    assignment: Assignment


def _people(db: Session, unit: OrganisationUnit, prefix: str, count: int, managers: int = 0) -> list[Person]:
    people = []
    for number in range(count):
        person = Person(
            name=f"{prefix} {number:02d}",
            email=f"{prefix.lower()}{number:02d}@example.org",
            employee_number=f"{prefix}{number:03d}",
            organisation=unit,
            is_manager=number < managers,
        )
        db.add(person)
        people.append(person)
    db.flush()
    return people


def _complete(db: Session, catalog: Catalog, person: Person, at: datetime) -> None:
    for lesson in ("01-welkom", "02-oefenen"):
        progress.mark_lesson_done(db, catalog, person, "basis", lesson, at)


def _start(db: Session, catalog: Catalog, person: Person, at: datetime) -> None:
    progress.mark_lesson_done(db, catalog, person, "basis", "01-welkom", at)


@pytest.fixture
def ministry(db: Session) -> Ministry:
    catalog = load_catalog(TEST_CONTENT)
    root = create_unit(db, "MIN", "Ministerie")
    dg_a = create_unit(db, "DG-A", "DG A", root)
    a1 = create_unit(db, "A1", "Team A1", dg_a)
    a2 = create_unit(db, "A2", "Team A2", dg_a)
    dg_b = create_unit(db, "DG-B", "DG B", root)
    in_a1 = _people(db, a1, "Aone", 12, managers=3)
    in_a2 = _people(db, a2, "Atwo", 6)
    in_dg_a = _people(db, dg_a, "Adg", 2)
    in_dg_b = _people(db, dg_b, "Bee", 10, managers=2)
    hr = []
    service_centre = create_unit(db, "SSC", "Shared service centre")  # HR works elsewhere: not in the counts
    for email, scope in (("hr-a@example.org", dg_a), ("hr-b@example.org", dg_b), ("hr-min@example.org", root)):
        person = Person(name=email, email=email, organisation=service_centre, is_manager=False)
        person.roles.append(RoleGrant(role=Role.HR.value, organisation=scope))
        db.add(person)
        hr.append(person)
    db.flush()
    assignment = Assignment(module_slug="basis", organisation_id=root.id, due_on=DUE, created_at=ENROLLED)
    db.add(assignment)
    db.flush()
    enrolments.sync(db, catalog, ENROLLED.date(), now=ENROLLED)
    for person in in_a1[:6] + in_a2[:5] + in_dg_a[:1] + in_dg_b[:7]:
        _complete(db, catalog, person, ON_TIME)
    for person in in_a1[6:8]:
        _start(db, catalog, person, STARTED)
        _complete(db, catalog, person, LATE)
    for person in in_a1[8:10]:
        _start(db, catalog, person, STARTED)
    db.commit()
    return Ministry(root, dg_a, a1, a2, dg_b, hr[0], hr[1], hr[2], catalog, assignment)
