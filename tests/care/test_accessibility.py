"""The accessibility statement: the Dutch model's parts, filled from the settings and the recorded automated audit."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from elearning import create_app
from elearning.config import StartupError, from_env
from elearning.services.accessibility import AuditFileError, parse_audit

from ..conftest import TEST_CONTENT

AUDIT: dict[str, Any] = {
    "checked_on": "2026-11-20",
    "standard": "WCAG 2.1 AA",
    "tool": "axe-core 4.10 in Chromium",
    "method": "every page below, logged in where needed, at two screen sizes",
    "pages": [
        {
            "path": "/learn/",
            "title": "Mijn leren",
            "language": "nl",
            "viewport": "1280x800",
            "violations": [
                {"id": "color-contrast", "impact": "serious", "help": "Elements must meet contrast", "nodes": 3}
            ],
        },
        {
            "path": "/hr/",
            "title": "Voltooiing",
            "language": "nl",
            "viewport": "390x844",
            "violations": [
                {"id": "color-contrast", "impact": "serious", "help": "Elements must meet contrast", "nodes": 2},
                {"id": "region", "impact": "moderate", "help": "All content should be in landmarks", "nodes": 1},
            ],
        },
        {"path": "/privacy", "title": "Privacy", "language": "en", "viewport": "1280x800", "violations": []},
    ],
    "open_violations": 6,
}


def _statement(client: FlaskClient, language: str = "en") -> str:
    response = client.get("/accessibility", headers={"Accept-Language": language})
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def audit_file(app: Flask, tmp_path: Path) -> Path:
    path = tmp_path / "accessibility-audit.json"
    app.config["ACCESSIBILITY_AUDIT"] = str(path)
    return path


def test_without_a_recorded_audit_the_statement_says_so_and_invents_nothing(
    client: FlaskClient, audit_file: Path
) -> None:
    page = _statement(client)
    assert "No automated accessibility audit has been recorded yet." in page
    assert "Without a recorded audit, no known problems can be listed here yet." in page
    assert "No date has been set for this statement yet." in page
    assert "Status</strong>" not in page and "C: first measures taken" in page  # the default status
    for part in (
        "What this statement covers",
        "Compliance status",
        "Date of this statement",
        "How accessibility was measured",
        "Known problems",
        "Feedback and contact",
        "Not satisfied? The complaints route",
    ):
        assert part in page
    assert "https://www.nationaleombudsman.nl" in page and "2016/2102" in page


def test_the_recorded_audit_fills_measurement_date_and_known_problems(
    app: Flask, client: FlaskClient, audit_file: Path
) -> None:
    audit_file.write_text(json.dumps(AUDIT), encoding="utf-8")
    app.config.update(
        ORGANISATION_NAME="Ministerie van Voorbeeldzaken", ACCESSIBILITY_EMAIL="toegankelijk@mvz.example.org"
    )
    page = _statement(client)
    assert (
        "On November 20, 2026 the pages below were tested automatically against WCAG 2.1 AA, with axe-core 4.10" in page
    )
    assert "This statement was drawn up on November 20, 2026." in page  # no date set: the audit's
    assert "<code>/learn/</code>" in page and "390x844" in page
    # Grouped by rule over the pages, the most serious first, with the elements counted.
    contrast = page.index("Elements must meet contrast")
    assert contrast < page.index("All content should be in landmarks")
    assert "serious, 5 elements on /learn/, /hr/" in page and "moderate, 1 element on /hr/" in page
    assert "Ministerie van Voorbeeldzaken wants everyone" in page
    assert 'href="mailto:toegankelijk@mvz.example.org"' in page
    dutch = _statement(client, "nl")
    assert "Toegankelijkheidsverklaring" in dutch and "Nationale ombudsman" in dutch


def test_configured_date_and_status_win_and_a_changed_file_is_read_again(
    app: Flask, client: FlaskClient, audit_file: Path
) -> None:
    audit_file.write_text(json.dumps(AUDIT), encoding="utf-8")
    app.config.update(ACCESSIBILITY_STATUS="B", ACCESSIBILITY_STATEMENT_DATE="2026-12-01")
    page = _statement(client)
    assert "B: partially compliant" in page and "drawn up on December 1, 2026" in page
    clean = dict(AUDIT, pages=[dict(p, violations=[]) for p in AUDIT["pages"]], open_violations=0)
    audit_file.write_text(json.dumps(clean), encoding="utf-8")
    os.utime(audit_file, ns=(1, 2))  # a different modification time, whatever the clock says
    page = _statement(client)
    assert "The automated audit found no problems." in page and "Elements must meet contrast" not in page


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        json.dumps([1, 2]),
        json.dumps(dict(AUDIT, checked_on="20 november")),
        json.dumps(dict(AUDIT, pages="all")),
    ],
)
def test_an_unreadable_audit_is_reported_not_shown(client: FlaskClient, audit_file: Path, content: str) -> None:
    audit_file.write_text(content, encoding="utf-8")
    page = _statement(client)
    assert "could not be read, so they are not shown here" in page
    assert "Elements must meet contrast" not in page


def test_the_audit_schema_is_checked_field_by_field() -> None:
    assert parse_audit(AUDIT).open_violations == 6
    broken = json.loads(json.dumps(AUDIT))
    broken["pages"][1]["violations"][0]["nodes"] = -1
    with pytest.raises(AuditFileError, match="page 2, violation 1: 'nodes'"):
        parse_audit(broken)
    with pytest.raises(AuditFileError, match="'tool' must be text"):
        parse_audit(dict(AUDIT, tool=""))


def test_the_footer_links_to_it_next_to_the_privacy_page(client: FlaskClient) -> None:
    page = client.get("/privacy").get_data(as_text=True)
    footer = page[page.index('class="site-footer"') :]
    assert footer.index('href="/privacy"') < footer.index('href="/accessibility"')


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ELEARNING_ACCESSIBILITY_STATUS", "F", "is not a compliance status"),
        ("ELEARNING_ACCESSIBILITY_STATEMENT_DATE", "1-12-2026", "is not a date; write YYYY-MM-DD"),
    ],
)
def test_a_wrong_setting_stops_the_start_with_its_name(tmp_path: Path, variable: str, value: str, message: str) -> None:
    config = from_env({variable: value, "ELEARNING_INSTANCE_DIR": str(tmp_path)})
    config.update(CONTENT_DIR=str(TEST_CONTENT), CHECK_DATABASE_ON_START=False, DATABASE_URL="sqlite://")
    with pytest.raises(StartupError, match=message) as info:
        create_app(config)
    assert variable in str(info.value)


def test_settings_have_sensible_defaults() -> None:
    config = from_env({"ELEARNING_MAIL_FROM": "e-learning@mvz.example.org"})
    assert config["ORGANISATION_NAME"] == "Rijksoverheid" and config["ACCESSIBILITY_STATUS"] == "C"
    assert config["ACCESSIBILITY_EMAIL"] == "e-learning@mvz.example.org"  # the sender, unless set
    assert config["ACCESSIBILITY_AUDIT"].endswith("elearning/data/accessibility-audit.json")
    assert from_env({"ELEARNING_ACCESSIBILITY_STATUS": "b"})["ACCESSIBILITY_STATUS"] == "B"
