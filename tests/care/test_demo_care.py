"""`make run` shows the care features: each unit's contacts, exemptions, and effect figures HR may see."""

from __future__ import annotations

from datetime import date

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearning.content import load_catalog
from elearning.models import EffectAnswerCount, Exemption, Person
from elearning.services.demo import load_demo
from elearning.services.organisations import unit_by_code
from elearning.services.reporting import ReportFilters, report_scope
from elearning.services.reporting.effect import effect_report
from elearning.services.unit_settings import resolve

from ..conftest import TEST_CONTENT


def test_the_demo_has_contacts_exemptions_and_released_effect_figures(app: Flask, db: Session) -> None:
    catalog = load_catalog(TEST_CONTENT)
    created = load_demo(db, catalog, date.today())
    db.commit()
    assert created["care"] > 0
    loket = unit_by_code(db, "MVZ-DGP-LOK-ZUID")
    servicedesk = unit_by_code(db, "MVZ-DGB-ICT-SD")
    assert loket is not None and servicedesk is not None
    # Inherited from the ministry, with DG Publieke Dienstverlening's own confidential adviser.
    assert "Anouk Verbeek" in resolve(db, loket.id)["vertrouwenspersoon_contact"]
    assert "MVZ" in resolve(db, servicedesk.id)["vertrouwenspersoon_contact"]
    assert resolve(db, servicedesk.id)["organisatie_naam"] == "Ministerie van Voorbeeldzaken"
    assert db.scalar(select(func.count()).select_from(Exemption)) > 0
    assert db.scalar(select(func.count()).select_from(EffectAnswerCount)) > 0
    hr = db.scalar(select(Person).where(Person.email == "hr@example.org"))
    assert hr is not None
    scope = report_scope(db, hr, ReportFilters())
    report = effect_report(db, catalog, scope, "toets", "nl", date.today(), 10)
    released = [m for s in report.statements for m in s.means.values() if m.mean is not None and m.count]
    assert released and all(m.count >= 10 for m in released)
    assert any(s.change("post") is not None and s.change("post") > 0 for s in report.statements)
    again = load_demo(db, catalog, date.today())
    assert again["care"] == 0  # loaded once
