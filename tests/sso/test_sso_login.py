"""Single sign-on against a real (small) OpenID Connect provider on loopback: the whole code flow with PKCE."""

from __future__ import annotations

import html
import logging
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearning.mail import Mail
from elearning.models import AuditEvent, LoginSession, Person

from ..conftest import PASSWORD, World, csrf_token
from .conftest import through_provider
from .oidc_provider import CLIENT_ID, Provider

EN = {"Accept-Language": "en"}


def _employee(db: Session, world: World, number: str = "E-100") -> Person:
    world.employee.employee_number = number
    db.commit()
    return world.employee


def _sessions_of(db: Session, person: Person) -> int:
    db.expire_all()
    return len(db.scalars(select(LoginSession).where(LoginSession.person_id == person.id)).all())


def test_login_by_employee_number_with_pkce_state_and_nonce(
    app: Flask, client: FlaskClient, db: Session, world: World, provider: Provider
) -> None:
    employee = _employee(db, world)
    provider.claims = {"sub": "abc", "employee_number": "E-100", "locale": "en-GB"}

    response = through_provider(client)

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/learn/")
    sent = provider.authorize_requests[0]
    assert sent["response_type"] == "code"
    assert sent["client_id"] == CLIENT_ID
    assert sent["code_challenge_method"] == "S256" and len(sent["code_challenge"]) >= 43
    assert sent["state"] and sent["nonce"]
    assert "openid" in sent["scope"].split()
    assert sent["redirect_uri"] == app.config["BASE_URL"] + "/auth/sso/callback"
    assert provider.token_requests[0]["code_verifier"]  # the provider checked it against the challenge
    assert _sessions_of(db, employee) == 1  # the same server-side session a password login makes
    assert client.get("/learn/").status_code == 200
    db.expire_all()
    assert db.get(Person, employee.id).preferred_language == "en"  # type: ignore[union-attr]


def test_the_page_asked_for_before_login_follows(
    client: FlaskClient, db: Session, world: World, provider: Provider
) -> None:
    _employee(db, world)
    provider.claims = {"sub": "abc", "employee_number": "E-100"}
    assert through_provider(client, "/auth/sso?next=/me/").headers["Location"].endswith("/me/")


def test_another_site_is_never_the_next_page(
    client: FlaskClient, db: Session, world: World, provider: Provider
) -> None:
    _employee(db, world)
    provider.claims = {"sub": "abc", "employee_number": "E-100"}
    location = through_provider(client, "/auth/sso?next=//evil.example/").headers["Location"]
    assert location.endswith("/learn/") and "evil" not in location


def test_the_login_page_offers_single_sign_on_and_passwords_for_administrators(client: FlaskClient) -> None:
    page = client.get("/auth/login", headers=EN).get_data(as_text=True)
    assert 'href="/auth/sso"' in page
    assert "Log in with your organisation account" in page
    assert "Administrators can still log in with a password here." in page
    dutch = client.get("/auth/login", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "Inloggen met je organisatieaccount" in dutch


def test_only_administrators_log_in_with_a_password(client: FlaskClient, world: World) -> None:
    refused = client.post(
        "/auth/login",
        data={"email": world.employee.email, "password": PASSWORD, "csrf_token": csrf_token(client)},
        headers=EN,
    )
    assert refused.status_code == 401
    assert "E-mail address or password is not correct." in refused.get_data(as_text=True)  # no account oracle
    admin = client.post(
        "/auth/login", data={"email": world.admin.email, "password": PASSWORD, "csrf_token": csrf_token(client)}
    )
    assert admin.status_code == 302


def test_a_reset_link_gives_no_password_to_someone_who_logs_in_with_sso(
    client: FlaskClient, db: Session, world: World, outbox: list[Mail]
) -> None:
    client.post("/auth/reset", data={"email": world.employee.email, "csrf_token": csrf_token(client, "/auth/reset")})
    link = urlsplit(next(word for word in outbox[-1].body.split() if "/auth/reset/" in word)).path
    page = client.get(link, headers=EN)
    assert page.status_code == 403
    assert "You do not need a password for this platform" in page.get_data(as_text=True)


def test_an_administrator_without_employee_number_is_found_by_e_mail(
    client: FlaskClient, db: Session, world: World, provider: Provider
) -> None:
    provider.claims = {"sub": "adm", "email": "ADMIN@example.org"}
    assert through_provider(client).status_code == 302
    assert _sessions_of(db, world.admin) == 1


def test_a_roster_person_is_never_found_by_e_mail_alone(
    client: FlaskClient, db: Session, world: World, provider: Provider
) -> None:
    employee = _employee(db, world)
    provider.claims = {"sub": "x", "email": employee.email}
    response = through_provider(client)
    assert response.status_code == 403
    assert _sessions_of(db, employee) == 0


@pytest.mark.parametrize(
    ("claims", "reason", "text"),
    [
        ({"employee_number": "E-999"}, "unknown_employee", "is not linked to anyone on this platform's HR roster"),
        ({"name": "No Number"}, "no_identity", "did not say who you are"),
        ({"employee_number": "E-100", "active": False}, "inactive", "is no longer active"),
    ],
)
def test_refusals_after_a_valid_token_are_audited_without_personal_data(
    client: FlaskClient,
    db: Session,
    world: World,
    provider: Provider,
    caplog: pytest.LogCaptureFixture,
    claims: dict[str, object],
    reason: str,
    text: str,
) -> None:
    employee = _employee(db, world)
    claims = dict(claims)
    if claims.pop("active", True) is False:
        employee.active = False
        db.commit()
    provider.claims = {"sub": "abc", **claims}
    with caplog.at_level(logging.DEBUG):
        response = through_provider(client)
    assert response.status_code == 403
    assert text in html.unescape(response.get_data(as_text=True))
    if reason == "unknown_employee":  # and in Dutch, the default language
        dutch = through_provider(client, language="nl").get_data(as_text=True)
        assert "is aan niemand in het personeelsbestand van dit platform gekoppeld" in dutch
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "login.sso_refused")).first()
    assert event is not None
    assert event.details == {"reason": reason}
    assert event.target == (f"person:{employee.id}" if reason == "inactive" else "")
    assert _sessions_of(db, employee) == 0
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert reason in logged
    for secret in ("E-100", "E-999", employee.email, employee.name, "No Number"):
        assert secret not in logged


@pytest.mark.parametrize(
    ("tamper", "text"),
    [
        ({"aud": "another-application"}, "was meant for another application"),
        ({"exp": int(time.time()) - 3600}, "has expired"),
        ({"other_key": True}, "could not be verified"),
        ({"nonce": "not-the-nonce-we-sent"}, "does not belong to this login"),
        ({"iss": "https://impostor.example"}, "another identity provider than the one configured"),
        ({"error": "access_denied"}, "did not complete the login"),
    ],
)
def test_a_bad_answer_from_the_provider_logs_nobody_in(
    client: FlaskClient, db: Session, world: World, provider: Provider, tamper: dict[str, object], text: str
) -> None:
    employee = _employee(db, world)
    provider.claims = {"sub": "abc", "employee_number": "E-100"}
    provider.tamper = tamper
    response = client.get("/auth/sso/callback")  # warm nothing: a callback without a login started
    assert response.status_code == 400
    response = through_provider(client)
    assert response.status_code in {400, 502}
    assert text in response.get_data(as_text=True)
    assert _sessions_of(db, employee) == 0
    assert client.get("/learn/").status_code == 302  # still anonymous


def test_a_wrong_or_replayed_state_is_refused(
    client: FlaskClient, db: Session, world: World, provider: Provider
) -> None:
    employee = _employee(db, world)
    provider.claims = {"sub": "abc", "employee_number": "E-100"}
    begin = client.get("/auth/sso")
    answer = requests.get(begin.headers["Location"], allow_redirects=False, timeout=10)
    back = urlsplit(answer.headers["Location"])
    code = parse_qs(back.query)["code"][0]
    forged = client.get(f"{back.path}?code={code}&state=forged-state", headers=EN)
    assert forged.status_code == 400
    assert "This login has expired or was started in another browser window." in forged.get_data(as_text=True)
    assert client.get(f"{back.path}?{back.query}").status_code == 302  # the real one still works, once
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/me/")})
    replay = client.get(f"{back.path}?{back.query}")
    assert replay.status_code == 400
    assert _sessions_of(db, employee) == 0


def test_a_discovery_document_for_another_issuer_is_refused(client: FlaskClient, provider: Provider) -> None:
    provider.tamper = {"discovery_issuer": "https://impostor.example"}
    response = client.get("/auth/sso", headers=EN)
    assert response.status_code == 400
    assert provider.authorize_requests == []


def test_an_unreachable_provider_gets_a_clear_page(app: Flask, client: FlaskClient) -> None:
    app.extensions["oidc_client"]._server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"
    response = client.get("/auth/sso", headers=EN)
    assert response.status_code == 502
    assert "cannot be reached right now" in response.get_data(as_text=True)


def test_an_organisation_that_differs_from_the_roster_is_logged_not_refused(
    client: FlaskClient, db: Session, world: World, provider: Provider, caplog: pytest.LogCaptureFixture
) -> None:
    employee = _employee(db, world)
    provider.claims = {"sub": "abc", "employee_number": "E-100", "organisation_code": "DG-B"}
    with caplog.at_level(logging.INFO):
        assert through_provider(client).status_code == 302
    assert f"organisation code of person {employee.id} differs" in caplog.text
    assert "DG-B" not in caplog.text


def test_an_issuer_spelled_with_a_trailing_slash_is_the_same_issuer(
    client: FlaskClient, db: Session, world: World, provider: Provider
) -> None:
    employee = _employee(db, world)
    provider.claims = {"sub": "abc", "employee_number": "E-100"}
    provider.tamper = {"discovery_issuer": provider.url + "/", "iss": provider.url + "/"}  # as Auth0 spells it
    assert through_provider(client).status_code == 302
    assert _sessions_of(db, employee) == 1
