"""HR's completion count: right numbers, and only within the HR user's own subtree."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from elearning.content import load_catalog
from elearning.models import ModuleCompletion, utcnow
from elearning.services.errors import Forbidden, NotFound
from elearning.services.reporting import completion_report

from ..conftest import TEST_CONTENT, World, login


def _complete(db: Session, person_id: int, module: str = "basis") -> None:
    db.add(ModuleCompletion(person_id=person_id, module_slug=module, content_version="v1", completed_at=utcnow()))
    db.commit()


def test_counts_cover_the_whole_subtree(world: World, db: Session) -> None:
    _complete(db, world.employee.id)
    _complete(db, world.manager.id)
    _complete(db, world.manager.id, "leiding")
    _complete(db, world.colleague_b.id)  # outside DG-A
    report = completion_report(db, load_catalog(TEST_CONTENT), world.hr_a)
    rows = {row.module_slug: (row.people, row.completed) for row in report.rows}
    # DG-A holds employee, manager (team A1), author and hr-a: 4 people, 1 of them a manager.
    assert rows == {"basis": (4, 2), "leiding": (1, 1), "toets": (4, 0)}
    assert [child.code for child in report.children] == ["DG-A-1"]


def test_inactive_people_are_not_counted(world: World, db: Session) -> None:
    _complete(db, world.employee.id)
    world.employee.active = False
    db.commit()
    rows = {r.module_slug: (r.people, r.completed) for r in completion_report(
        db, load_catalog(TEST_CONTENT), world.hr_a).rows}
    assert rows["basis"] == (3, 0)


def test_hr_cannot_report_outside_its_scope(world: World, db: Session) -> None:
    catalog = load_catalog(TEST_CONTENT)
    with pytest.raises(Forbidden):
        completion_report(db, catalog, world.hr_a, world.dg_b.id)
    with pytest.raises(Forbidden):
        completion_report(db, catalog, world.hr_a, world.ministry.id)  # a parent is outside too
    with pytest.raises(Forbidden):
        completion_report(db, catalog, world.employee)
    with pytest.raises(NotFound):
        completion_report(db, catalog, world.hr_a, 987654)
    assert completion_report(db, catalog, world.hr_a, world.team_a1.id).unit.code == "DG-A-1"
    assert completion_report(db, catalog, world.admin, world.dg_b.id).unit.code == "DG-B"


def test_hr_page_shows_counts(client: FlaskClient, world: World, db: Session) -> None:
    _complete(db, world.employee.id)
    login(client, "hr-a@example.org")
    page = client.get("/hr/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    row = re.search(r"Basics</th>\s*<td class=\"num\">(\d+)</td>\s*<td class=\"num\">(\d+)</td>", page)
    assert row and row.groups() == ("4", "1")
    assert "25%" in page


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
