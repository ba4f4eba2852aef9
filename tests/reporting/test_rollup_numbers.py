"""The completion roll-up on a hand-computed tree: exact numbers, roll-up, audience, due range and "as of" dates."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from elearning.models import Person
from elearning.services import enrolments
from elearning.services.reporting import ReportFilters, report_scope
from elearning.services.reporting.rollup import direct_counts, roll_up
from elearning.services.reporting.scope import tree_units
from elearning.services.reporting.suppression import Counts

from .conftest import TODAY, Ministry


def _tree(db: Session, ministry: Ministry, filters: ReportFilters, today: date = TODAY):  # type: ignore[no-untyped-def]
    scope = report_scope(db, ministry.hr_min, filters)
    counts = direct_counts(db, scope, filters, today)
    units = tree_units(db, scope.root)
    return roll_up(units, {unit: c for (unit, module), c in counts.items() if module == "basis"})


def _row(counts: Counts) -> tuple[int, ...]:
    return (counts.assigned, counts.started, counts.completed, counts.on_time, counts.overdue, counts.not_yet_due)


def test_numbers_and_roll_up_match_the_hand_computed_tree(db: Session, ministry: Ministry) -> None:
    tree = _tree(db, ministry, ReportFilters())
    assert _row(tree.direct[ministry.a1.id]) == (12, 10, 8, 6, 4, 0)
    assert _row(tree.direct[ministry.a2.id]) == (6, 5, 5, 5, 1, 0)
    assert _row(tree.direct[ministry.dg_a.id]) == (2, 1, 1, 1, 1, 0)
    assert _row(tree.total[ministry.dg_a.id]) == (20, 16, 14, 12, 6, 0)
    assert _row(tree.total[ministry.dg_b.id]) == (10, 7, 7, 7, 3, 0)
    assert _row(tree.direct[ministry.root.id]) == (0, 0, 0, 0, 0, 0)
    assert _row(tree.total[ministry.root.id]) == (30, 23, 21, 19, 9, 0)
    assert tree.parents[ministry.root.id] is None and tree.parents[ministry.a1.id] == ministry.dg_a.id


def test_as_of_a_past_date(db: Session, ministry: Ministry) -> None:
    # 2026-02-25: the on-time completions (10 Feb) and the starts (20 Feb) had happened, the late ones not; not yet due.
    tree = _tree(db, ministry, ReportFilters(as_of=date(2026, 2, 25)))
    assert _row(tree.direct[ministry.a1.id]) == (12, 10, 6, 6, 0, 6)
    assert _row(tree.total[ministry.root.id]) == (30, 23, 19, 19, 0, 11)
    # On the due date itself nothing is overdue yet; the day after, everything open is.
    assert _row(_tree(db, ministry, ReportFilters(as_of=date(2026, 3, 1))).total[ministry.root.id])[4:] == (0, 11)
    assert _row(_tree(db, ministry, ReportFilters(as_of=date(2026, 3, 2))).total[ministry.root.id])[4:] == (11, 0)
    # Before anyone was enrolled there is nothing to count.
    assert _row(_tree(db, ministry, ReportFilters(as_of=date(2026, 1, 1))).total[ministry.root.id]) == (0,) * 6


def test_managers_only(db: Session, ministry: Ministry) -> None:
    tree = _tree(db, ministry, ReportFilters(audience="managers"))
    # Managers: the first 3 of A1 (completed on time) and the first 2 of DG-B (completed on time).
    assert _row(tree.direct[ministry.a1.id]) == (3, 3, 3, 3, 0, 0)
    assert _row(tree.total[ministry.root.id]) == (5, 5, 5, 5, 0, 0)


def test_due_date_range(db: Session, ministry: Ministry) -> None:
    assert _tree(db, ministry, ReportFilters(due_from=date(2026, 3, 2))).total[ministry.root.id].assigned == 0
    assert _tree(db, ministry, ReportFilters(due_to=date(2026, 3, 1))).total[ministry.root.id].assigned == 30


def test_leavers_and_movers(db: Session, ministry: Ministry) -> None:
    leaver = db.query(Person).filter_by(employee_number="Aone000").one()  # completed on time, in A1
    mover = db.query(Person).filter_by(employee_number="Aone011").one()  # not started, in A1
    leaver.active = False
    mover.organisation_id = ministry.dg_b.id
    db.commit()
    enrolments.sync(db, ministry.catalog, TODAY, now=datetime(2026, 4, 1, 8, tzinfo=UTC))
    db.commit()
    now = _tree(db, ministry, ReportFilters(), today=date(2026, 4, 2))
    assert _row(now.direct[ministry.a1.id]) == (10, 9, 7, 5, 3, 0)  # both gone from A1
    assert _row(now.direct[ministry.dg_b.id]) == (11, 7, 7, 7, 4, 0)  # the mover's open duty went with them
    assert now.total[ministry.root.id].assigned == 29  # the leaver no longer counts
    # As of the day before: the leaver still counted (in A1); an open duty that moved is counted where it is now.
    before = _tree(db, ministry, ReportFilters(as_of=date(2026, 3, 31)), today=date(2026, 4, 2))
    assert _row(before.direct[ministry.a1.id]) == (11, 10, 8, 6, 3, 0)
    assert before.total[ministry.root.id].assigned == 30
