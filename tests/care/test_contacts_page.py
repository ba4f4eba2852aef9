"""HR sets its units' own contacts for the support panel: inherited from above, within its scope, audited, escaped."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearning.models import AuditEvent, UnitSetting

from ..conftest import World, csrf_token, login

EN = {"Accept-Language": "en"}


def _save(client: FlaskClient, data: dict[str, str]) -> object:
    return client.post("/hr/contacts", data={"csrf_token": csrf_token(client, "/hr/contacts"), **data}, headers=EN)


def test_hr_sets_a_contact_that_learners_below_see_at_once(app, world: World, db: Session) -> None:  # type: ignore[no-untyped-def]
    hr, learner = app.test_client(), app.test_client()
    login(hr, "hr-a@example.org")  # HR of DG-A
    login(learner, "employee@example.org")  # in team A1, below DG-A
    assert "the confidential adviser of your organisation" in learner.get("/learn/basis/", headers=EN).get_data(
        as_text=True
    )
    saved = _save(hr, {"unit": str(world.dg_a.id), "vertrouwenspersoon_contact": "  Fatima, 06-12345678  "})
    assert saved.status_code == 303 and saved.headers["Location"] == f"/hr/contacts?unit={world.dg_a.id}"
    assert "Fatima, 06-12345678" in learner.get("/learn/basis/", headers=EN).get_data(as_text=True)
    stored = db.scalars(select(UnitSetting)).all()
    assert [(s.organisation_id, s.key, s.value) for s in stored] == [
        (world.dg_a.id, "vertrouwenspersoon_contact", "Fatima, 06-12345678")
    ]
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "unit.contacts")).one()
    assert event.details == {"keys": ["vertrouwenspersoon_contact"]} and event.target == f"unit:{world.dg_a.code}"
    # The team below inherits it, and says from where.
    page = hr.get(f"/hr/contacts?unit={world.team_a1.id}", headers=EN).get_data(as_text=True)
    assert "Empty: inherits “Fatima, 06-12345678” from DG A." in page
    # An empty field inherits again.
    assert _save(hr, {"unit": str(world.dg_a.id), "vertrouwenspersoon_contact": ""}).status_code == 303
    assert db.scalars(select(UnitSetting)).all() == []


def test_too_long_a_value_is_refused_with_the_input_kept(client: FlaskClient, world: World, db: Session) -> None:
    login(client, "hr-a@example.org")
    response = _save(client, {"unit": str(world.dg_a.id), "hr_contact": "HR", "mior_contact": "x" * 501})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "A contact may be at most 500 characters long." in page
    assert 'value="' + "x" * 501 + '"' in page and 'value="HR"' in page
    assert db.scalars(select(UnitSetting)).all() == []


def test_hr_keeps_to_its_own_subtree_and_learners_cannot_change_anything(
    client: FlaskClient, world: World, db: Session
) -> None:
    login(client, "hr-a@example.org")
    assert client.get(f"/hr/contacts?unit={world.dg_b.id}").status_code == 403
    assert _save(client, {"unit": str(world.dg_b.id), "hr_contact": "x"}).status_code == 403
    assert client.get("/hr/contacts?unit=abc").status_code == 400
    assert _save(client, {"unit": str(world.dg_a.id), "unknown": "x", "hr_contact": ""}).status_code == 303
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/learn/")})
    login(client, "employee@example.org")
    assert client.get("/hr/contacts").status_code == 403
    assert db.scalars(select(UnitSetting)).all() == []


def test_a_contact_is_shown_as_text_never_as_markup(client: FlaskClient, world: World) -> None:
    login(client, "hr-a@example.org")
    _save(client, {"unit": str(world.dg_a.id), "hr_contact": '<img src=x onerror="alert(1)">'})
    page = client.get(f"/hr/contacts?unit={world.dg_a.id}").get_data(as_text=True)
    assert '<img src=x onerror="alert(1)">' not in page and "&lt;img src=x" in page
