"""The health check reports the database and the content version."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker


def test_healthz_ok(client: FlaskClient, app: Flask) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["modules"] == 3
    assert body["content_version"] == app.extensions["catalog"].get().version != ""
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == 'attachment; filename="healthz.json"'


def test_healthz_reports_an_unreachable_database(app: Flask) -> None:
    engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    app.extensions["db_sessionmaker"] = sessionmaker(bind=engine)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"
