"""What the journeys share: the duties they start from and the answers to the journey module's questions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import Flask
from sqlalchemy.orm import Session

from elearning.models import Assignment, OrganisationUnit
from elearning.services import enrolments

MODULE = "omstander"
# The journey module's assessment (tests/fixtures/journey/omstander/assessment.*.md): wrong and right answers.
WRONG = {"begrip": ["a"], "reacties": ["c"], "melden": ["b"]}
RIGHT = {"begrip": ["b"], "reacties": ["a", "b"], "melden": ["a"]}


def assign(app: Flask, db: Session, unit: OrganisationUnit, *modules: str, due_in_days: int = 30) -> None:
    """Assign modules to a unit's subtree, due in a month, and enrol its people as the app does."""
    for slug in modules:
        db.add(Assignment(module_slug=slug, organisation_id=unit.id, due_on=date.today() + timedelta(days=due_in_days)))
    db.commit()
    enrolments.sync(db, app.extensions["catalog"].get(), date.today(), now=datetime.now(UTC))
    db.commit()
