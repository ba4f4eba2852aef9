"""Journey 4: HR imports a roster with a bad row, fixes it, imports it, and reports on completion with downloads."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearning.models import ModuleCompletion, Person
from elearning.services import enrolments

from ..conftest import World
from .accessibility import Audit
from .conftest import follow, log_in
from .journeys import MODULE, assign

HEADER = "personeelsnummer;naam;e-mail;organisatiecode;leidinggevende;taal\n"
PEOPLE = [(f"A{n:03d}", f"Collega {n}", f"collega{n}@example.org") for n in range(1, 9)]
BAD_ROW = 4  # as a spreadsheet numbers it: the column names are row 1


def _roster(tmp_path: Path, name: str, *, broken: bool) -> Path:
    lines = [HEADER]
    for number, (employee, person, email) in enumerate(PEOPLE, start=2):
        address = "collega3-at-example.org" if broken and number == BAD_ROW else email
        lines.append(f"{employee};{person};{address};DG-A-1;{'ja' if number == 2 else 'nee'};nl\n")
    path = tmp_path / name
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _on_roster(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Person).where(Person.employee_number.is_not(None))) or 0


def _upload(page: Any, roster: Path) -> None:
    page.set_input_files("#file", str(roster))
    page.check("input[name=mode][value=full]")
    follow(page, "main form[enctype] [type=submit]")
    page.wait_for_url("**/people/import/*")


def _table_rows(page: Any) -> list[list[str]]:
    return page.eval_on_selector_all(
        "table.report tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))"
    )


def _download(page: Any, link: str) -> bytes:
    with page.expect_download() as download:
        page.click(link)
    with open(download.value.path(), "rb") as file:
        return file.read()


def test_hr_imports_a_roster_and_reports_on_completion(
    app: Flask, live_server: str, page: Any, audit: Audit, world: World, db: Session, tmp_path: Path
) -> None:
    assign(app, db, world.team_a1, MODULE, "melden")  # Team A1: ten people once the roster is in
    log_in(page, live_server, "hr-a@example.org")

    # The roster with an address that is not one: the row's problem is shown and nothing changes.
    follow(page, "header a:text-is('Medewerkers')")
    audit.check(page)
    follow(page, "main a[href='/people/import']")
    audit.check(page)
    follow(page, "main form[enctype] [type=submit]")  # without a file first: in Dutch, then in English
    assert "Kies het personeelsbestand" in page.locator(".error-summary").inner_text()
    audit.check(page, "no file")
    follow(page, "header button[value=en]")
    follow(page, "main form[enctype] [type=submit]")
    assert "Choose the roster file to upload." in page.locator(".error-summary").inner_text()
    audit.check(page, "no file")
    follow(page, "header button[value=nl]")
    _upload(page, _roster(tmp_path, "rooster.csv", broken=True))
    problems = page.eval_on_selector_all(
        "table.people-problems tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))"
    )
    assert problems == [[str(BAD_ROW), "C · e-mail", "“collega3-at-example.org” is geen e-mailadres."]]
    assert page.locator("#confirm-submit").count() == 0  # it cannot be applied
    audit.check(page, "problems")
    assert _on_roster(db) == 0

    # Fixed: the preview shows eight new people; applying it imports them once.
    follow(page, "nav.breadcrumb a[href='/people/import']")
    _upload(page, _roster(tmp_path, "rooster-verbeterd.csv", broken=False))
    counts = page.locator("table.people-counts").inner_text()
    assert "Nieuw 8" in counts.replace("\t", " ")
    audit.check(page, "preview")
    assert _on_roster(db) == 0  # a preview changes nothing
    follow(page, "#confirm-submit")
    assert page.locator("div.message-success").is_visible()
    audit.check(page, "applied")
    assert _on_roster(db) == 8

    # Five of the eight complete the module (as the app records it); HR opens the report for Team A1.
    for employee, *_ in PEOPLE[:5]:
        person = db.scalar(select(Person).where(Person.employee_number == employee))
        assert person is not None and person.active
        version = app.extensions["catalog"].get().module(MODULE).version
        db.add(
            ModuleCompletion(
                person_id=person.id, module_slug=MODULE, content_version=version, completed_at=datetime.now(UTC)
            )
        )
    db.commit()
    enrolments.sync(db, app.extensions["catalog"].get(), date.today(), now=datetime.now(UTC))
    db.commit()
    follow(page, "header a:text-is('Rapportages')")
    audit.check(page)
    assert page.locator("table.report").count() == 2  # both modules assigned
    follow(page, f"table.report a:text-is('{world.team_a1.name}') >> nth=0")
    audit.check(page)

    # Filter on the module: one table, the module's rows only.
    page.select_option("#f-module", MODULE)
    follow(page, "form.filters button[type=submit]")
    page.wait_for_url(f"**module={MODULE}**")
    audit.check(page, "filtered")
    rows = _table_rows(page)
    assert page.locator("table.report").count() == 1
    total = next(row for row in rows if row[2] == "Totaal")
    # Team A1: the eight imported, the employee and the manager; five completed on time, five not yet due: 50%.
    assert total == [world.team_a1.code, world.team_a1.name, "Totaal", "10", "5", "5", "5", "0", "5", "0", "50"]

    # CSV (for Excel: semicolons, with a byte order mark) and XLSX hold the rows of the page.
    text = _download(page, "p.downloads a[href*='completion.csv']:not([href*='sep='])").decode("utf-8")
    assert text.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    header, *body = lines[lines.index([]) + 1 :]
    assert header[0] == "Module" and {line[0] for line in body} == {"Omstander"}
    assert [line[1:] for line in body] == rows
    book = load_workbook(io.BytesIO(_download(page, "p.downloads a[href*='completion.xlsx']")), read_only=True)
    values = [["" if v is None else str(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]
    assert [row[1:] for row in values[1:]] == rows and {row[0] for row in values[1:]} == {"Omstander"}

    # The other reports keep the filter; then the assignments, and a new one sent empty (its errors listed).
    for tab in ("Verloop", "Op te volgen medewerkers", "Kwaliteit van de toets"):
        follow(page, f"nav.report-tabs a:text-is('{tab}')")
        assert f"module={MODULE}" in page.url
        audit.check(page)
    follow(page, "header a:text-is('Toewijzingen')")
    assert page.locator("main table.assignments tbody tr").count() == 2
    audit.check(page)
    follow(page, "main a[href='/assignments/new']")
    audit.check(page)
    for language in ("en", "nl"):  # the form sent empty, in both languages
        follow(page, "main form [type=submit]")
        assert page.locator(".error-summary li").count() >= 1
        audit.check(page, "errors")
        follow(page, f"header button[value={language}]")
    audit.assert_clean()
