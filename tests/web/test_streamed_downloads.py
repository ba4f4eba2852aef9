"""A streamed download reads on after its view has returned; its database connection must still go back to the pool."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ..conftest import World, login


@pytest.mark.parametrize("url", ["/admin/audit.csv", "/admin/xapi/statements.json?from=2026-01-01&to=2026-12-31"])
def test_a_streamed_download_gives_its_connection_back(app: Flask, client: FlaskClient, world: World, url: str) -> None:
    login(client, "admin@example.org")
    pool = app.extensions["db_engine"].pool
    response = client.get(url)
    assert response.status_code == 200 and response.data  # read to the end: the stream's rows came from the database
    assert pool.checkedout() == 0
