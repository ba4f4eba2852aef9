"""Reflection answers stay in the browser: typed, kept across a reload, and never sent to the server."""

from __future__ import annotations

from typing import Any

from ..conftest import PASSWORD, World

SECRET_ANSWER = "Ik zou mijn teamleider Rob aanspreken over zijn grappen"


def test_reflection_is_kept_locally_and_never_sent(live_server: str, browser: Any, world: World) -> None:
    page = browser.new_page()  # a context of its own, so that local storage starts empty
    sent: list[str] = []
    page.on("request", lambda request: sent.append(f"{request.url} {request.post_data or ''}"))

    page.goto(f"{live_server}/auth/login")
    page.fill("#email", "employee@example.org")
    page.fill("#password", PASSWORD)
    page.click("main form [type=submit]")
    page.goto(f"{live_server}/learn/omstander/02-oefenen?go=lesson")
    area = page.locator("textarea[data-reflection-key]")
    area.fill(SECRET_ANSWER)
    assert page.locator(".reflection-tools button").count() == 2  # print and save, added by the script

    page.reload()
    assert page.locator("textarea[data-reflection-key]").input_value() == SECRET_ANSWER
    page.click("form[action$='/done'] button")  # submit the page's other form, too
    page.goto(f"{live_server}/learn/")

    assert len(sent) > 5
    assert not [
        entry for entry in sent if "Rob aanspreken" in entry or "Rob+aanspreken" in entry or "Rob%20aanspreken" in entry
    ]
    stored = page.evaluate("() => Object.entries(localStorage)")
    assert ["elearning-reflection:omstander/eigen-team", SECRET_ANSWER] in stored
    page.close()
