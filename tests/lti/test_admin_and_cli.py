"""Registering LMSes: the admin page and `flask lti register/list/generate-key`, with the checks they share."""

from __future__ import annotations

import html
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearning.models import AuditEvent, LtiPlatform
from elearning.services.lti import tool_key

from ..conftest import World, csrf_token, login

EN = {"Accept-Language": "en"}
FORM = {
    "name": "Brightspace",
    "issuer": "https://brightspace.example.org",
    "client_id": "abc-123",
    "deployment_ids": "dep-a\ndep-b, dep-a",
    "auth_login_url": "https://brightspace.example.org/d2l/lti/authenticate",
    "auth_token_url": "https://auth.brightspace.com/core/connect/token",
    "key_set_url": "https://brightspace.example.org/d2l/.well-known/jwks",
}


def _admin(client: FlaskClient, world: World) -> str:
    login(client, world.admin.email)
    return csrf_token(client, "/admin/lti")


def test_the_page_tells_what_the_lms_needs(client: FlaskClient, world: World, registered: LtiPlatform) -> None:
    _admin(client, world)
    page = client.get("/admin/lti", headers=EN).get_data(as_text=True)
    base = client.application.config["BASE_URL"]
    for address in (f"{base}/lti/login", f"{base}/lti/launch", f"{base}/lti/jwks"):
        assert address in page
    assert "Moodle" in page and registered.client_id in page
    assert tool_key.load(Path(client.application.config["LTI_KEY_FILE"])).kid in page  # type: ignore[union-attr]


def test_an_administrator_registers_a_platform(client: FlaskClient, db: Session, world: World) -> None:
    token = _admin(client, world)
    response = client.post("/admin/lti", data={**FORM, "csrf_token": token})
    assert response.status_code == 302
    platform = db.scalars(select(LtiPlatform)).one()
    assert platform.deployment_ids == ["dep-a", "dep-b"]
    assert platform.active
    assert db.scalars(select(AuditEvent.action).where(AuditEvent.target == f"lti_platform:{platform.id}")).all() == [
        "lti.register"
    ]
    again = client.post("/admin/lti", data={**FORM, "name": "Brightspace 2", "csrf_token": token})
    assert again.status_code == 302
    db.expire_all()
    assert db.scalars(select(LtiPlatform.name)).all() == ["Brightspace 2"]  # the same issuer and client: updated


def test_an_address_that_is_not_https_is_refused_and_nothing_is_lost(
    client: FlaskClient, db: Session, world: World
) -> None:
    token = _admin(client, world)
    response = client.post(
        "/admin/lti", data={**FORM, "key_set_url": "http://lms.example.org/jwks", "csrf_token": token}, headers=EN
    )
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert "The public key set URL must be an https:// address." in page
    assert 'value="abc-123"' in page  # what was typed is still there
    assert db.scalars(select(LtiPlatform)).all() == []


def test_a_platform_is_switched_off_and_on(
    client: FlaskClient, db: Session, world: World, registered: LtiPlatform
) -> None:
    token = _admin(client, world)
    assert (
        client.post(f"/admin/lti/{registered.id}/active", data={"active": "off", "csrf_token": token}).status_code
        == 302
    )
    db.expire_all()
    assert db.get(LtiPlatform, registered.id).active is False  # type: ignore[union-attr]
    assert (
        client.post(f"/admin/lti/{registered.id}/active", data={"active": "on", "csrf_token": token}).status_code == 302
    )
    db.expire_all()
    assert db.get(LtiPlatform, registered.id).active is True  # type: ignore[union-attr]
    bad = client.post(f"/admin/lti/{registered.id}/active", data={"active": "maybe", "csrf_token": token})
    assert bad.status_code == 400
    actions = db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["lti.deactivate", "lti.activate"]


def test_the_command_line_registers_lists_and_makes_the_key(app: Flask, db: Session, tmp_path: Path) -> None:
    app.config["LTI_KEY_FILE"] = str(tmp_path / "new" / "tool.pem")
    runner = app.test_cli_runner()
    args = [
        "lti", "register", "--name", "Moodle", "--issuer", "https://moodle.example.org", "--client-id", "c1",
        "--deployment-id", "1", "--deployment-id", "2", "--login-url", "https://moodle.example.org/mod/lti/auth.php",
        "--token-url", "https://moodle.example.org/mod/lti/token.php",
        "--jwks-url", "https://moodle.example.org/mod/lti/certs.php",
    ]  # fmt: skip
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "registered platform" in result.output and "/lti/launch" in result.output
    key_file = tmp_path / "new" / "tool.pem"
    assert key_file.stat().st_mode & 0o777 == 0o600
    kid = tool_key.load(key_file).kid  # type: ignore[union-attr]
    assert kid in result.output
    listing = runner.invoke(args=["lti", "list"])
    assert "Moodle [on]" in listing.output and "deployments=1,2" in listing.output
    kept = runner.invoke(args=["lti", "generate-key"])
    assert f"kept the existing tool key {kid}" in kept.output
    replaced = runner.invoke(args=["lti", "generate-key", "--replace"])
    assert "made a new tool key" in replaced.output and kid not in replaced.output
    refused = runner.invoke(args=[*args[:-1], "ftp://moodle.example.org/certs"])
    assert refused.exit_code != 0 and "https://" in refused.output
