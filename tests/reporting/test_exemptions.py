"""Exempted people count neither as assigned nor as completed; the report shows how many were exempted."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearning.models import AuditEvent, Exemption, Person
from elearning.services import exemptions
from elearning.services.errors import InvalidInput, NotFound
from elearning.services.reporting import ReportFilters, report_scope
from elearning.services.reporting.people import outstanding
from elearning.services.reporting.rollup import direct_counts, roll_up
from elearning.services.reporting.scope import tree_units
from elearning.services.reporting.suppression import Counts

from .conftest import CODES, TODAY, Ministry

EXEMPTED_ON = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)


def _row(counts: Counts) -> tuple[int, ...]:
    return (
        counts.assigned,
        counts.started,
        counts.completed,
        counts.on_time,
        counts.overdue,
        counts.not_yet_due,
        counts.exempted,
    )


def _tree(db: Session, ministry: Ministry, filters: ReportFilters):  # type: ignore[no-untyped-def]
    scope = report_scope(db, ministry.hr_min, filters)
    counts = direct_counts(db, scope, filters, TODAY)
    return roll_up(tree_units(db, scope.root), {u: c for (u, _m), c in counts.items()})


def _person(db: Session, number: str) -> Person:
    person = db.scalar(select(Person).where(Person.employee_number == number))
    assert person is not None
    return person


@pytest.fixture
def exempted(db: Session, ministry: Ministry) -> Ministry:
    # In A1: Aone000 completed on time, Aone011 never started (overdue); both on long-term leave from 5 March.
    for number, reason in (("Aone000", "long_term_sick_leave"), ("Aone011", "parental_leave")):
        person = _person(db, number)
        db.add(
            Exemption(
                person_id=person.id,
                module_slug="basis",
                reason=reason,
                ends_on=date(2026, 12, 31),
                created_at=EXEMPTED_ON,
            )
        )
    db.commit()
    return ministry


def test_exempted_people_leave_numerator_and_denominator(db: Session, exempted: Ministry) -> None:
    tree = _tree(db, exempted, ReportFilters())
    # A1 was (12, 10, 8, 6, 4, 0): one completed-on-time and one overdue not-started person are taken out.
    assert _row(tree.direct[exempted.a1.id]) == (10, 9, 7, 5, 3, 0, 2)
    assert _row(tree.total[exempted.root.id]) == (28, 22, 20, 18, 8, 0, 2)
    # Before the exemption was given, they counted as usual.
    before = _tree(db, exempted, ReportFilters(as_of=date(2026, 3, 4)))
    assert _row(before.direct[exempted.a1.id])[-1] == 0 and before.direct[exempted.a1.id].assigned == 12


def test_a_revoked_or_ended_exemption_counts_again(db: Session, exempted: Ministry) -> None:
    for exemption in db.scalars(select(Exemption)):
        exemption.revoked_at = datetime(2026, 3, 20, tzinfo=UTC)
    db.commit()
    assert _tree(db, exempted, ReportFilters()).direct[exempted.a1.id].exempted == 0
    assert _tree(db, exempted, ReportFilters(as_of=date(2026, 3, 19))).direct[exempted.a1.id].exempted == 2


def test_the_exempted_are_not_on_the_follow_up_list(db: Session, exempted: Ministry) -> None:
    scope = report_scope(db, exempted.hr_min, ReportFilters(unit_id=exempted.a1.id))
    page = outstanding(db, scope, ReportFilters(unit_id=exempted.a1.id), TODAY, CODES)
    assert page.total == 3 and "Aone011" not in {line[0] for line in page.lines}
    listed = outstanding(db, scope, ReportFilters(unit_id=exempted.a1.id, status="exempted"), TODAY, CODES)
    assert {line[0] for line in listed.lines} == {"Aone000", "Aone011"}
    assert {line[7] for line in listed.lines} == {"exempted"}
    assert {line[13] for line in listed.lines} == {0}, "the exempted are not overdue"


def test_hr_exempts_within_its_scope_only_and_with_a_category(db: Session, ministry: Ministry) -> None:
    person = _person(db, "Bee003")  # in DG-B
    with pytest.raises(NotFound):
        exemptions.exempt(
            db, ministry.catalog, ministry.hr_a, person.id, "basis", "parental_leave", date(2026, 9, 1), TODAY
        )
    with pytest.raises(InvalidInput):
        exemptions.exempt(
            db, ministry.catalog, ministry.hr_b, person.id, "basis", "because I say so", date(2026, 9, 1), TODAY
        )
    with pytest.raises(InvalidInput):
        exemptions.exempt(
            db, ministry.catalog, ministry.hr_b, person.id, "basis", "parental_leave", date(2026, 1, 1), TODAY
        )
    with pytest.raises(InvalidInput):
        exemptions.exempt(
            db, ministry.catalog, ministry.hr_b, person.id, "basis", "parental_leave", date(2029, 1, 1), TODAY
        )
    made = exemptions.exempt(
        db, ministry.catalog, ministry.hr_b, person.id, "basis", "parental_leave", date(2026, 9, 1), TODAY
    )
    db.commit()
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "exemption.create"))
    assert event is not None and event.details == {
        "module": "basis",
        "reason": "parental_leave",
        "ends_on": "2026-09-01",
    }
    assert exemptions.revoke(db, ministry.hr_b, person.id, made.id) is True
    assert exemptions.revoke(db, ministry.hr_b, person.id, made.id) is False  # twice: nothing more happens
