"""LTI 1.3 launches from a simulated LMS: a valid launch logs the learner in, every broken one is refused."""

from __future__ import annotations

import html
import logging
import time
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearning.models import LoginSession, LtiLink, LtiNonce, LtiPlatform, Person, utcnow
from elearning.services.lti import claims as c
from elearning.services.lti import platform_keys

from ..conftest import World
from .conftest import launch, start_login
from .platform import CLIENT_ID, DEPLOYMENT_ID, ISSUER, Platform

EN = {"Accept-Language": "en"}


def _sessions(db: Session, person: Person) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(LoginSession).where(LoginSession.person_id == person.id)) or 0


def test_a_launch_logs_the_learner_in_and_opens_the_module(
    client: FlaskClient, db: Session, world: World, platform: Platform, registered: LtiPlatform
) -> None:
    sent = start_login(client)
    assert sent["client_id"] == CLIENT_ID and sent["login_hint"] == "moodle-user-42"
    assert sent["lti_message_hint"] == "hint-1"
    assert sent["response_type"] == "id_token" and sent["response_mode"] == "form_post" and sent["prompt"] == "none"
    assert sent["redirect_uri"].endswith("/lti/launch") and sent["scope"] == "openid"
    token = platform.id_token(sent["nonce"])

    response = client.post("/lti/launch", data={"id_token": token, "state": sent["state"]})

    assert response.status_code == 303
    assert response.headers["Location"].endswith("/learn/basis/")
    assert _sessions(db, world.employee) == 1
    page = client.get("/learn/basis/")
    assert page.status_code == 200
    assert '<html lang="en">' in page.get_data(as_text=True)  # the LMS's locale
    link = db.scalars(select(LtiLink)).one()
    assert (link.person_id, link.module_slug, link.lms_user_id) == (world.employee.id, "basis", "moodle-user-42")
    assert link.resource_link_id == "resource-link-1" and link.deployment_id == DEPLOYMENT_ID
    assert link.lineitem_url == platform.lineitem()
    assert platform.jwks_fetches == 1


def test_the_target_link_can_name_the_module(
    client: FlaskClient, db: Session, world: World, platform: Platform, registered: LtiPlatform
) -> None:
    custom = {"other": "x"}
    response = launch(
        client, platform, **{c.CUSTOM: custom, c.TARGET_LINK_URI: "https://leren.example.org/learn/toets/"}
    )
    assert response.headers["Location"].endswith("/learn/toets/")


def test_without_the_score_scope_no_line_item_is_kept(
    client: FlaskClient, db: Session, world: World, platform: Platform, registered: LtiPlatform
) -> None:
    endpoint = {"scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"], "lineitem": "x"}
    assert launch(client, platform, **{c.AGS_ENDPOINT: endpoint}).status_code == 303
    assert db.scalars(select(LtiLink)).one().lineitem_url is None


def test_a_replayed_launch_is_refused(
    client: FlaskClient, db: Session, world: World, platform: Platform, registered: LtiPlatform
) -> None:
    sent = start_login(client)
    form = {"id_token": platform.id_token(sent["nonce"]), "state": sent["state"]}
    assert client.post("/lti/launch", data=form).status_code == 303
    assert client.post("/lti/launch", data=form).status_code == 400  # the state cookie went with the first launch
    client.set_cookie("lti-state", sent["state"])  # an attacker who kept the cookie too: the nonce store refuses
    replay = client.post("/lti/launch", data=form, headers=EN)
    assert replay.status_code == 400
    assert "This launch was already used." in replay.get_data(as_text=True)
    nonce = db.get(LtiNonce, sent["nonce"])
    assert nonce is not None and nonce.used_at is not None  # kept, used, until it expires


@pytest.mark.parametrize(
    ("changes", "status", "text"),
    [
        ({"sign_with_other_key": True}, 400, "it was not signed with the LMS's registered key"),
        ({c.DEPLOYMENT_ID: "deployment-unknown"}, 400, "This deployment of the tool in the LMS is not registered."),
        ({"exp": int(time.time()) - 3600}, 400, "The launch has expired."),
        ({"aud": ["another-tool", CLIENT_ID], "azp": "another-tool"}, 400, "The launch was meant for another tool."),
        ({"nonce": "a-nonce-the-tool-never-made"}, 400, "does not belong to a login started here"),
        ({c.MESSAGE_TYPE: "LtiDeepLinkingRequest"}, 400, "Only LTI 1.3 resource link launches are supported."),
        ({c.RESOURCE_LINK: None}, 400, "The launch lacks information"),
        ({"email": "nobody@example.org"}, 403, "You are not on this platform's HR roster."),
        ({"email": None}, 403, "The LMS did not say who you are"),
        ({"email": "colleague-b@example.org", c.CUSTOM: {"module": "leiding"}}, 404, "is not meant for you"),
        ({c.CUSTOM: {"module": "no-such-module"}}, 404, "does not exist"),
        ({c.CUSTOM: {}, c.TARGET_LINK_URI: "https://leren.example.org/lti/launch"}, 400, "does not say which module"),
    ],
)
def test_a_broken_launch_logs_nobody_in(
    client: FlaskClient,
    db: Session,
    world: World,
    platform: Platform,
    registered: LtiPlatform,
    caplog: pytest.LogCaptureFixture,
    changes: dict[str, object],
    status: int,
    text: str,
) -> None:
    with caplog.at_level(logging.INFO):
        response = launch(client, platform, **dict(changes))
    assert response.status_code == status
    assert text in html.unescape(response.get_data(as_text=True))
    assert db.scalar(select(func.count()).select_from(LoginSession)) == 0
    assert db.scalars(select(LtiLink)).all() == []
    assert client.get("/learn/").status_code == 302
    logged = caplog.text
    assert "LTI launch refused" in logged
    for personal in ("employee@example.org", "nobody@example.org", "colleague-b@example.org", "moodle-user-42"):
        assert personal not in logged


def test_an_inactive_person_is_refused(
    client: FlaskClient, db: Session, world: World, platform: Platform, registered: LtiPlatform
) -> None:
    world.employee.active = False
    db.commit()
    response = launch(client, platform)
    assert response.status_code == 403
    assert _sessions(db, world.employee) == 0


def test_a_launch_without_the_browser_cookie_is_refused(
    app: Flask, client: FlaskClient, platform: Platform, registered: LtiPlatform, world: World
) -> None:
    sent = start_login(client)
    other_browser = app.test_client()
    response = other_browser.post(
        "/lti/launch", data={"id_token": platform.id_token(sent["nonce"]), "state": sent["state"]}, headers=EN
    )
    assert response.status_code == 400
    assert "Your browser did not keep the cookie of this launch." in response.get_data(as_text=True)


def test_an_old_login_has_expired(
    client: FlaskClient, db: Session, platform: Platform, registered: LtiPlatform, world: World
) -> None:
    sent = start_login(client)
    nonce = db.get(LtiNonce, sent["nonce"])
    assert nonce is not None
    nonce.expires_at = utcnow() - timedelta(seconds=1)
    db.commit()
    response = client.post("/lti/launch", data={"id_token": platform.id_token(sent["nonce"]), "state": sent["state"]})
    assert response.status_code == 400


def test_expired_nonces_are_cleared_at_the_next_login(
    client: FlaskClient, db: Session, platform: Platform, registered: LtiPlatform
) -> None:
    first = start_login(client)
    db.get(LtiNonce, first["nonce"]).expires_at = utcnow() - timedelta(minutes=1)  # type: ignore[union-attr]
    db.commit()
    second = start_login(client)
    db.expire_all()
    assert db.get(LtiNonce, first["nonce"]) is None
    assert db.get(LtiNonce, second["nonce"]) is not None


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        ({"iss": "https://unknown-lms.example.org"}, "This LMS is not registered"),
        ({"lti_deployment_id": "deployment-unknown"}, "This deployment of the tool in the LMS is not registered."),
        ({"login_hint": ""}, "without the details LTI 1.3 needs"),
    ],
)
def test_a_login_from_an_unknown_lms_is_refused(
    client: FlaskClient, registered: LtiPlatform, changes: dict[str, str], text: str
) -> None:
    data = {
        "iss": ISSUER,
        "login_hint": "u",
        "target_link_uri": "https://leren.example.org/",
        "client_id": CLIENT_ID,
        "lti_deployment_id": DEPLOYMENT_ID,
        **changes,
    }
    response = client.post("/lti/login", data=data, headers=EN)
    assert response.status_code == 400
    assert text in response.get_data(as_text=True)


def test_a_switched_off_platform_cannot_launch(
    client: FlaskClient, db: Session, platform: Platform, registered: LtiPlatform
) -> None:
    registered.active = False
    db.commit()
    response = client.get(f"/lti/login?iss={ISSUER}&login_hint=u&target_link_uri=x&client_id={CLIENT_ID}")
    assert response.status_code == 400


def test_a_rotated_platform_key_is_fetched_again(
    client: FlaskClient,
    db: Session,
    world: World,
    platform: Platform,
    registered: LtiPlatform,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert launch(client, platform).status_code == 303
    monkeypatch.setattr(platform_keys, "MIN_REFETCH_SECONDS", 0)  # as if the last fetch were a while ago
    platform.key, platform.other_key = platform.other_key, platform.key  # the LMS rotates its key
    fresh = client.application.test_client()
    assert launch(fresh, platform).status_code == 303
    assert platform.jwks_fetches == 2


def test_people_can_be_matched_by_an_employee_number_parameter(
    app: Flask, client: FlaskClient, db: Session, world: World, platform: Platform, registered: LtiPlatform
) -> None:
    app.config.update(LTI_PERSON_MATCH="employee_number", LTI_EMPLOYEE_NUMBER_PARAMETER="employee_number")
    world.manager.employee_number = "M-7"
    db.commit()
    response = launch(client, platform, email=None, **{c.CUSTOM: {"module": "leiding", "employee_number": "M-7"}})
    assert response.status_code == 303
    assert _sessions(db, world.manager) == 1
    assert launch(app.test_client(), platform, **{c.CUSTOM: {"module": "basis"}}).status_code == 403


def test_the_tool_publishes_its_public_key_only(client: FlaskClient) -> None:
    keys = client.get("/lti/jwks").get_json()["keys"]
    assert len(keys) == 1
    assert keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and keys[0]["kid"]
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(keys[0])
