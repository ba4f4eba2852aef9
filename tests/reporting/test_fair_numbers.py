"""Fair numbers on the hand-computed tree (tests/reporting/conftest.py): exempted people, joiners after the due date
and leavers, each counted by the rules of docs/reporting.md; the exempted count hidden under k like every other cell;
and an exemption's reason never in any report.

Joiner: Atwo-new joins A2 on 15 March 2026, after the fixed due date of 1 March. From the day the import (here: the
sync) enrols them, they count as assigned and, not having completed, as overdue at once; as of any earlier day they
are not counted at all.

    as of 2026-04-01      assigned started completed on_time overdue not_yet_due
    A2 before               6        5        5        5       1        0
    A2 with the joiner      7        5        5        5       2        0
    MIN total with joiner  31       23       21       19      10        0
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearning.models import Exemption, Person
from elearning.services import enrolments
from elearning.services.passwords import hash_password
from elearning.services.reporting import ReportFilters, completion_table, report_scope
from elearning.services.reporting.rollup import direct_counts, roll_up
from elearning.services.reporting.scope import tree_units
from elearning.services.reporting.suppression import Counts, Hidden, Part

from ..conftest import PASSWORD, login
from .conftest import TODAY, Ministry

JOINED = datetime(2026, 3, 15, 9, 0, tzinfo=UTC)
REASONS = {
    "long_term_sick_leave": ("Long-term sick leave", "Langdurig ziek"),
    "parental_leave": ("Parental leave", "Ouderschapsverlof"),
}


def _row(counts: Counts) -> tuple[int, ...]:
    return (counts.assigned, counts.started, counts.completed, counts.on_time, counts.overdue, counts.not_yet_due)


def _tree(db: Session, ministry: Ministry, filters: ReportFilters, today: date = TODAY):  # type: ignore[no-untyped-def]
    scope = report_scope(db, ministry.hr_min, filters)
    counts = direct_counts(db, scope, filters, today)
    return roll_up(tree_units(db, scope.root), {unit: c for (unit, _module), c in counts.items()})


def test_a_joiner_after_the_due_date_counts_from_enrolment_and_is_overdue_at_once(
    db: Session, ministry: Ministry
) -> None:
    joiner = Person(name="Atwo new", email="atwo-new@example.org", employee_number="Atwo900", organisation=ministry.a2)
    joiner.start_date = JOINED.date()
    db.add(joiner)
    db.commit()
    enrolments.sync(db, ministry.catalog, JOINED.date(), now=JOINED)
    db.commit()
    now = _tree(db, ministry, ReportFilters())
    assert _row(now.direct[ministry.a2.id]) == (7, 5, 5, 5, 2, 0)
    assert _row(now.total[ministry.root.id]) == (31, 23, 21, 19, 10, 0)
    before = _tree(db, ministry, ReportFilters(as_of=date(2026, 3, 14)))
    assert before.direct[ministry.a2.id].assigned == 6  # before they were enrolled they are not counted


@pytest.fixture
def exempted(db: Session, ministry: Ministry) -> Ministry:
    for number, reason in (("Aone000", "long_term_sick_leave"), ("Aone011", "parental_leave")):
        person = db.scalar(select(Person).where(Person.employee_number == number))
        assert person is not None
        db.add(
            Exemption(
                person_id=person.id,
                module_slug="basis",
                reason=reason,
                ends_on=date(2026, 12, 31),
                created_at=datetime(2026, 3, 5, tzinfo=UTC),
            )
        )
    db.commit()
    return ministry


def test_the_exempted_count_is_hidden_under_k_like_every_other_cell(db: Session, exempted: Ministry) -> None:
    scope = report_scope(db, exempted.hr_min, ReportFilters())
    table = completion_table(db, exempted.catalog, scope, ReportFilters(), TODAY, 10)
    rows = {(row.unit.code, row.part): row for row in table.modules[0].rows}
    assert rows[("MIN", Part.TOTAL)].figures["exempted"].hidden is Hidden.SMALL  # 2 people
    assert rows[("DG-A", Part.TOTAL)].figures["exempted"].hidden is Hidden.SMALL
    assert rows[("DG-B", Part.TOTAL)].figures["exempted"].value == 0  # nobody: nothing to hide
    assert rows[("MIN", Part.TOTAL)].figures["assigned"].value == 28  # the exempted are out of the denominator
    with_five = completion_table(db, exempted.catalog, scope, ReportFilters(), TODAY, 5)
    assert with_five.modules[0].rows[0].figures["exempted"].hidden is Hidden.SMALL  # 2 < 5 still


def test_an_exemptions_reason_is_in_no_report(app: Flask, client: FlaskClient, db: Session, exempted: Ministry) -> None:
    exempted.hr_min.password_hash = hash_password(PASSWORD)
    db.commit()
    app.config["REPORT_MIN_GROUP"] = 5
    login(client, "hr-min@example.org", PASSWORD)
    urls = [
        "/hr/",
        "/hr/people?status=exempted",
        "/hr/people",
        "/hr/completion.csv",
        "/hr/people.csv",
        "/hr/people.csv?status=exempted&history=1",
        "/hr/trend",
    ]
    listed = client.get("/hr/people.csv?status=exempted", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Aone000" in listed and "Exempted" in listed  # who is exempted is visible to HR ...
    for url in urls:
        for language in ("en", "nl"):
            page = client.get(url, headers={"Accept-Language": language}).get_data(as_text=True)
            for reason, labels in REASONS.items():
                assert reason not in page and not any(label in page for label in labels), (url, language, reason)
