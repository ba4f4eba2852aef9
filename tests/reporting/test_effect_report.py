"""The effect report on a hand-computed tree: means, change, counts, roll-up, release from k, scope and the month rule.

Answers to statement 'weet-melden' of module `toets` (both statements get the same values), given in March 2026 and
reported on 1 April 2026 (k = 10):

    unit             pre: n, values            post: n, values
    A1               12: six 2s, six 3s (2.5)   10: five 4s, five 5s (4.5)
    A2                6: all 3 (hidden)          0
    DG-A directly     2: both 4 (hidden)         3: all 3 (hidden)
    DG-A total       20: sum 56 (2.8)           13: sum 54 (4.15)  change +1.35
    DG-B             10: all 1 (1.0, exactly k)  0
    MIN total        30: sum 66 (2.2)           13

DG-A's post equation (13 = 3 + A1 10 + A2 0) has one hidden cell, so A1's post (10) is hidden too ("x"), and with it
A1's own people. Answers given in April (the month of the report) do not count yet.
"""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearning.models import AuditEvent, OrganisationUnit
from elearning.services.effect import count_answers
from elearning.services.errors import Forbidden, NotFound
from elearning.services.passwords import hash_password
from elearning.services.reporting import ReportFilters, report_scope
from elearning.services.reporting.effect import EffectReport, effect_report
from elearning.services.reporting.suppression import Hidden, Part

from ..conftest import PASSWORD, login
from .conftest import TODAY, Ministry

K = 10
MARCH = date(2026, 3, 12)


def _answers(db: Session, unit: OrganisationUnit, name: str, values: list[int], day: date = MARCH) -> None:
    for value in values:
        count_answers(db, unit.id, "toets", name, {"weet-melden": value, "durf-ingrijpen": value}, day)


@pytest.fixture
def answered(db: Session, ministry: Ministry) -> Ministry:
    _answers(db, ministry.a1, "pre", [2] * 6 + [3] * 6)
    _answers(db, ministry.a1, "post", [4] * 5 + [5] * 5)
    _answers(db, ministry.a2, "pre", [3] * 6)
    _answers(db, ministry.dg_a, "pre", [4, 4])
    _answers(db, ministry.dg_a, "post", [3, 3, 3])
    _answers(db, ministry.dg_b, "pre", [1] * 10)
    _answers(db, ministry.dg_b, "pre", [5] * 9, day=TODAY)  # this month: not counted yet
    db.commit()
    return ministry


def _report(db: Session, ministry: Ministry, viewer: str, unit: OrganisationUnit | None = None) -> EffectReport:
    person = getattr(ministry, viewer)
    filters = ReportFilters(unit_id=unit.id if unit else None, module_slug="toets")
    scope = report_scope(db, person, filters)
    return effect_report(db, ministry.catalog, scope, "toets", "nl", TODAY, K)


def _people(report: EffectReport) -> dict[tuple[str, str], tuple[object, ...]]:
    return {
        (line.unit.code, line.part.value): tuple(
            line.people[name].hidden or line.people[name].count for name in report.sets
        )
        for line in report.lines
    }


def test_means_change_and_counts_of_the_hand_computed_tree(db: Session, answered: Ministry) -> None:
    report = _report(db, answered, "hr_a")  # DG-A and below
    assert report.sets == ("pre", "post", "follow-up") and report.through == date(2026, 3, 31)
    statement = report.statements[0]
    assert statement.item_id == "weet-melden" and statement.text_html.startswith("Ik weet waar")
    pre, post, follow_up = (statement.means[name] for name in report.sets)
    assert (pre.count, round(pre.mean or 0, 2)) == (20, 2.8)
    assert (post.count, round(post.mean or 0, 2)) == (13, 4.15)
    assert follow_up.count == 0 and follow_up.mean is None
    assert statement.change("post") == 1.35 and statement.change("follow-up") is None
    assert _people(report) == {
        ("DG-A", "total"): (20, 13, 0),
        ("DG-A", "direct"): (Hidden.SMALL, Hidden.SMALL, 0),
        ("A1", "total"): (12, Hidden.COMPLEMENT, 0),  # 10 people, hidden so that DG-A's own 3 cannot be worked out
        ("A2", "total"): (Hidden.SMALL, 0, 0),
    }


def test_a_unit_below_and_the_whole_ministry(db: Session, answered: Ministry) -> None:
    a1 = _report(db, answered, "hr_a", answered.a1)
    statement = a1.statements[0]
    assert (statement.means["pre"].count, statement.means["pre"].mean) == (12, 2.5)
    assert statement.means["post"].hidden is Hidden.COMPLEMENT and statement.means["post"].mean is None
    assert statement.change("post") is None  # never a change from a hidden mean
    ministry = _report(db, answered, "hr_min")
    minister = ministry.statements[0]
    assert (minister.means["pre"].count, round(minister.means["pre"].mean or 0, 2)) == (30, 2.2)
    people = _people(ministry)
    assert people[("DG-B", "total")] == (10, 0, 0)  # exactly k: shown
    assert people[("MIN", "direct")] == (0, 0, 0)
    dg_b = _report(db, answered, "hr_b").statements[0].means["pre"]
    assert (dg_b.count, dg_b.mean) == (10, 1.0)  # April's nine 5s are not in it yet


def test_the_current_month_counts_once_it_is_over(db: Session, answered: Ministry) -> None:
    filters = ReportFilters(module_slug="toets")
    scope = report_scope(db, answered.hr_b, filters)
    may = effect_report(db, answered.catalog, scope, "toets", "nl", date(2026, 5, 1), K)
    pre = may.statements[0].means["pre"]
    assert pre.count == 19 and round(pre.mean or 0, 2) == round((10 + 45) / 19, 2)


def test_scope_and_modules(db: Session, answered: Ministry) -> None:
    with pytest.raises(Forbidden):
        _report(db, answered, "hr_a", answered.dg_b)
    scope = report_scope(db, answered.hr_a, ReportFilters())
    with pytest.raises(NotFound):
        effect_report(db, answered.catalog, scope, "basis", "nl", TODAY, K)  # asks no effect questions
    assert effect_report(db, answered.catalog, scope, None, "nl", TODAY, K).module.slug == "toets"


def test_no_hidden_count_can_be_worked_out_from_the_page(db: Session, answered: Ministry) -> None:
    for viewer in ("hr_a", "hr_min"):
        report = _report(db, answered, viewer)
        lines = {(line.unit.id, line.part): line for line in report.lines}
        for name in report.sets:
            total = lines[(report.scope.unit.id, Part.TOTAL)].people[name]
            parts = [line.people[name] for key, line in lines.items() if key[1] is Part.DIRECT or line.is_child]
            hidden = [part for part in parts if part.hidden]
            assert len(hidden) != 1 or total.hidden, (viewer, name)


def test_the_page_shows_the_figures_and_is_audited(
    app: Flask, client: FlaskClient, db: Session, answered: Ministry
) -> None:
    answered.hr_a.password_hash = hash_password(PASSWORD)
    db.commit()
    login(client, "hr-a@example.org")
    page = client.get("/hr/effect?module=toets", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "2.8" in page and "4.2" in page and "+1.4" in page and "< 10" in page and ">x<" in page
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "report.view")).all()[-1]
    assert event.details["report"] == "effect" and event.target == f"unit:{answered.dg_a.code}"
    drill = client.get(f"/hr/effect?module=toets&unit={answered.a1.id}").get_data(as_text=True)
    assert "2.5" in drill
    assert client.get(f"/hr/effect?unit={answered.dg_b.id}").status_code == 403
    assert client.get("/hr/effect?module=nope").status_code == 400
