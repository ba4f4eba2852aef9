"""Journey 5: a manager sees their own team, and nobody else's; another manager sees theirs."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from elearning.services.organisations import create_unit

from ..conftest import World
from .accessibility import Audit
from .conftest import follow, log_in
from .journeys import MODULE, assign


def _team(page: Any) -> list[str]:
    """The people in the team table(s): one row header per person."""
    return page.locator("main table.team tbody th:is([scope=rowgroup], [scope=row])").all_inner_texts()


def test_a_manager_sees_their_team_and_nobody_elses(
    app: Flask, live_server: str, page: Any, audit: Audit, world: World, db: Session
) -> None:
    below = create_unit(db, "DG-A-1-X", "Team A1 X", world.team_a1)
    world.person("in-subunit@example.org", below)
    world.person("second-a1@example.org", world.team_a1)
    world.person("manager-b@example.org", world.dg_b, is_manager=True)
    db.commit()
    assign(app, db, world.ministry, MODULE)

    log_in(page, live_server, "manager@example.org")
    follow(page, "header a:text-is('Mijn team')")
    page.wait_for_url(f"{live_server}/team/")
    audit.check(page)
    assert page.locator("main h2").all_inner_texts() == ["Team A1 (DG-A-1)"]
    assert _team(page) == ["Employee", "Second A1"]
    shown = page.locator("main").inner_text()
    for elsewhere in ("Colleague B", "In Subunit", "Hr A", "Author", "Manager B"):
        assert elsewhere not in shown  # another unit, a unit below, the unit above

    # The reports and the people list are HR's: no access, said plainly.
    page.goto(f"{live_server}/hr/?unit={world.dg_b.id}")
    assert page.locator("h1").inner_text() == "Geen toegang"
    audit.check(page, "no access")
    page.goto(f"{live_server}/people/")
    assert page.locator("h1").inner_text() == "Geen toegang"

    # The manager of DG-B sees the two people in DG-B, and not the first manager's team.
    follow(page, "header button:text-is('Uitloggen')")
    log_in(page, live_server, "manager-b@example.org")
    follow(page, "header a:text-is('Mijn team')")
    assert page.locator("main h2").all_inner_texts() == ["DG B (DG-B)"]
    assert _team(page) == ["Colleague B", "Hr B"]
    assert "Employee" not in page.locator("main").inner_text()
    audit.assert_clean()
