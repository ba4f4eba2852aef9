"""Journey 1: an employee logs in, tries English, does a whole module with the mouse and downloads the certificate."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearning.models import ModuleCompletion

from ..conftest import PASSWORD, World
from .accessibility import Audit
from .conftest import follow
from .journeys import MODULE, RIGHT, WRONG, assign


def _answer(page: Any, answers: dict[str, list[str]]) -> None:
    for question, options in answers.items():
        for option in options:
            page.check(f"#q-{question}-{option}")


def test_employee_does_a_whole_module(
    app: Flask, live_server: str, page: Any, audit: Audit, world: World, db: Session
) -> None:
    assign(app, db, world.ministry, MODULE)
    base = live_server

    # Log in: a wrong password first, then the right one.
    page.goto(f"{base}/auth/login")
    assert page.locator("html").get_attribute("lang") == "nl"  # Dutch by default
    audit.check(page)
    page.fill("#email", "employee@example.org")
    page.fill("#password", "not the password")
    follow(page, "main form [type=submit]")
    assert page.locator(".message-error").inner_text() == "E-mailadres of wachtwoord is niet juist."
    audit.check(page, "wrong password")
    page.fill("#password", PASSWORD)
    follow(page, "main form [type=submit]")
    page.wait_for_url(f"{base}/learn/")
    assert page.locator("h1").inner_text() == "Mijn leren"
    audit.check(page)

    # English and back, with the button in the header.
    follow(page, "header button[name=language][value=en]")
    assert page.locator("h1").inner_text() == "My learning"
    assert page.locator("html").get_attribute("lang") == "en"
    follow(page, "header button[name=language][value=nl]")
    assert page.locator("h1").inner_text() == "Mijn leren"

    # The module, then lesson 1 with its knowledge check: a wrong answer, then the right one.
    follow(page, "main a:text-is('Omstander')")
    page.wait_for_url(f"{base}/learn/{MODULE}/")
    audit.check(page)
    follow(page, "ol.lesson-list a >> nth=0")
    page.wait_for_url(f"{base}/learn/{MODULE}/01-herkennen")
    audit.check(page)
    page.check("#q-effect-a")
    follow(page, "#q-effect button[type=submit]")
    assert "Niet juist: het effect telt." in page.locator("#q-effect .feedback").inner_text()
    assert page.locator("#q-effect .result-wrong").is_visible()
    audit.check(page, "wrong answer")
    page.click("#q-effect summary")  # the hint
    assert page.locator("#q-effect details").get_attribute("open") is not None
    page.check("#q-effect-b")
    follow(page, "#q-effect button[type=submit]")
    assert "Juist: het effect op de ander telt." in page.locator("#q-effect .feedback").inner_text()
    assert page.locator("#q-effect .result-right").inner_text() == "Goed."
    audit.check(page, "right answer")
    follow(page, ".lesson-footer button[type=submit]")

    # Lesson 2 starts with its content warning; then the scenario, to a good ending.
    page.wait_for_url(f"{base}/learn/{MODULE}/02-oefenen")
    assert page.locator(".content-warning").is_visible()
    audit.check(page, "content warning")
    follow(page, ".warning-choices a.button")
    page.wait_for_url(re.compile(r".*go=lesson$"))
    audit.check(page)
    follow(page, "#scenario-koffie a.button")
    audit.check(page)
    follow(page, "#scenario-koffie .choices button >> nth=0")  # "Ik zeg niets."
    assert "Niemand reageert" in page.locator("#scenario-koffie .feedback").inner_text()
    audit.check(page)
    follow(page, "#scenario-koffie .choices button >> nth=0")  # "Ik vraag later hoe het gaat."
    assert page.locator("#scenario-koffie .ending-good").inner_text() == "Einde van het scenario: een goede afloop."
    audit.check(page)
    follow(page, ".lesson-footer button[type=submit]")

    # The assessment: failed first, then passed.
    page.wait_for_url(f"{base}/learn/{MODULE}/assessment/")
    audit.check(page)
    follow(page, "main form button[type=submit]")
    page.wait_for_url(re.compile(rf".*/learn/{MODULE}/assessment/\d+$"))
    audit.check(page, "open")
    _answer(page, WRONG)
    follow(page, "main form button[type=submit]:text-is('Lever mijn antwoorden in')")
    assert "Jouw score: 0%." in page.locator(".message").inner_text()
    assert page.locator(".message-error").is_visible()
    audit.check(page, "not passed")
    follow(page, "main form button[type=submit]:text-is('Probeer het opnieuw')")
    page.wait_for_selector("#q-begrip-a:not([disabled])")
    _answer(page, RIGHT)
    follow(page, "main form button[type=submit]:text-is('Lever mijn antwoorden in')")
    message = page.locator(".message-success").inner_text()
    assert "Jouw score: 100%." in message and "Je hebt deze module afgerond." in message
    audit.check(page, "passed")

    # The certificate, from the module page.
    follow(page, f"nav.breadcrumb a[href='/learn/{MODULE}/']")
    page.wait_for_url(f"{base}/learn/{MODULE}/")
    audit.check(page, "completed")
    with page.expect_download() as download:
        page.click("main a:text-is('Download je certificaat (pdf)')")
    pdf = download.value
    assert pdf.suggested_filename.endswith(".pdf")
    data = open(pdf.path(), "rb").read()  # noqa: SIM115 - Playwright's temporary file
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")

    # My data lists the completion with its verification code; the code checks out on the public page.
    follow(page, "header a:text-is('Mijn gegevens')")
    page.wait_for_url(f"{base}/me/")
    audit.check(page)
    code = db.scalars(select(ModuleCompletion.verification_code).where(ModuleCompletion.person_id == world.employee.id))
    verification = next(iter(code))
    assert verification and verification in page.locator("main").inner_text()
    page.goto(f"{base}/verify/{verification}")
    assert page.locator(".message-success").is_visible()
    audit.check(page)
    audit.assert_clean()
