"""The departmental report on a hand-computed tree: people reached, completion per unit with suppression, quarters;
its scope; and the PDF and XLSX holding the page's numbers."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearning.content import Catalog, load_catalog
from elearning.models import Assignment, AuditEvent, ModuleCompletion, OrganisationUnit, Person, Role, RoleGrant
from elearning.services import enrolments, progress
from elearning.services.errors import InvalidInput
from elearning.services.organisations import create_unit
from elearning.services.passwords import hash_password
from elearning.services.reporting.period import Period, parse_period

from ..conftest import TEST_CONTENT, login

PASSWORD = "correct horse battery staple"
EN = {"Accept-Language": "en"}
YEAR = "from=2025-01-01&to=2025-12-31"
CREATED = datetime(2025, 1, 1, 8, tzinfo=UTC)
DUE = date(2025, 12, 31)


@dataclass
class Department:
    """MIN → DG-A (A1 "=A1+1 Team": 10 people; A2 "Afdeling Coördinatie": 8, with A2x below it: 3), DG-B (10).

    `basis` (the bystander module here) is assigned to MIN, due 31 December 2025. Completions of `basis`:
      A1    5 on 10 Feb 2025, 1 on 5 Jan 2026 (after the period)
      A2    4 on 10 May, 4 on 10 Aug         A2x   1 on 11 Aug
      DG-B  1 on 20 Dec 2024 (before), 6 on 10 Nov, 3 on 1 Dec
    and `toets` completed without an assignment by a2_00 (1 Mar), b_06 (1 Apr) and b_00 (12 Nov); outside MIN, one
    person in another ministry completed `basis` in 2025.

    Reached in 2025: e-learning 24 (5 + 8 + 1 + 9 + b_06 by `toets`), bystander 23.
    Per quarter, e-learning 6 (5 + a2_00), 5 (4 + b_06), 5 (4 + 1), 9; bystander 5, 4, 5, 9.
    Completion on 31 Dec 2025: MIN 24/31, DG-A 14/21, A1 5/10, A2 9/11 (A2x 1/3), DG-B 10/10.
    """

    root: OrganisationUnit
    dg_a: OrganisationUnit
    a1: OrganisationUnit
    a2: OrganisationUnit
    a2x: OrganisationUnit
    dg_b: OrganisationUnit
    catalog: Catalog


def _people(db: Session, unit: OrganisationUnit, prefix: str, count: int) -> list[Person]:
    people = [
        Person(
            name=f"{prefix} {n}", email=f"{prefix}{n}@example.org", employee_number=f"{prefix}{n}", organisation=unit
        )
        for n in range(count)
    ]
    db.add_all(people)
    db.flush()
    return people


def _complete(db: Session, catalog: Catalog, people: list[Person], at: datetime) -> None:
    for person in people:
        for lesson in ("01-welkom", "02-oefenen"):
            progress.mark_lesson_done(db, catalog, person, "basis", lesson, at)


def _toets(db: Session, person: Person, at: datetime) -> None:
    version = load_catalog(TEST_CONTENT).modules["toets"].version
    db.add(ModuleCompletion(person_id=person.id, module_slug="toets", content_version=version, completed_at=at))


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)  # once: argon2 is slow on purpose


def _hr(db: Session, email: str, scope: OrganisationUnit | None, role: Role, home: OrganisationUnit) -> Person:
    person = Person(name=email, email=email, organisation=home, password_hash=_password_hash())
    person.roles.append(RoleGrant(role=role.value, organisation=scope))
    db.add(person)
    return person


@pytest.fixture
def department(app: Flask, db: Session) -> Department:
    app.config["REPORT_MIN_GROUP"] = 5
    app.config["BYSTANDER_MODULE"] = "basis"
    catalog = load_catalog(TEST_CONTENT)
    root = create_unit(db, "MIN", "Ministerie van Voorbeeldzaken")
    dg_a = create_unit(db, "DG-A", "DG A", root)
    a1 = create_unit(db, "A1", "=A1+1 Team", dg_a)
    a2 = create_unit(db, "A2", "Afdeling Coördinatie", dg_a)
    a2x = create_unit(db, "A2X", "Bureau Eénheid", a2)
    dg_b = create_unit(db, "DG-B", "DG Beleid en Financiën", root)
    other = create_unit(db, "OTHER", "Ander ministerie")
    service_centre = create_unit(db, "SSC", "Shared service centre")
    in_a1, in_a2, in_a2x = _people(db, a1, "a1_", 10), _people(db, a2, "a2_", 8), _people(db, a2x, "x_", 3)
    in_b, outsider = _people(db, dg_b, "b_", 10), _people(db, other, "o_", 1)
    _hr(db, "hr-a@example.org", dg_a, Role.HR, service_centre)
    _hr(db, "hr-b@example.org", dg_b, Role.HR, service_centre)
    _hr(db, "hr-min@example.org", root, Role.HR, service_centre)
    _hr(db, "admin@example.org", None, Role.ADMIN, service_centre)
    _complete(db, catalog, in_b[6:7], datetime(2024, 12, 20, 10, tzinfo=UTC))
    db.add(Assignment(module_slug="basis", organisation_id=root.id, due_on=DUE, created_at=CREATED))
    db.flush()
    enrolments.sync(db, catalog, CREATED.date(), now=CREATED)
    _complete(db, catalog, in_a1[:5], datetime(2025, 2, 10, 10, tzinfo=UTC))
    _complete(db, catalog, in_a1[5:6], datetime(2026, 1, 5, 10, tzinfo=UTC))
    _complete(db, catalog, in_a2[:4], datetime(2025, 5, 10, 10, tzinfo=UTC))
    _complete(db, catalog, in_a2[4:], datetime(2025, 8, 10, 10, tzinfo=UTC))
    _complete(db, catalog, in_a2x[:1], datetime(2025, 8, 11, 10, tzinfo=UTC))
    _complete(db, catalog, in_b[:6], datetime(2025, 11, 10, 10, tzinfo=UTC))
    _complete(db, catalog, in_b[7:], datetime(2025, 12, 1, 10, tzinfo=UTC))
    _complete(db, catalog, outsider, datetime(2025, 6, 1, 10, tzinfo=UTC))
    _toets(db, in_a2[0], datetime(2025, 3, 1, 10, tzinfo=UTC))
    _toets(db, in_b[6], datetime(2025, 4, 1, 10, tzinfo=UTC))
    _toets(db, in_b[0], datetime(2025, 11, 12, 10, tzinfo=UTC))
    db.commit()
    return Department(root, dg_a, a1, a2, a2x, dg_b, catalog)


def _client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    login(client, email, PASSWORD)
    return client


def _tables(html: str) -> dict[str, list[list[str]]]:
    """The page's tables by id, as rows of text cells."""
    tables = {}
    for key, body in re.findall(r'<table class="data report" id="table-([a-z]+)">.*?<tbody>(.*?)</tbody>', html, re.S):
        rows = []
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
            cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
            rows.append([unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells])
        tables[key] = rows
    return tables


def test_the_hand_computed_numbers(app: Flask, department: Department) -> None:
    admin = _client(app, "admin@example.org")
    response = admin.get(f"/hr/departmental?unit={department.root.id}&{YEAR}", headers=EN)
    assert response.status_code == 200
    tables = _tables(response.get_data(as_text=True))
    assert tables["reach"] == [
        ["Reached by the e-learning (completed at least one module)", "24"],
        ["Reached by the bystander module “Basics”", "23"],
    ]
    # The bystander module's second quarter (4 people) is hidden, and with it the smallest other quarter (the first).
    assert tables["quarters"] == [
        ["2025 Q1", "6", "x"],
        ["2025 Q2", "5", "< 5"],
        ["2025 Q3", "5", "5"],
        ["2025 Q4", "9", "9"],
    ]
    # Units one and two levels below MIN; A2x (three levels down) only inside A2. Its 3 people are a small group, so
    # A2's completed count (9 = 8 + 1) is hidden; DG-A's 14 would then give A2's away, so A1's goes as well.
    assert tables["units"] == [
        ["Ministerie van Voorbeeldzaken", "MIN", "31", "77"],
        ["DG A", "DG-A", "21", "67"],
        ["'=A1+1 Team", "A1", "10", "x"],
        ["Afdeling Coördinatie", "A2", "11", "x"],
        ["DG Beleid en Financiën", "DG-B", "10", "100"],
    ]


def test_the_unit_lines_match_the_completion_report(app: Flask, department: Department) -> None:
    """The same cells as on the completion page for the same unit and day: one suppression decision."""
    admin = _client(app, "admin@example.org")
    units = _tables(admin.get(f"/hr/departmental?unit={department.root.id}&{YEAR}", headers=EN).get_data(as_text=True))
    for unit in (department.root, department.dg_a):
        page = admin.get(f"/hr/?unit={unit.id}&module=basis&as_of=2025-12-31", headers=EN).get_data(as_text=True)
        completion = {}
        for body in re.findall(r"<tbody>(.*?)</tbody>", page, re.S):
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
                cells = [
                    unescape(re.sub(r"<[^>]+>", "", c)).strip()
                    for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
                ]
                if cells[2] in ("Total", "Unit below"):
                    completion[cells[0]] = (cells[3], cells[-1])  # assigned, rate
        for line in units["units"]:
            if line[1] in completion:
                assert (line[2], line[3]) == completion[line[1]], line


def test_hr_of_a_dg_gets_the_report_for_its_dg(app: Flask, department: Department, db: Session) -> None:
    hr_a = _client(app, "hr-a@example.org")
    response = hr_a.get(f"/hr/departmental?{YEAR}", headers=EN)  # no unit: the viewer's own scope
    assert response.status_code == 200
    tables = _tables(response.get_data(as_text=True))
    assert [line[1] for line in tables["units"]] == ["DG-A", "A1", "A2", "A2X"]  # two levels below DG-A
    assert tables["reach"][0][1] == "14"  # 5 + 8 + 1
    for unit in (department.root, department.dg_b):
        assert hr_a.get(f"/hr/departmental?unit={unit.id}&{YEAR}").status_code == 403
        assert hr_a.get(f"/hr/departmental.pdf?unit={unit.id}&{YEAR}").status_code == 403
        assert hr_a.get(f"/hr/departmental.xlsx?unit={unit.id}&{YEAR}").status_code == 403
    assert hr_a.get(f"/hr/departmental?unit=999999&{YEAR}").status_code == 404
    assert hr_a.get(f"/hr/departmental?unit={department.a2.id}&{YEAR}").status_code == 200  # inside the scope


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("unit=abc", "is not a unit number"),
        ("from=2025-13-01&to=2025-12-31", "is not a date"),
        ("from=2025-06-01&to=2025-01-31", "is after"),
        ("from=2020-01-01&to=2025-12-31", "at most 3 years"),
        (f"from=2025-01-01&to={date.today().year + 1}-01-01", "lies in the future"),
    ],
)
def test_forged_or_mistyped_parameters_are_named(app: Flask, department: Department, query: str, message: str) -> None:
    hr_min = _client(app, "hr-min@example.org")
    for path in ("/hr/departmental", "/hr/departmental.pdf", "/hr/departmental.xlsx"):
        response = hr_min.get(f"{path}?{query}", headers=EN)
        assert response.status_code == 400, path
        assert message in response.get_data(as_text=True)
    assert hr_min.get(f"/hr/departmental.csv?{YEAR}").status_code == 404


def test_employees_and_managers_do_not_get_it(app: Flask, client: FlaskClient, department: Department) -> None:
    assert client.get(f"/hr/departmental?{YEAR}").status_code == 302  # to the login page
    person = Person(name="Emp", email="emp@example.org", password_hash=_password_hash())
    with Session(app.extensions["db_engine"]) as session:
        session.add(person)
        session.commit()
    employee = _client(app, "emp@example.org")
    for path in ("/hr/departmental", "/hr/departmental.pdf", "/hr/departmental.xlsx"):
        assert employee.get(f"{path}?{YEAR}").status_code == 403


def test_the_pdf_opens_and_holds_the_numbers(app: Flask, department: Department) -> None:
    hr_min = _client(app, "hr-min@example.org")
    response = hr_min.get(f"/hr/departmental.pdf?unit={department.root.id}&{YEAR}", headers=EN)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="departmental-report-MIN-2025-01-01-2025-12-31.pdf"'
    )
    assert response.data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1, "a one-page summary"
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Departmental report: Ministerie van Voorbeeldzaken" in text
    for expected in ("Afdeling Coördinatie", "DG Beleid en Financiën", "2025 Q2"):
        assert expected in text
    assert "Bureau Eénheid" not in text  # three levels below MIN: only inside A2's figures
    assert "Reached by the e-learning (completed at least one module) 24" in text
    assert "DG Beleid en Financiën DG-B 10 100" in text
    assert "Afdeling Coördinatie A2 11 x" in text
    fonts = {str(font) for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    embedded = [
        page["/Resources"]["/Font"][name].get_object() for page in reader.pages for name in page["/Resources"]["/Font"]
    ]
    assert fonts and all("DejaVu" in str(font["/BaseFont"]) for font in embedded)
    assert all("/FontFile2" in font["/DescendantFonts"][0].get_object()["/FontDescriptor"] for font in embedded)


def test_the_dutch_pdf(app: Flask, department: Department) -> None:
    hr_min = _client(app, "hr-min@example.org")
    response = hr_min.get(f"/hr/departmental.pdf?unit={department.root.id}&{YEAR}", headers={"Accept-Language": "nl"})
    text = " ".join(PdfReader(io.BytesIO(response.data)).pages[0].extract_text().split())
    assert "Departementale rapportage: Ministerie van Voorbeeldzaken" in text
    assert "Bereikt met de e-learning" in text and "Afdeling Coördinatie A2 11 x" in text


def test_the_xlsx_matches_the_page(app: Flask, department: Department) -> None:
    hr_min = _client(app, "hr-min@example.org")
    page = _tables(hr_min.get(f"/hr/departmental?unit={department.root.id}&{YEAR}", headers=EN).get_data(as_text=True))
    response = hr_min.get(f"/hr/departmental.xlsx?unit={department.root.id}&{YEAR}", headers=EN)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    assert book.sheetnames == ["Summary", "reach", "units", "quarters"]
    for key, rows in page.items():
        values = [
            ["" if v is None else str(v) for v in row] for row in book[key].iter_rows(min_row=4, values_only=True)
        ]
        assert values == rows, key
    groups, header = book["units"].iter_rows(min_row=2, max_row=3, values_only=True)
    assert list(groups) == [None, None, "Basics", None] and list(header) == ["Unit", "Code", "Assigned", "Rate (%)"]
    # Numbers are numbers; the unit named "=A1+1 Team" is text, not a formula.
    units = list(book["units"].iter_rows(min_row=4, values_only=True))
    assert units[0][2] == 31 and units[0][3] == 77
    assert units[2][0] == "'=A1+1 Team"
    about = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row[0]}
    assert about["Unit"] == "Ministerie van Voorbeeldzaken (MIN)" and "Generated" in about


def test_every_view_and_download_is_audited(app: Flask, department: Department, db: Session) -> None:
    hr_min = _client(app, "hr-min@example.org")
    for path in ("/hr/departmental", "/hr/departmental.pdf", "/hr/departmental.xlsx"):
        assert hr_min.get(f"{path}?{YEAR}").status_code == 200
    events = db.scalars(select(AuditEvent).where(AuditEvent.action.like("report.%")).order_by(AuditEvent.id)).all()
    assert [(e.action, e.details.get("format")) for e in events] == [
        ("report.view", None),
        ("report.download", "pdf"),
        ("report.download", "xlsx"),
    ]
    for event in events:
        assert event.target == "unit:MIN"
        assert event.details["report"] == "departmental" and event.details["period"] == "2025-01-01/2025-12-31"


def test_the_period_defaults_to_the_last_calendar_year() -> None:
    assert parse_period({}, date(2026, 3, 4)) == Period(date(2025, 1, 1), date(2025, 12, 31))
    quarters = Period(date(2025, 2, 15), date(2025, 8, 1)).quarters()
    assert [(q.label, q.first, q.last) for q in quarters] == [
        ("2025 Q1", date(2025, 2, 15), date(2025, 3, 31)),
        ("2025 Q2", date(2025, 4, 1), date(2025, 6, 30)),
        ("2025 Q3", date(2025, 7, 1), date(2025, 8, 1)),
    ]
    assert len(Period(date(2024, 11, 1), date(2025, 1, 31)).quarters()) == 2
    with pytest.raises(InvalidInput):
        parse_period({"from": "2026-03-05"}, date(2026, 3, 4))
