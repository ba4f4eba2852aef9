"""Journey 2: the whole module with the keyboard only (Tab, Shift+Tab, Enter, Space, arrows), in English.

On every page the focus goes through every stop and back (Keyboard.walk_the_page): always visible, in the same
order both ways, and never trapped; every step after that is taken with the keys a keyboard user presses.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from ..conftest import PASSWORD, World
from .accessibility import Audit
from .journeys import MODULE, assign
from .keyboard import Keyboard


def _arrive(page: Any, keyboard: Keyboard, audit: Audit, state: str = "") -> None:
    """A new page: check it, then go round it with Tab and back with Shift+Tab (once a run: the same page on the
    other database is the same HTML)."""
    page.wait_for_load_state()
    audit.check(page, state)
    if audit.first_walk(page, state):
        keyboard.walk_the_page()


def _hand_in(keyboard: Keyboard) -> None:
    keyboard.activate("main form[action*='/assessment/'] button[type=submit]:not(form[action$='/assessment/'] *)")


def test_employee_does_the_module_with_the_keyboard_only(
    app: Flask, live_server: str, page: Any, audit: Audit, world: World, db: Session
) -> None:
    assign(app, db, world.ministry, MODULE)
    keyboard = Keyboard(page)
    page.goto(f"{live_server}/auth/login")  # typing the address is keyboard use too
    _arrive(page, keyboard, audit)

    # Switch to English with the header's button, then log in: a mistyped password first.
    keyboard.activate("header button[value=en]")
    assert page.locator("html").get_attribute("lang") == "en"
    for password in ("correct horse battery stable", PASSWORD):
        keyboard.tab_to("#email")
        page.keyboard.press("Control+A")
        keyboard.type("employee@example.org")
        assert keyboard.press("Tab") is not None and keyboard.matches("#password")
        keyboard.type(password)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        if password != PASSWORD:
            assert page.locator(".message-error").inner_text() == "E-mail address or password is not correct."
            _arrive(page, keyboard, audit, "wrong password")
    assert page.url == f"{live_server}/learn/"
    assert page.locator("h1").inner_text() == "My learning"
    _arrive(page, keyboard, audit)

    # The module page, then lesson 1.
    keyboard.activate(f"main a[href='/learn/{MODULE}/']")
    page.wait_for_url(f"{live_server}/learn/{MODULE}/")
    _arrive(page, keyboard, audit)
    keyboard.activate("ol.lesson-list li:first-child a")
    page.wait_for_url(f"{live_server}/learn/{MODULE}/01-herkennen")
    _arrive(page, keyboard, audit)

    # The knowledge check: Space chooses the first option, Enter on the button sends it.
    keyboard.tab_to("#q-effect-a")
    page.keyboard.press("Space")
    assert page.is_checked("#q-effect-a")
    keyboard.activate("#q-effect button[type=submit]")
    assert "Not right: the effect counts." in page.locator("#q-effect .feedback").inner_text()
    _arrive(page, keyboard, audit, "wrong answer")
    # Enter opens the hint; Shift+Tab goes back to the options, the down arrow chooses the next one.
    keyboard.activate("#q-effect summary", navigates=False)
    assert page.locator("#q-effect details").get_attribute("open") is not None
    keyboard.tab_to("#q-effect-a", backwards=True)
    keyboard.press("ArrowDown")
    assert page.is_checked("#q-effect-b") and keyboard.matches("#q-effect-b")
    keyboard.activate("#q-effect button[type=submit]")
    assert page.locator("#q-effect .result-right").inner_text() == "Right."
    _arrive(page, keyboard, audit, "right answer")

    # Space on "Mark as done and continue"; lesson 2 opens with its content warning.
    keyboard.activate(".lesson-footer button[type=submit]", "Space")
    page.wait_for_url(f"{live_server}/learn/{MODULE}/02-oefenen")
    assert page.locator(".content-warning").is_visible()
    _arrive(page, keyboard, audit, "content warning")
    keyboard.activate(".warning-choices a.button")
    page.wait_for_url(re.compile(r".*go=lesson$"))
    _arrive(page, keyboard, audit)

    # The scenario, the other way round than journey 1: "I ask what he means", then "I walk on".
    keyboard.activate("#scenario-koffie a.button")
    page.wait_for_url(re.compile(r".*/scenario/koffie#scenario-koffie$"))
    _arrive(page, keyboard, audit)
    keyboard.activate("#scenario-koffie .choices li:nth-child(2) button")
    assert "choice=vragen" in page.url
    assert "He thinks for a moment." in page.locator("#scenario-koffie .feedback").inner_text()
    _arrive(page, keyboard, audit)
    keyboard.activate("#scenario-koffie .choices button", "Space")
    assert page.locator("#scenario-koffie .ending-good").inner_text() == "End of the scenario: a good outcome."
    _arrive(page, keyboard, audit)

    # The reflection is typed, then the lesson is done: on to the assessment.
    keyboard.tab_to("textarea[data-reflection-key]")
    keyboard.type("I would ask how she is.")
    keyboard.activate(".lesson-footer button[type=submit]")
    page.wait_for_url(f"{live_server}/learn/{MODULE}/assessment/")
    _arrive(page, keyboard, audit)
    keyboard.activate("main form button[type=submit]")
    page.wait_for_url(re.compile(rf".*/learn/{MODULE}/assessment/\d+$"))
    _arrive(page, keyboard, audit, "open")

    # A failed attempt: Space on a radio and a check box, an arrow in the last question's radio group.
    keyboard.tab_to("#q-begrip-a")
    page.keyboard.press("Space")
    keyboard.tab_to("#q-reacties-c")
    page.keyboard.press("Space")
    keyboard.tab_to("#q-melden-a")
    keyboard.press("ArrowDown")
    assert page.is_checked("#q-begrip-a") and page.is_checked("#q-reacties-c") and page.is_checked("#q-melden-b")
    _hand_in(keyboard)
    assert "Your score: 0%." in page.locator("main .message").inner_text()
    _arrive(page, keyboard, audit, "not passed")

    # Try again, and pass.
    keyboard.activate("main form[action$='/assessment/'] button[type=submit]")
    assert page.locator("#q-begrip-a:not([disabled])").count() == 1
    keyboard.tab_to("#q-begrip-a")
    keyboard.press("ArrowDown")
    keyboard.tab_to("#q-reacties-a")
    page.keyboard.press("Space")
    assert keyboard.press("Tab") is not None and keyboard.matches("#q-reacties-b")
    page.keyboard.press("Space")
    keyboard.tab_to("#q-melden-a")
    page.keyboard.press("Space")
    _hand_in(keyboard)
    message = page.locator("main .message-success").inner_text()
    assert "Your score: 100%." in message and "You have completed this module." in message
    _arrive(page, keyboard, audit, "passed")

    # Back up the breadcrumb with Shift+Tab, and download the certificate with Enter.
    keyboard.activate(f"nav.breadcrumb a[href='/learn/{MODULE}/']", backwards=True)
    page.wait_for_url(f"{live_server}/learn/{MODULE}/")
    _arrive(page, keyboard, audit, "completed")
    keyboard.tab_to(f"main a[href='/me/certificates/{MODULE}.pdf']")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    audit.assert_clean()
