"""The people list: HR sees its own subtrees, admins everyone; paged, searchable, with active state and unit."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import insert
from sqlalchemy.orm import Session

from elearning.models import Person
from elearning.services.errors import Forbidden
from elearning.services.roster.directory import PersonState, people_in_scope

from ..conftest import World, login

EN = {"Accept-Language": "en"}


def _names(page: str) -> list[str]:
    return re.findall(r'<th scope="row">([^<]+)</th>', page)


def test_hr_sees_only_its_subtree(client: FlaskClient, world: World) -> None:
    login(client, "hr-a@example.org")
    page = client.get("/people/", headers=EN).get_data(as_text=True)
    assert sorted(_names(page)) == ["Author", "Employee", "Hr A", "Manager"]
    assert "Colleague B" not in page and "Admin" not in page
    assert "4 people" in page and 'Team A1 <span class="code">(DG-A-1)</span>' in page


def test_admin_sees_everyone(world: World, db: Session) -> None:
    page = people_in_scope(db, world.admin)
    assert page.total == 7 and page.scope_codes == ()


def test_state_and_manager_flag_are_shown(client: FlaskClient, world: World, db: Session) -> None:
    world.employee.active = False
    db.commit()
    login(client, "hr-a@example.org")
    page = client.get("/people/?state=inactive", headers=EN).get_data(as_text=True)
    assert _names(page) == ["Employee"] and "Deactivated" in page
    page = client.get("/people/?state=active", headers=EN).get_data(as_text=True)
    assert "Employee" not in _names(page)
    row = re.search(r'<th scope="row">Manager</th>(.*?)</tr>', page, re.S)
    assert row and "<td>yes</td>" in row.group(1) and "<td>Active</td>" in row.group(1)
    assert client.get("/people/?state=nonsense", headers=EN).status_code == 200


def test_search_by_name_e_mail_or_employee_number(world: World, db: Session) -> None:
    world.manager.employee_number = "70123"
    db.commit()
    assert [p.name for p in people_in_scope(db, world.hr_a, query="MANAG").people] == ["Manager"]
    assert [p.name for p in people_in_scope(db, world.hr_a, query="701").people] == ["Manager"]
    assert [p.name for p in people_in_scope(db, world.hr_a, query="author@").people] == ["Author"]
    assert people_in_scope(db, world.hr_a, query="colleague").total == 0  # in DG-B
    assert people_in_scope(db, world.hr_a, query="100%_").total == 0  # wildcards are matched literally


def test_paging(client: FlaskClient, world: World, db: Session) -> None:
    db.execute(
        insert(Person),
        [
            {"name": f"Roster {i:03d}", "email": f"r{i}@example.org", "organisation_id": world.team_a1.id}
            for i in range(120)
        ],
    )
    db.commit()
    first = people_in_scope(db, world.hr_a, query="roster")
    assert (first.total, first.pages, len(first.people), first.people[0].name) == (120, 3, 50, "Roster 000")
    last = people_in_scope(db, world.hr_a, query="roster", page=99)
    assert (last.page, len(last.people), last.people[-1].name) == (3, 20, "Roster 119")
    login(client, "hr-a@example.org")
    page = client.get("/people/?q=roster&page=2", headers=EN).get_data(as_text=True)
    assert "page 2 of 3" in page and "Previous page" in page and "Next page" in page
    assert "q=roster" in page and _names(page)[0] == "Roster 050"
    assert people_in_scope(db, world.hr_a, state=PersonState.INACTIVE).total == 0


@pytest.mark.parametrize("who", ["employee", "author", "manager", "colleague_b"])
def test_others_may_not_list_people(client: FlaskClient, world: World, db: Session, who: str) -> None:
    person = getattr(world, who)
    with pytest.raises(Forbidden):
        people_in_scope(db, person)
    login(client, person.email)
    assert client.get("/people/").status_code == 403
