"""No personal data in the logs: a login, a roster import and a reminder run, captured at DEBUG, name nobody."""

from __future__ import annotations

import io
import logging
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearning.mail import Mail
from elearning.models import Person

from .conftest import World, csrf_token, login
from .services.test_reminders import DUE, assign, enrol

# Names that appear nowhere else, so that any occurrence in a log line is a leak.
ROSTER = (
    "personeelsnummer;naam;e-mail;organisatiecode\n"
    "P-1001;Wilhelmina Zonnebloem;wilhelmina.zonnebloem@ministerie.example;DG-A-1\n"
    "P-1002;Quirijn Vanderwaeren;q.vanderwaeren@ministerie.example;DG-A-1\n"
)


def test_login_import_and_reminders_log_no_names_or_addresses(
    app: Flask, client: FlaskClient, db: Session, world: World, outbox: list[Mail], caplog: pytest.LogCaptureFixture
) -> None:
    world.employee.name = "Xaviera Pseudoniem"
    world.manager.name = "Bartholomeus Achternaam"
    db.commit()
    with caplog.at_level(logging.DEBUG):
        # Logins: a failure, a success, a lock.
        other = app.test_client()
        for _ in range(6):
            other.post(
                "/auth/login",
                data={"email": "hr-b@example.org", "password": "a wrong password!", "csrf_token": csrf_token(other)},
            )
        login(client, "employee@example.org")
        client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/learn/")})
        # A roster import through the web: upload, preview, apply.
        login(client, "admin@example.org")
        form = {
            "csrf_token": csrf_token(client, "/people/import"),
            "file": (io.BytesIO(ROSTER.encode()), "roster.csv"),
            "mode": "partial",
        }
        response = client.post("/people/import", data=form, content_type="multipart/form-data")
        token = re.search(r"/people/import/([A-Za-z0-9_-]+)$", response.headers["Location"]).group(1)  # type: ignore[union-attr]
        client.post(
            "/people/import/apply", data={"token": token, "csrf_token": csrf_token(client, f"/people/import/{token}")}
        )
        # A reminder run, with an escalation to the manager, from the command line.
        assignment = assign(db, world, escalate_after_days=1)
        enrol(db, assignment, world.employee)
        result = app.test_cli_runner().invoke(args=["reminders", "send", "--today", DUE.isoformat()])
        assert result.exit_code == 0, result.output
    imported = db.scalars(select(Person).where(Person.employee_number.in_(["P-1001", "P-1002"]))).all()
    assert len(imported) == 2  # the import really ran
    assert outbox  # and mails went out
    assert "login failed" in caplog.text and "login succeeded" in caplog.text and "reminders" in caplog.text
    secrets = {
        *(p.email for p in db.scalars(select(Person))),
        "Xaviera",
        "Pseudoniem",
        "Bartholomeus",
        "Achternaam",
        "Wilhelmina",
        "Zonnebloem",
        "Quirijn",
        "Vanderwaeren",
        "ministerie.example",
        "example.org",
    }
    leaked = sorted(secret for secret in secrets if secret.lower() in caplog.text.lower())
    assert not leaked, leaked
