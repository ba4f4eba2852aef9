"""HR exempts a person from a module: in its own scope, with a category and an end date; the dashboard says so."""

from __future__ import annotations

from datetime import date, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearning.models import AuditEvent, Exemption

from ..conftest import World, csrf_token, login

EN = {"Accept-Language": "en"}


def _exempt(client: FlaskClient, person_id: int, **data: str) -> object:
    url = f"/people/{person_id}/exemptions"
    form = {"csrf_token": csrf_token(client, url), "module": "basis", "reason": "parental_leave"} | data
    return client.post(url, data=form, headers=EN)


def test_hr_exempts_and_ends_an_exemption(client: FlaskClient, world: World, db: Session) -> None:
    login(client, "hr-a@example.org")
    until = (date.today() + timedelta(days=90)).isoformat()
    response = _exempt(client, world.employee.id, ends_on=until)
    assert response.status_code == 302  # type: ignore[attr-defined]
    page = client.get(f"/people/{world.employee.id}/exemptions", headers=EN).get_data(as_text=True)
    assert "The exemption has been recorded." in page and "Parental leave" in page and "Basics" in page
    exemption = db.scalar(select(Exemption))
    assert exemption is not None and exemption.ends_on.isoformat() == until
    url = f"/people/{world.employee.id}/exemptions"
    ended = client.post(f"{url}/revoke", data={"csrf_token": csrf_token(client, url), "exemption": exemption.id})
    assert ended.status_code == 302
    db.expire_all()
    assert db.scalar(select(Exemption.revoked_at)) is not None
    actions = db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["exemption.create", "exemption.revoke"]


def test_bad_input_is_named_and_nothing_is_stored(client: FlaskClient, world: World, db: Session) -> None:
    login(client, "hr-a@example.org")
    for data, message in (
        ({"ends_on": ""}, "Give the last day of the exemption."),
        ({"ends_on": "2020-01-01"}, "Give the last day of the exemption: today or a later date."),
        ({"ends_on": "2031-01-01", "reason": "gossip"}, "Not a valid choice"),
        ({"ends_on": "2031-01-01", "module": "nope"}, "Not a valid choice"),
    ):
        response = _exempt(client, world.employee.id, **data)
        assert response.status_code == 400, data  # type: ignore[attr-defined]
        assert message in response.get_data(as_text=True), data  # type: ignore[attr-defined]
    assert db.scalars(select(Exemption)).all() == []


def test_hr_of_another_unit_finds_nobody(client: FlaskClient, world: World) -> None:
    login(client, "hr-b@example.org")
    assert client.get(f"/people/{world.employee.id}/exemptions").status_code == 404
    soon = (date.today() + timedelta(days=30)).isoformat()
    assert _exempt(client, world.colleague_b.id, ends_on=soon).status_code == 302  # type: ignore[attr-defined]


def test_the_learner_sees_the_exemption_on_the_dashboard(client: FlaskClient, world: World, db: Session) -> None:
    from elearning.content import load_catalog
    from elearning.models import Assignment, utcnow
    from elearning.services import enrolments

    from ..conftest import TEST_CONTENT

    db.add(Assignment(module_slug="basis", organisation_id=world.dg_a.id, due_on=date.today() + timedelta(days=30)))
    db.add(
        Exemption(
            person_id=world.employee.id,
            module_slug="basis",
            reason="parental_leave",
            ends_on=date.today() + timedelta(days=60),
        )
    )
    db.commit()
    enrolments.sync(db, load_catalog(TEST_CONTENT), date.today(), now=utcnow())
    db.commit()
    login(client, "employee@example.org")
    page = client.get("/learn/", headers=EN).get_data(as_text=True)
    assert "Exempted until" in page
