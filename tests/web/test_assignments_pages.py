"""The assignment pages: HR within its scope, admin everywhere, everyone else 403; forms safe against bad input."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearning.models import Assignment, Enrolment

from ..conftest import World, csrf_token, login

FUTURE = (date.today() + timedelta(days=60)).isoformat()


def _form(client: FlaskClient, path: str = "/assignments/new") -> dict[str, str]:
    page = client.get(path).get_data(as_text=True)
    data = {"csrf_token": csrf_token(client, path)}
    token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page)
    if token:
        data["form_token"] = token.group(1)
    return data


def _new(world: World, **values: str) -> dict[str, str]:
    data = {
        "module_slug": "basis",
        "organisation_id": str(world.dg_a.id),
        "due_rule": "fixed",
        "due_on": FUTURE,
        "reminder_days": "-7,0,7,14",
    }
    data.update(values)
    return data


@pytest.fixture
def hr(client: FlaskClient, world: World) -> FlaskClient:
    login(client, "hr-a@example.org")
    return client


def _count(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Assignment)) or 0


def test_hr_creates_an_assignment(hr: FlaskClient, world: World, db: Session) -> None:
    response = hr.post("/assignments/new", data=_form(hr) | _new(world), headers={"Accept-Language": "en"})
    assert response.status_code == 303
    page = hr.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "4 people were enrolled" in page
    assert "Basics" in page and "DG A" in page
    assignment = db.scalar(select(Assignment))
    assert assignment is not None and assignment.due_on == date.fromisoformat(FUTURE)
    assert db.scalar(select(func.count()).select_from(Enrolment)) == 4


def test_the_form_offers_only_units_in_scope(hr: FlaskClient, world: World) -> None:
    page = hr.get("/assignments/new", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f'value="{world.dg_a.id}"' in page and f'value="{world.team_a1.id}"' in page
    assert "DG B" not in page and f'<option value="{world.ministry.id}"' not in page
    assert "Basics" in page and "Leadership" in page  # modules from the catalogue
    assert "<fieldset" in page and "<legend>" in page


def test_double_submit_creates_one_assignment(hr: FlaskClient, world: World, db: Session) -> None:
    data = _form(hr) | _new(world)
    assert hr.post("/assignments/new", data=data).status_code == 303
    again = hr.post("/assignments/new", data=data, headers={"Accept-Language": "en"})
    assert again.status_code == 303
    assert "already saved" in hr.get("/assignments/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert _count(db) == 1


def test_without_csrf_nothing_is_created(hr: FlaskClient, world: World, db: Session) -> None:
    data = _form(hr) | _new(world)
    del data["csrf_token"]
    assert hr.post("/assignments/new", data=data).status_code == 400
    assert _count(db) == 0


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"due_on": "2020-01-01"}, "has passed"),
        ({"due_on": ""}, "Enter the date"),
        ({"due_on": "not a date"}, "Fixed due date"),
        ({"due_rule": "after_start", "due_days_after_start": "-3"}, "between 0 and 3650"),
        ({"due_rule": "after_start", "due_days_after_start": ""}, "number of days after the start date"),
        ({"recurrence_months": "200"}, "1 to 120 months"),
        ({"reminder_days": "-7,soon"}, "Reminder days must be whole numbers"),
        ({"escalate_after_days": "0"}, "at least 1 and at most 365 days"),
        ({"module_slug": "nope"}, "Choose a module"),
        ({"organisation_id": ""}, "Choose an organisation unit"),
        ({"recurrence_months": "twelve"}, "Repeat every (months)"),
    ],
)
def test_bad_input_is_named_and_nothing_is_lost(
    hr: FlaskClient, world: World, db: Session, values: dict[str, str], message: str
) -> None:
    data = _form(hr) | _new(world, **({"reminder_days": "-3,0,5"} | values))
    response = hr.post("/assignments/new", data=data, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "There is a problem" in page and 'class="error-summary"' in page
    if "reminder_days" not in values:
        assert 'value="-3,0,5"' in page  # what was typed stays
    assert _count(db) == 0


def test_all_problems_show_at_once(hr: FlaskClient, world: World) -> None:
    data = _form(hr) | _new(world, due_on="2020-01-01", recurrence_months="500", reminder_days="soon")
    page = hr.post("/assignments/new", data=data, headers={"Accept-Language": "en"}).get_data(as_text=True)
    start = page.index('class="error-summary"')
    summary = page[start : page.index("</ul>", start)]
    assert "has passed" in summary and "1 to 120 months" in summary and "Reminder days must be" in summary
    assert 'href="#due_on"' in summary and 'aria-invalid="true" id="due_on"' in page


def test_hr_of_one_dg_cannot_assign_to_another(hr: FlaskClient, world: World, db: Session) -> None:
    response = hr.post("/assignments/new", data=_form(hr) | _new(world, organisation_id=str(world.dg_b.id)))
    assert response.status_code == 403
    assert _count(db) == 0


def test_hr_cannot_see_assignments_of_another_dg(client: FlaskClient, world: World, db: Session) -> None:
    login(client, "hr-b@example.org")
    client.post("/assignments/new", data=_form(client) | _new(world, organisation_id=str(world.dg_b.id)))
    other = db.scalar(select(Assignment))
    assert other is not None
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/learn/")})
    login(client, "hr-a@example.org")
    assert "DG B" not in client.get("/assignments/").get_data(as_text=True)
    assert client.get(f"/assignments/{other.id}/edit").status_code == 404
    assert client.get(f"/assignments/{other.id}/end").status_code == 404
    token = csrf_token(client, "/assignments/new")
    assert client.post(f"/assignments/{other.id}/end", data={"csrf_token": token, "confirm": "y"}).status_code == 404
    db.expire_all()
    assert db.get(Assignment, other.id).ended_at is None  # type: ignore[union-attr]


@pytest.mark.parametrize("email", ["employee@example.org", "manager@example.org", "author@example.org"])
def test_others_get_403(client: FlaskClient, world: World, email: str) -> None:
    login(client, email)
    assert client.get("/assignments/").status_code == 403
    assert client.get("/assignments/new").status_code == 403
    token = csrf_token(client, "/learn/")
    assert client.post("/assignments/new", data={"csrf_token": token} | _new(world)).status_code == 403


def test_login_required(client: FlaskClient, world: World) -> None:
    response = client.get("/assignments/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_admin_assigns_to_the_whole_ministry(client: FlaskClient, world: World, db: Session) -> None:
    login(client, "admin@example.org")
    response = client.post("/assignments/new", data=_form(client) | _new(world, organisation_id=str(world.ministry.id)))
    assert response.status_code == 303
    assert db.scalar(select(func.count()).select_from(Enrolment)) == 7


def test_edit_and_end(hr: FlaskClient, world: World, db: Session) -> None:
    hr.post("/assignments/new", data=_form(hr) | _new(world))
    assignment = db.scalar(select(Assignment))
    assert assignment is not None
    path = f"/assignments/{assignment.id}/edit"
    page = hr.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f'value="{FUTURE}"' in page and "cannot be changed" in page  # the module is shown, not offered
    data = _form(hr, path) | {
        "organisation_id": str(world.team_a1.id),
        "due_rule": "after_start",
        "due_days_after_start": "21",
        "recurrence_months": "24",
        "reminder_days": "0",
        "managers_only": "y",
    }
    response = hr.post(path, data=data, headers={"Accept-Language": "en"})
    assert response.status_code == 303, response.get_data(as_text=True)
    db.expire_all()
    changed = db.get(Assignment, assignment.id)
    assert changed is not None
    assert (changed.organisation_id, changed.due_on, changed.due_days_after_start) == (world.team_a1.id, None, 21)
    assert (changed.recurrence_months, changed.managers_only, changed.reminder_days) == (24, True, "0")
    bad = hr.post(path, data=_form(hr, path) | {"organisation_id": str(world.dg_a.id), "due_rule": "fixed"})
    assert bad.status_code == 400

    end_path = f"/assignments/{assignment.id}/end"
    confirm_page = hr.get(end_path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Open enrolments are withdrawn" in confirm_page
    unconfirmed = hr.post(end_path, data={"csrf_token": csrf_token(hr, end_path)}, headers={"Accept-Language": "en"})
    assert unconfirmed.status_code == 400 and "Tick the box" in unconfirmed.get_data(as_text=True)
    response = hr.post(end_path, data={"csrf_token": csrf_token(hr, end_path), "confirm": "y"})
    assert response.status_code == 303
    db.expire_all()
    assert db.get(Assignment, assignment.id).ended_at is not None  # type: ignore[union-attr]
    listing = hr.get("/assignments/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "ended on" in listing and path not in listing
    assert hr.post(path, data=_form(hr, end_path) | _new(world)).status_code == 400  # an ended one stays ended


def test_list_shows_counts(hr: FlaskClient, world: World, db: Session) -> None:
    hr.post("/assignments/new", data=_form(hr) | _new(world, due_on=date.today().isoformat()))
    page = hr.get("/assignments/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<caption id=" in page and 'scope="col"' in page
    assert re.search(r'<td class="num">4</td>\s*<td class="num">0</td>\s*<td class="num">0</td>', page)
