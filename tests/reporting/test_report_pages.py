"""The HR report pages and downloads: scope, forged parameters, audit, CSV/XLSX equal to the page, formula cells."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearning.models import AuditEvent, OrganisationUnit, Person

from ..conftest import login
from .conftest import DUE, Ministry

EN = {"Accept-Language": "en"}
PASSWORD = "correct horse battery staple"
REPORT_URLS = [
    "/hr/",
    "/hr/trend",
    "/hr/people",
    "/hr/quality",
    "/hr/effect",
    "/hr/completion.csv",
    "/hr/completion.xlsx",
    "/hr/people.csv",
    "/hr/people.xlsx",
]


@pytest.fixture
def hr(app: Flask, client: FlaskClient, db: Session, ministry: Ministry) -> FlaskClient:
    from elearning.services.passwords import hash_password

    for person in (ministry.hr_a, ministry.hr_b, ministry.hr_min):
        person.password_hash = hash_password(PASSWORD)
    db.commit()
    app.config["REPORT_MIN_GROUP"] = 5
    login(client, "hr-min@example.org", PASSWORD)
    return client


def _cells(html: str) -> list[list[str]]:
    """The rows of the report tables on a page, as text cells (links and tags stripped)."""
    rows = []
    for body in re.findall(r"<tbody>(.*?)</tbody>", html, re.S):
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
            cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
            rows.append([unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells])
    return rows


def _csv_rows(data: bytes, delimiter: str = ";") -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff"), "a byte order mark, so that Excel reads UTF-8"
    lines = list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))
    blank = lines.index([])
    return lines[blank + 1 :]  # the header and the table, after the lines describing the download


def test_the_completion_page_shows_the_hand_computed_numbers(hr: FlaskClient, ministry: Ministry) -> None:
    page = hr.get(f"/hr/?unit={ministry.root.id}", headers=EN).get_data(as_text=True)
    rows = {(r[0], r[2]): r[3:] for r in _cells(page)}
    # MIN's total: 30 assigned, 23 started, 21 completed (19 on time), 9 overdue, 0 not yet due, 0 exempted, 70 %.
    assert rows[("MIN", "Total")] == ["30", "23", "21", "19", "9", "0", "0", "70"]
    assert rows[("MIN", "Directly in this unit")] == ["0", "0", "0", "0", "0", "0", "0", "–"]
    # DG-B has 3 overdue: a small group. Its completed count would give it away (10 - 7 - 0), so it is hidden,
    # with started and on time (both 7, they would pin it); DG-A's cells go too, or MIN's total would betray DG-B's.
    assert rows[("DG-B", "Unit below")] == ["10", "x", "x", "x", "< 5", "0", "0", "x"]
    assert rows[("DG-A", "Unit below")] == ["20", "x", "x", "x", "x", "0", "0", "x"]


def test_drill_down_and_the_people_directly_in_a_unit(hr: FlaskClient, ministry: Ministry) -> None:
    page = hr.get(f"/hr/?unit={ministry.dg_a.id}", headers=EN).get_data(as_text=True)
    rows = {(r[0], r[2]): r[3:] for r in _cells(page)}
    # The same cells as on MIN's page for DG-A (decided once for the whole tree), then its parts.
    assert rows[("DG-A", "Total")] == ["20", "x", "x", "x", "x", "0", "0", "x"]
    assert rows[("DG-A", "Directly in this unit")] == ["< 5"] * 8  # 2 people: the whole row hidden
    assert rows[("A1", "Unit below")] == [
        "12",
        "x",
        "x",
        "x",
        "< 5",
        "x",
        "x",
        "x",
    ]  # its 0 exempted goes too: DG-A's own small row leaves only zeros to pair with
    # A2 (6 people) is hidden in the assigned column too, or 20 - 12 - A2 would give DG-A's own 2 people.
    assert rows[("A2", "Unit below")] == ["x", "x", "x", "x", "< 5", "0", "0", "x"]
    assert f'href="/hr/?unit={ministry.a1.id}' in page


def test_downloads_hold_the_same_rows_as_the_page(hr: FlaskClient, ministry: Ministry) -> None:
    page_rows = _cells(hr.get(f"/hr/?unit={ministry.dg_a.id}", headers=EN).get_data(as_text=True))
    response = hr.get(f"/hr/completion.csv?unit={ministry.dg_a.id}", headers=EN)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    header, *lines = _csv_rows(response.data)
    assert header[0] == "Module" and header[-1] == "Rate (%)"
    assert [line[1:] for line in lines] == page_rows
    comma = hr.get(f"/hr/completion.csv?unit={ministry.dg_a.id}&sep=comma", headers=EN)
    assert [line[1:] for line in _csv_rows(comma.data, ",")[1:]] == page_rows

    xlsx = hr.get(f"/hr/completion.xlsx?unit={ministry.dg_a.id}", headers=EN)
    assert xlsx.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert xlsx.headers["Content-Disposition"].startswith("attachment; filename=")
    book = load_workbook(io.BytesIO(xlsx.data), read_only=True)
    sheet = book.worksheets[0]
    values = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert [row[1:] for row in values] == page_rows
    about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True)}
    assert about["Unit"] == "DG A (DG-A)" and "Generated" in about


def test_the_people_list_and_its_export(hr: FlaskClient, ministry: Ministry) -> None:
    page = hr.get(f"/hr/people?unit={ministry.root.id}", headers=EN).get_data(as_text=True)
    rows = _cells(page)
    assert "9 duties not completed." in page
    assert len(rows) == 9 and all(row[7] == "Overdue" for row in rows)
    assert {row[13] for row in rows} == {str((date.today() - DUE).days)}  # days overdue on the server's today
    overdue = hr.get(f"/hr/people?unit={ministry.root.id}&status=not_started", headers=EN).get_data(as_text=True)
    assert "7 duties not completed." in overdue  # 9 open, of whom 2 in A1 started
    export = hr.get(f"/hr/people.csv?unit={ministry.root.id}", headers=EN)
    header, *lines = _csv_rows(export.data)
    assert header[:3] == ["Employee number", "Name", "Unit code"] and len(lines) == 30
    statuses = [line[7] for line in lines]
    assert statuses.count("Completed") == 21 and statuses.count("Overdue") == 9
    assert not any("@" in cell for line in lines for cell in line), "no e-mail addresses in the export"


def test_the_people_page_shows_the_same_lines_as_its_export(app: Flask, hr: FlaskClient, ministry: Ministry) -> None:
    page = _cells(hr.get(f"/hr/people?unit={ministry.root.id}", headers=EN).get_data(as_text=True))
    header, *lines = _csv_rows(hr.get(f"/hr/people.csv?unit={ministry.root.id}", headers=EN).data)
    assert header[7] == "Status" and len(page) == 9
    assert sorted(page) == sorted(line for line in lines if line[7] != "Completed")
    completed = [line for line in lines if line[7] == "Completed"]
    assert {line[10] for line in completed} <= {"yes", "no"} and all(line[9] for line in completed)
    assert {line[13] for line in completed} == {"0"} and {line[5] for line in lines} == {"1"}  # cycles count from 1
    dutch = _csv_rows(hr.get(f"/hr/people.csv?unit={ministry.root.id}", headers={"Accept-Language": "nl"}).data)
    assert {line[7] for line in dutch[1:]} == {"Afgerond", "Te laat"}
    assert app.extensions["db_engine"].pool.checkedout() == 0, "the streamed exports gave their connection back"


def test_every_report_url_and_download_keeps_to_the_scope(
    app: Flask, client: FlaskClient, db: Session, ministry: Ministry
) -> None:
    from elearning.services.passwords import hash_password

    ministry.hr_a.password_hash = hash_password(PASSWORD)
    db.commit()
    login(client, "hr-a@example.org", PASSWORD)
    for url in REPORT_URLS:
        allowed = client.get(f"{url}?unit={ministry.a1.id}")
        assert allowed.status_code == 200 and allowed.data, url  # read to the end: a stream ends its request then
        assert client.get(f"{url}?unit={ministry.dg_b.id}").status_code == 403, url  # another DG
        assert client.get(f"{url}?unit={ministry.root.id}").status_code == 403, url  # above the scope
        assert client.get(f"{url}?unit=999999").status_code == 404, url
        default = client.get(url)  # no unit: the own scope, never more
        assert default.status_code == 200, url
        if not url.endswith(".xlsx"):
            assert "Bee 0" not in default.get_data(as_text=True), url
    people = client.get("/hr/people.csv").get_data(as_text=True)
    assert "Aone" in people and "Bee" not in people and "DG-B" not in people


@pytest.mark.parametrize(
    "query",
    [
        "unit=abc",
        "module=nope",
        "audience=everyone",
        "status=lost",
        "due_from=2026-13-01",
        "due_from=2026-05-01&due_to=2026-04-01",
        "as_of=2999-01-01",
        "as_of=yesterday",
    ],
)
def test_forged_or_mistyped_filters_get_a_clear_400(hr: FlaskClient, query: str) -> None:
    for url in ("/hr/", "/hr/people.csv"):
        response = hr.get(f"{url}?{query}", headers=EN)
        assert response.status_code == 400, (url, query)
        assert "That did not work" in response.get_data(as_text=True)


def test_an_unknown_format_or_page_is_refused(hr: FlaskClient) -> None:
    assert hr.get("/hr/completion.pdf").status_code == 404
    assert hr.get("/hr/people?page=zero", headers=EN).status_code == 400


def test_views_and_downloads_are_audited_with_their_filters(hr: FlaskClient, db: Session, ministry: Ministry) -> None:
    hr.get(f"/hr/?unit={ministry.dg_a.id}&module=basis&audience=managers")
    hr.get(f"/hr/people.xlsx?unit={ministry.dg_a.id}&status=overdue")
    events = db.scalars(select(AuditEvent).where(AuditEvent.action.like("report.%")).order_by(AuditEvent.id)).all()
    assert [(e.action, e.target) for e in events] == [("report.view", "unit:DG-A"), ("report.download", "unit:DG-A")]
    assert events[0].details == {
        "report": "completion",
        "filters": {"unit": str(ministry.dg_a.id), "module": "basis", "audience": "managers"},
    }
    assert events[1].details["format"] == "xlsx" and events[1].details["filters"]["status"] == "overdue"
    assert {e.actor_id for e in events} == {ministry.hr_min.id}


def test_cells_that_would_run_as_formulas_are_neutralised(hr: FlaskClient, db: Session, ministry: Ministry) -> None:
    person = db.scalar(select(Person).where(Person.employee_number == "Aone000"))
    assert person is not None
    person.name = '=HYPERLINK("http://evil","x")'
    unit = db.get(OrganisationUnit, ministry.a1.id)
    assert unit is not None
    unit.name = "+cmd|' /C calc'!A0"
    unit.code = "-A1"
    other = db.scalar(select(Person).where(Person.employee_number == "Aone001"))
    assert other is not None
    other.employee_number, other.name = "@SUM(1)", "\tTab\rReturn"
    db.commit()
    lines = _csv_rows(hr.get(f"/hr/people.csv?unit={ministry.a1.id}").data)
    names = {line[1] for line in lines[1:]}
    assert '\'=HYPERLINK("http://evil","x")' in names and "'\tTab\rReturn" in names
    assert {line[3] for line in lines[1:]} == {"'+cmd|' /C calc'!A0"} and {line[2] for line in lines[1:]} == {"'-A1"}
    assert "'@SUM(1)" in {line[0] for line in lines[1:]} and "Aone002" in {line[0] for line in lines[1:]}
    book = load_workbook(io.BytesIO(hr.get(f"/hr/people.xlsx?unit={ministry.a1.id}").data), read_only=True)
    cells = [str(v) for row in book.worksheets[0].iter_rows(min_row=2, values_only=True) for v in row if v]
    assert '\'=HYPERLINK("http://evil","x")' in cells and not any(c.startswith(("=", "+", "@")) for c in cells)


def test_other_roles_cannot_see_reports(client: FlaskClient, db: Session, ministry: Ministry) -> None:
    from elearning.services.passwords import hash_password

    person = db.scalar(select(Person).where(Person.employee_number == "Aone001"))
    assert person is not None
    person.password_hash = hash_password(PASSWORD)
    db.commit()
    login(client, person.email, PASSWORD)
    for url in REPORT_URLS:
        assert client.get(url).status_code == 403, url
