"""Content warnings, the quick exit and the support panel, as a learner meets them."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearning.models import LearnerPosition, LessonProgress, UnitSetting

from ..conftest import World, csrf_token, login

EN = {"Accept-Language": "en"}
LESSON = "/learn/basis/01-welkom"


def _page(client: FlaskClient, url: str) -> str:
    response = client.get(url, headers=EN)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def test_a_warning_comes_before_the_lesson_with_three_ways_on(client: FlaskClient, world: World, db: Session) -> None:
    login(client, "employee@example.org")
    page = _page(client, LESSON)
    assert "This lesson is about racism at work." in page
    assert "welkom-effect" not in page, "the lesson itself is not shown yet"
    assert f'href="{LESSON}?go=lesson"' in page and f'href="{LESSON}?go=summary"' in page
    assert 'href="/learn/"' in page and "Pause: back to my learning" in page
    assert "your progress and your due date stay as they are" in page
    # Opening the warning remembers the lesson as where to resume; nothing is marked done.
    assert db.scalar(select(LearnerPosition.lesson_slug)) == "01-welkom"
    assert db.scalars(select(LessonProgress)).all() == []

    lesson = _page(client, f"{LESSON}?go=lesson")
    assert "welkom-effect" in lesson and "This lesson is about racism at work." not in lesson

    summary = _page(client, f"{LESSON}?go=summary")
    assert "The <strong>effect</strong> on the other person counts" in summary and "welkom-effect" not in summary
    assert "Mark as done" in summary  # the summary counts: the learner may go on from it


def test_marking_done_from_the_summary_counts_like_the_lesson(client: FlaskClient, world: World, db: Session) -> None:
    login(client, "employee@example.org")
    token = csrf_token(client, f"{LESSON}?go=summary")
    response = client.post(f"{LESSON}/done", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/learn/basis/02-oefenen")
    assert db.scalars(select(LessonProgress.lesson_slug)).all() == ["01-welkom"]


def test_an_unknown_choice_shows_the_warning_again(client: FlaskClient, world: World) -> None:
    login(client, "employee@example.org")
    assert "This lesson is about racism at work." in _page(client, f"{LESSON}?go=sneaky")


def test_a_scenario_warning_comes_before_the_scenario_with_four_ways_on(
    client: FlaskClient, world: World, db: Session
) -> None:
    login(client, "employee@example.org")
    db.add(
        LessonProgress(person_id=world.employee.id, module_slug="basis", lesson_slug="01-welkom", content_version="x")
    )
    db.commit()
    page = _page(client, "/learn/basis/02-oefenen")
    block = page[page.index('id="scenario-koffie"') : page.index('id="after-scenario-koffie"')]
    assert "Before you start this scenario" in block and "In this scenario a colleague is laughed at." in block
    assert "You are at the coffee machine." not in block  # nothing of the scenario before the choice
    assert 'href="/learn/basis/02-oefenen/scenario/koffie#scenario-koffie">Start the scenario' in block
    assert (
        "<details><summary>Read a short summary instead</summary>" in block and "A joke can hurt a colleague." in block
    )
    assert 'href="#after-scenario-koffie">Skip this scenario' in block and 'href="/learn/">Pause' in block
    assert "your progress and your due date stay as they are" in block
    # Starting it shows the introduction with the first scene; nothing is counted or stored for merely starting.
    started = _page(client, "/learn/basis/02-oefenen/scenario/koffie")
    walk = started[started.index('id="scenario-koffie"') :]
    assert "You are at the coffee machine." in walk and "A colleague makes a joke" in walk
    assert db.scalars(select(LessonProgress.lesson_slug)).all() == ["01-welkom"]


def test_the_quick_exit_is_first_after_the_skip_link_on_learning_pages(client: FlaskClient, world: World) -> None:
    login(client, "employee@example.org")
    for url in (LESSON, "/learn/basis/", "/learn/", "/learn/toets/assessment/", "/learn/toets/effect/pre"):
        page = _page(client, url)
        links = re.findall(r"<a [^>]*>", page)
        assert 'class="skip-link"' in links[0] and "data-quick-exit" in links[1], url
        assert 'href="/leave"' in links[1]
        assert "(or press Shift three times)" in page
        assert ('class="support-panel"' in page) is (url != "/learn/"), url  # on every module page
    assert "data-quick-exit" not in _page(client, "/me/")  # not a learning page


def test_the_quick_exit_page_is_neutral_and_not_kept(client: FlaskClient, world: World) -> None:
    response = client.get("/leave", headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "e-learning" not in page.lower() and "social safety" not in page.lower() and "<script" not in page
    assert "New tab" in page


def test_the_quick_exit_can_go_to_the_intranet(app, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    app.config["QUICK_EXIT_URL"] = "https://intranet.example/"
    response = client.get("/leave")
    assert response.status_code == 302 and response.headers["Location"] == "https://intranet.example/"


def test_the_support_panel_shows_the_units_own_contacts_inherited_from_above(
    client: FlaskClient, world: World, db: Session
) -> None:
    db.add(UnitSetting(organisation_id=world.ministry.id, key="mior_contact", value="MIOR: 070 123 4567"))
    db.add(UnitSetting(organisation_id=world.dg_a.id, key="vertrouwenspersoon_contact", value="Fatima, 06-12345678"))
    db.add(UnitSetting(organisation_id=world.dg_b.id, key="vertrouwenspersoon_contact", value="Piet <b>B</b>"))
    db.commit()
    login(client, "employee@example.org")  # in team A1, below DG-A, below the ministry
    page = _page(client, "/learn/basis/")
    panel = page[page.index('class="support-panel"') :]
    assert "Talk to someone" in panel
    assert "Fatima, 06-12345678" in panel and "MIOR: 070 123 4567" in panel  # from DG-A and from the ministry
    assert "company social work (see the intranet)" in panel  # nobody set it: the default
    assert "Piet" not in panel  # DG-B's is not theirs
    # The lesson's own placeholder is filled with the same value, also in the cached lesson body.
    lesson = _page(client, f"{LESSON}?go=lesson")
    assert "Fatima, 06-12345678" in lesson[lesson.index('class="support-panel"') :]


def test_contacts_are_escaped_wherever_they_show(client: FlaskClient, world: World, db: Session) -> None:
    db.add(
        UnitSetting(organisation_id=world.team_a1.id, key="vertrouwenspersoon_contact", value="<script>x()</script>")
    )
    db.commit()
    login(client, "employee@example.org")
    page = _page(client, "/learn/basis/")
    assert "<script>x()</script>" not in page and "&lt;script&gt;x()&lt;/script&gt;" in page
