"""Certificates: a PDF per completed module, only one's own, and a public check that reveals name, module and date."""

from __future__ import annotations

import contextlib
import re
import zlib
from datetime import UTC, date, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from elearning.content import load_catalog
from elearning.models import ModuleCompletion, Person
from elearning.services import certificates, progress
from elearning.services.errors import NotFound

from ..conftest import TEST_CONTENT, World, login

COMPLETED = datetime(2026, 3, 14, 10, 30, tzinfo=UTC)


def pdf_text(pdf: bytes) -> str:
    """The text drawn on the pages: the (inflated) content streams, with PDF string escapes undone."""
    chunks = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        body = match.group(1)
        with contextlib.suppress(zlib.error):  # else an uncompressed stream
            body = zlib.decompress(body)
        chunks.append(body.decode("latin-1"))
    strings = re.findall(r"\(((?:\\.|[^\\)])*)\)\s*Tj", "\n".join(chunks))
    return "\n".join(re.sub(r"\\(.)", r"\1", s) for s in strings)


def complete_basis(db: Session, person: Person) -> ModuleCompletion:
    catalog = load_catalog(TEST_CONTENT)
    progress.mark_lesson_done(db, catalog, person, "basis", "01-welkom", now=COMPLETED)
    assert progress.mark_lesson_done(db, catalog, person, "basis", "02-oefenen", now=COMPLETED) is True
    db.commit()
    completion = progress.completion(db, person, "basis")
    assert completion is not None and completion.verification_code
    return completion


@pytest.fixture
def employee(client: FlaskClient, world: World) -> FlaskClient:
    login(client, "employee@example.org")
    return client


def test_certificate_pdf_of_a_completed_module(employee: FlaskClient, world: World, db: Session) -> None:
    completion = complete_basis(db, world.employee)
    response = employee.get("/me/certificates/basis.pdf", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.data.startswith(b"%PDF")
    text = pdf_text(response.data)
    assert "Certificate" in text
    assert "Employee" in text  # the name
    assert "Basics" in text  # the module title in the learner's language
    assert completion.verification_code in text
    assert completion.content_version in text
    assert "March 14, 2026" in text
    assert f"/verify/{completion.verification_code}" in text


def test_module_page_links_to_the_certificate(employee: FlaskClient, world: World, db: Session) -> None:
    page = employee.get("/learn/basis/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "/me/certificates/basis.pdf" not in page
    complete_basis(db, world.employee)
    page = employee.get("/learn/basis/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Download your certificate (PDF)" in page and "/me/certificates/basis.pdf" in page


def test_no_certificate_without_a_completion(employee: FlaskClient, world: World) -> None:
    assert employee.get("/me/certificates/basis.pdf").status_code == 404
    assert employee.get("/me/certificates/nope.pdf").status_code == 404


def test_another_persons_certificate_is_never_shown(app, world: World, db: Session) -> None:  # type: ignore[no-untyped-def]
    theirs = complete_basis(db, world.colleague_b)
    other = app.test_client()
    login(other, "employee@example.org")
    assert other.get("/me/certificates/basis.pdf").status_code == 404  # I have not completed it
    mine = complete_basis(db, world.employee)
    text = pdf_text(other.get("/me/certificates/basis.pdf").data)
    assert mine.verification_code in text and theirs.verification_code not in text
    assert "Employee" in text and "Colleague B" not in text


def test_certificate_needs_login(client: FlaskClient, world: World) -> None:
    response = client.get("/me/certificates/basis.pdf")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_verify_shows_name_module_and_date_only(client: FlaskClient, world: World, db: Session) -> None:
    completion = complete_basis(db, world.employee)
    response = client.get(f"/verify/{completion.verification_code}", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Valid certificate" in page
    assert "Employee" in page and "Basics" in page and "March 14, 2026" in page
    assert "employee@example.org" not in page
    assert completion.content_version not in page
    assert "Team A1" not in page and "%" not in page  # no organisation, no score


def test_verify_with_a_wrong_code_is_404(client: FlaskClient, world: World, db: Session) -> None:
    complete_basis(db, world.employee)
    response = client.get("/verify/AAAABBBBCCCC", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "No certificate with this code" in response.get_data(as_text=True)
    assert client.get("/verify/" + "A" * 200).status_code == 404


def test_verify_ignores_case_and_spaces(client: FlaskClient, world: World, db: Session) -> None:
    code = complete_basis(db, world.employee).verification_code or ""
    typed = f" {code[:4].lower()} {code[4:8].lower()} {code[8:]} "
    response = client.get(f"/verify/{typed}", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert "Valid certificate" in response.get_data(as_text=True)


def test_service_uses_the_latest_completion_and_keeps_removed_modules(world: World, db: Session) -> None:
    catalog = load_catalog(TEST_CONTENT)
    with pytest.raises(NotFound):
        certificates.certificate_for(db, catalog, world.employee, "basis", "en")
    db.add_all(
        [
            ModuleCompletion(
                person_id=world.employee.id,
                module_slug="oud",
                content_version="v1",
                completed_at=datetime(2025, 1, 2, tzinfo=UTC),
                verification_code="OLDCODE22222",
            ),
            ModuleCompletion(
                person_id=world.employee.id,
                module_slug="oud",
                content_version="v2",
                completed_at=datetime(2025, 6, 1, tzinfo=UTC),
                verification_code="NEWCODE33333",
            ),
            ModuleCompletion(
                person_id=world.employee.id,
                module_slug="geen-code",
                content_version="v1",
                completed_at=datetime(2025, 1, 2, tzinfo=UTC),
            ),
        ]
    )
    db.flush()
    data = certificates.certificate_for(db, catalog, world.employee, "oud", "en")
    assert (data.module_title, data.content_version, data.verification_code) == ("oud", "v2", "NEWCODE33333")
    assert data.completed_on == date(2025, 6, 1)
    with pytest.raises(NotFound):  # a completion from before codes existed
        certificates.certificate_for(db, catalog, world.employee, "geen-code", "en")
    found = certificates.verify(db, catalog, "oldcode 22222")
    assert found == certificates.VerifiedCertificate(world.employee.name, "oud", date(2025, 1, 2))
    assert certificates.verify(db, catalog, "") is None


def test_names_outside_latin1_do_not_break_the_pdf() -> None:
    assert certificates.latin1("Şükrü Öztürk") == "Sükrü Öztürk"
    assert certificates.latin1("Łukasz Żółć – “ok”") == 'Lukasz Zólc - "ok"'
    assert certificates.latin1("王") == "?"
    data = certificates.CertificateData(
        name="Şükrü Öztürk",
        module_slug="basis",
        module_title="Veilig ‘samen’ werken",
        completed_on=date(2026, 1, 5),
        content_version="abc123",
        verification_code="ABCDEFGH2345",
        lang="nl",
    )
    text = pdf_text(certificates.render_pdf(data))
    assert "Sükrü Öztürk" in text and "Veilig 'samen' werken" in text and "5 januari 2026" in text
    assert "/verify/ABCDEFGH2345" in text


def test_verified_code_reveals_nothing_else(world: World, db: Session) -> None:
    completion = complete_basis(db, world.employee)
    found = certificates.verify(db, load_catalog(TEST_CONTENT), completion.verification_code or "", "nl")
    assert found is not None
    assert set(vars(found)) == {"name", "module_title", "completed_on"}
    assert found.module_title == "Basis"
