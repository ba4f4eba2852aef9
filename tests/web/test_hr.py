"""HR's reports stay within the HR user's own subtree (the numbers: tests/reporting)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from elearning.services.errors import Forbidden, NotFound
from elearning.services.reporting import ReportFilters, report_scope

from ..conftest import World, login


def test_hr_cannot_report_outside_its_scope(world: World, db: Session) -> None:
    with pytest.raises(Forbidden):
        report_scope(db, world.hr_a, ReportFilters(unit_id=world.dg_b.id))
    with pytest.raises(Forbidden):
        report_scope(db, world.hr_a, ReportFilters(unit_id=world.ministry.id))  # a parent is outside too
    with pytest.raises(Forbidden):
        report_scope(db, world.employee, ReportFilters())
    with pytest.raises(NotFound):
        report_scope(db, world.hr_a, ReportFilters(unit_id=987654))
    scope = report_scope(db, world.hr_a, ReportFilters(unit_id=world.team_a1.id))
    assert (scope.unit.code, scope.root.code) == ("DG-A-1", "DG-A")
    assert report_scope(db, world.admin, ReportFilters(unit_id=world.dg_b.id)).root.code == "MIN"


def test_hr_page_without_assignments_says_so(client: FlaskClient, world: World) -> None:
    login(client, "hr-a@example.org")
    page = client.get("/hr/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "No module is assigned in this part of the organisation with these filters." in page


@pytest.mark.parametrize(
    ("email", "query", "status"),
    [
        ("hr-a@example.org", "", 200),
        ("hr-a@example.org", "?unit={team_a1}", 200),
        ("hr-a@example.org", "?unit={dg_b}", 403),
        ("hr-a@example.org", "?unit={ministry}", 403),
        ("hr-a@example.org", "?unit=999999", 404),
        ("hr-b@example.org", "?unit={dg_a}", 403),
        ("employee@example.org", "", 403),
        ("author@example.org", "", 403),
        ("admin@example.org", "?unit={dg_b}", 200),
    ],
)
def test_hr_page_per_role(client: FlaskClient, world: World, email: str, query: str, status: int) -> None:
    ids = {"team_a1": world.team_a1.id, "dg_a": world.dg_a.id, "dg_b": world.dg_b.id, "ministry": world.ministry.id}
    login(client, email)
    assert client.get("/hr/" + query.format(**ids)).status_code == status


def test_hr_page_needs_login(client: FlaskClient, world: World) -> None:
    assert client.get("/hr/").status_code == 302
