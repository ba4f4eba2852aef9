"""Everything the platform stores about one person, for the person to see and download (GDPR art. 15 and 20)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import (
    AssessmentAttempt,
    EffectParticipation,
    Exemption,
    LearnerPosition,
    LessonProgress,
    LtiLink,
    ModuleCompletion,
    OrganisationUnit,
    Person,
    RoleGrant,
    ScenarioCompletion,
    XapiStatement,
)

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection, OWASP's list plus a line feed
# and the full-width forms some spreadsheets also accept).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
CSV_HEADER = ["section", "field", "value"]


def _unit(session: Session, unit_id: int | None) -> OrganisationUnit | None:
    return session.get(OrganisationUnit, unit_id) if unit_id is not None else None


def export_for(session: Session, person: Person) -> dict[str, Any]:
    """The person's profile and every row that refers to the person, oldest first; nobody else's."""
    unit = _unit(session, person.organisation_id)
    profile = {
        "name": person.name,
        "email": person.email,
        "employee_number": person.employee_number,
        "organisation_code": unit.code if unit else None,
        "organisation_name": unit.name if unit else None,
        "is_manager": person.is_manager,
        "preferred_language": person.preferred_language,
        "active": person.active,
        "start_date": person.start_date,
        "end_date": person.end_date,
        "created_at": person.created_at,
        "password_set": person.password_hash is not None,
    }
    grants = session.scalars(select(RoleGrant).where(RoleGrant.person_id == person.id).order_by(RoleGrant.id))
    roles = []
    for grant in grants:
        scope = _unit(session, grant.organisation_id)
        roles.append({"role": grant.role, "scope_code": scope.code if scope else None, "granted_at": grant.granted_at})
    lessons = session.scalars(
        select(LessonProgress)
        .where(LessonProgress.person_id == person.id)
        .order_by(LessonProgress.completed_at, LessonProgress.id)
    )
    completions = session.scalars(
        select(ModuleCompletion)
        .where(ModuleCompletion.person_id == person.id)
        .order_by(ModuleCompletion.completed_at, ModuleCompletion.id)
    )
    attempts = session.scalars(
        select(AssessmentAttempt)
        .where(AssessmentAttempt.person_id == person.id)
        .options(selectinload(AssessmentAttempt.answers))
        .order_by(AssessmentAttempt.module_slug, AssessmentAttempt.number)
    )
    scenarios = session.scalars(
        select(ScenarioCompletion)
        .where(ScenarioCompletion.person_id == person.id)
        .order_by(ScenarioCompletion.completed_at, ScenarioCompletion.id)
    )
    positions = session.scalars(
        select(LearnerPosition).where(LearnerPosition.person_id == person.id).order_by(LearnerPosition.module_slug)
    )
    lms_links = session.scalars(
        select(LtiLink)
        .where(LtiLink.person_id == person.id)
        .options(selectinload(LtiLink.platform))
        .order_by(LtiLink.id)
    )
    exemptions = session.scalars(
        select(Exemption).where(Exemption.person_id == person.id).order_by(Exemption.created_at, Exemption.id)
    )
    # Only that a set is done: the answers themselves are anonymous counts that nobody can trace to the person.
    effect_sets = session.execute(
        select(EffectParticipation.module_slug, EffectParticipation.set_name)
        .where(EffectParticipation.person_id == person.id)
        .order_by(EffectParticipation.module_slug, EffectParticipation.set_name)
    )
    sent_or_queued = session.scalars(
        select(XapiStatement)
        .where(XapiStatement.person_id == person.id)
        .order_by(XapiStatement.timestamp, XapiStatement.id)
    )
    return {
        "profile": profile,
        "roles": roles,
        "lesson_progress": [
            {
                "module": r.module_slug,
                "lesson": r.lesson_slug,
                "content_version": r.content_version,
                "completed_at": r.completed_at,
            }
            for r in lessons
        ],
        "module_completions": [
            {
                "module": c.module_slug,
                "content_version": c.content_version,
                "completed_at": c.completed_at,
                "verification_code": c.verification_code,
            }
            for c in completions
        ],
        "assessment_attempts": [
            {
                "module": a.module_slug,
                "number": a.number,
                "content_version": a.content_version,
                "started_at": a.started_at,
                "submitted_at": a.submitted_at,
                "score": a.score,
                "passed": a.passed,
                "questions_shown": dict(a.layout),
                "answers": [
                    {"question_id": x.question_id, "option_ids": list(x.option_ids), "correct": x.correct}
                    for x in a.answers
                ],
            }
            for a in attempts
        ],
        "scenario_completions": [
            {"module": s.module_slug, "scenario": s.scenario_id, "completed_at": s.completed_at} for s in scenarios
        ],
        "learner_positions": [
            {"module": p.module_slug, "lesson": p.lesson_slug, "updated_at": p.updated_at} for p in positions
        ],
        # Launches from an LMS (LTI): the LMS's own id of the person, and where results go back to.
        "lms_links": [
            {
                "lms": link.platform.name,
                "module": link.module_slug,
                "lms_user_id": link.lms_user_id,
                "results_sent_to_gradebook": link.lineitem_url is not None,
                "first_launch_at": link.created_at,
                "last_launch_at": link.last_launch_at,
            }
            for link in lms_links
        ],
        "exemptions": [
            {
                "module": e.module_slug,
                "reason": e.reason,
                "ends_on": e.ends_on,
                "created_at": e.created_at,
                "revoked_at": e.revoked_at,
            }
            for e in exemptions
        ],
        "effect_questions_done": [{"module": module, "set": name} for module, name in effect_sets],
        # xAPI statements about the person for the organisation's learning record store, as sent (or to be sent).
        "xapi_statements": [
            {"verb": x.verb, "timestamp": x.timestamp, "sent_at": x.sent_at, "statement": x.body}
            for x in sent_or_queued
        ],
    }


def _plain(value: object) -> object:
    """Dates as ISO 8601, the rest as JSON knows it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_json(export: dict[str, Any]) -> str:
    return json.dumps(export, default=_plain, ensure_ascii=False, indent=2)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def safe_cell(value: str) -> str:
    """Prefix a quote to a cell a spreadsheet would run as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _flatten(section: str, path: str, value: object) -> Iterator[list[str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(section, f"{path}.{key}" if path else str(key), item)
    elif isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        for number, item in enumerate(value, start=1):
            yield from _flatten(section, f"{path}.{number}" if path else str(number), item)
    elif isinstance(value, list):  # a list of plain values: one cell each, after the field
        yield [section, path, *(_text(item) for item in value)]
    else:
        yield [section, path, _text(value)]


def csv_rows(export: dict[str, Any]) -> Iterator[list[str]]:
    """One table for a spreadsheet: a header, then `section;field;value...`, list items numbered (`2.lesson`)."""
    yield CSV_HEADER
    for section, value in export.items():
        for row in _flatten(section, "", value):
            yield [safe_cell(cell) for cell in row]
