"""What LTI stores about a person is in their data export, and goes when they are erased."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearning.models import LtiLink, LtiPlatform, LtiScore, utcnow
from elearning.services import my_data, progress
from elearning.services.retention import erase_person

from ..conftest import World
from .conftest import launch
from .platform import Platform


def test_the_lms_link_is_exported_and_erased(
    app: Flask, client: FlaskClient, db: Session, world: World, platform: Platform, registered: LtiPlatform
) -> None:
    assert launch(client, platform).status_code == 303
    catalog = app.extensions["catalog"].get()
    for lesson in catalog.module("basis").lessons:
        progress.mark_lesson_done(db, catalog, world.employee, "basis", lesson.slug)
    db.commit()
    assert db.scalar(select(func.count()).select_from(LtiScore)) == 1

    [exported] = my_data.export_for(db, world.employee)["lms_links"]
    assert exported["lms"] == "Moodle" and exported["lms_user_id"] == "moodle-user-42"
    assert exported["module"] == "basis" and exported["results_sent_to_gradebook"] is True

    erase_person(db, world.admin, world.employee.id, utcnow())
    db.commit()
    assert db.scalar(select(func.count()).select_from(LtiLink)) == 0
    assert db.scalar(select(func.count()).select_from(LtiScore)) == 0
