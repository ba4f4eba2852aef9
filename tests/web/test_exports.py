"""Every personal download is an attachment of the right type, never cached, and its CSV runs no formula."""

from __future__ import annotations

import csv
import io

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from elearning.services.my_data import safe_cell

from ..conftest import World, login
from .test_certificates import complete_basis

DOWNLOADS = {
    "/me/data.json": ("application/json", 'attachment; filename="my-data.json"'),
    "/me/data.csv": ("text/csv; charset=utf-8", 'attachment; filename="my-data.csv"'),
    "/me/certificates/basis.pdf": ("application/pdf", 'attachment; filename="certificate-basis.pdf"'),
}
FORMULAS = [
    '=HYPERLINK("https://evil.example","klik")',
    "+31 6 12345678",
    "-1+1",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "＝1+1",  # full-width equals sign
]


@pytest.fixture
def employee(client: FlaskClient, world: World, db: Session) -> FlaskClient:
    complete_basis(db, world.employee)
    login(client, "employee@example.org")
    return client


@pytest.mark.parametrize("path", sorted(DOWNLOADS))
def test_downloads_are_attachments_of_the_right_type(employee: FlaskClient, path: str) -> None:
    content_type, disposition = DOWNLOADS[path]
    response = employee.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Content-Disposition"] == disposition
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", sorted(DOWNLOADS))
def test_downloads_need_login(client: FlaskClient, world: World, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_the_csv_runs_no_formula_from_any_field(employee: FlaskClient, world: World, db: Session, formula: str) -> None:
    world.employee.name = formula
    world.employee.employee_number = formula[:60]
    world.team_a1.name = formula
    db.commit()
    body = employee.get("/me/data.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    cells = [cell for row in rows for cell in row]
    assert "'" + formula in cells  # kept, readable, but as text
    assert not [cell for cell in cells if cell and cell[0] in "=+-@\t\r\n＝＋－＠"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_safe_cell(formula: str) -> None:
    assert safe_cell(formula) == "'" + formula
    assert safe_cell("Jan " + formula) == "Jan " + formula
