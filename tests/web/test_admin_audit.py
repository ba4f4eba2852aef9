"""The audit log page: newest first, actor names, filter by action, keyset pages."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearning.models import AuditEvent
from elearning.services.audit import record

from ..conftest import World, csrf_token, login


@pytest.fixture
def admin(client: FlaskClient, world: World) -> FlaskClient:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, "admin@example.org")
    return client


def test_changes_made_in_the_admin_pages_show_in_the_log(admin: FlaskClient, world: World) -> None:
    url = f"/admin/people/{world.employee.id}"
    data = {"role": "hr", "organisation": world.dg_b.id, "csrf_token": csrf_token(admin, url)}
    assert admin.post(f"{url}/roles", data=data).status_code == 302
    page = admin.get("/admin/audit").get_data(as_text=True)
    row = re.search(r"<tr>\s*<th scope=\"row\">[^<]+</th>(.*?)</tr>", page, re.S)
    assert row, page
    assert f'<a href="/admin/people/{world.admin.id}">Admin</a>' in row.group(1)
    assert "<code>role.grant</code>" in row.group(1)
    assert f"person:{world.employee.id}" in row.group(1)
    assert "role: hr; unit: DG-B" in row.group(1)


def test_newest_first_filtered_and_paged_by_keyset(admin: FlaskClient, world: World, db: Session) -> None:
    for number in range(55):
        record(db, world.admin, "unit.rename", f"unit:U{number:02d}", unit_id=number)
    record(db, None, "people.import", "", rows=3)
    db.commit()

    first = admin.get("/admin/audit").get_data(as_text=True)
    targets = re.findall(r"<td>(unit:U\d\d)</td>", first)
    assert "the system" in first
    assert len(targets) == 49 and targets[0] == "unit:U54"  # the import is newest, then 49 renames
    older = re.search(r'href="(/admin/audit\?before=\d+)" rel="next"', first)
    assert older
    second = admin.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert re.findall(r"<td>(unit:U\d\d)</td>", second) == [f"unit:U{n:02d}" for n in range(5, -1, -1)]
    assert 'rel="next"' not in second and "Newest events" in second

    only = admin.get("/admin/audit?action=people.import").get_data(as_text=True)
    assert "unit:U" not in only and "rows: 3" in only
    assert '<option selected value="people.import">' in only
    assert "No events." in admin.get("/admin/audit?action=nothing.here").get_data(as_text=True)


def test_admins_export_the_log_and_the_export_is_logged(admin: FlaskClient, world: World, db: Session) -> None:
    record(db, world.admin, "unit.rename", "unit:U1", unit_id=1)
    record(db, None, "people.import", "", rows=3)
    db.commit()
    response = admin.get("/admin/audit.csv?action=unit.rename")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="audit-log-')
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    table = lines[lines.index([]) + 1 :]
    assert table[0] == ["Time", "Employee number", "By", "Action", "Target", "Details"]
    assert [row[2:5] for row in table[1:]] == [["Admin", "unit.rename", "unit:U1"]]
    assert table[1][5] == '{"unit_id": 1}'
    db.expire_all()
    assert [e.action for e in db.scalars(select(AuditEvent).order_by(AuditEvent.id))][-1] == "audit.export"


def test_only_admins_export_the_log(client: FlaskClient, world: World) -> None:
    login(client, "hr-a@example.org")
    assert client.get("/admin/audit.csv").status_code == 403
