"""Retention and erasure: who left long enough ago is anonymised, identifying data goes, what they did stays."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearning.models import (
    AccountToken,
    AssessmentAttempt,
    AuditEvent,
    Enrolment,
    LearnerPosition,
    LessonProgress,
    LoginSession,
    ModuleCompletion,
    Person,
    RoleGrant,
    ScenarioCompletion,
)
from elearning.services import login_sessions
from elearning.services.errors import Forbidden, InvalidInput
from elearning.services.login_sessions import SessionPolicy
from elearning.services.login_throttle import ThrottlePolicy
from elearning.services.retention import erase_person, months_before, run_retention

from ..conftest import World
from .test_reminders import assign, enrol

TODAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
POLICY = SessionPolicy.from_config(30, 12)


def retention(db: Session, *, today: date = TODAY, dry_run: bool = False, months: int = 24):  # type: ignore[no-untyped-def]
    return run_retention(
        db,
        today=today,
        now=NOW,
        months=months,
        session_policy=POLICY,
        throttle_policy=ThrottlePolicy(),
        dry_run=dry_run,
    )


def history(db: Session, world: World, person: Person) -> None:
    """Lessons, a completion, an attempt, a scenario, a position, a session and a token: everything a person leaves."""
    assignment = assign(db, world)
    enrol(db, assignment, person)
    db.add_all(
        [
            LessonProgress(person_id=person.id, module_slug="basis", lesson_slug="01-welkom", content_version="v1"),
            ModuleCompletion(person_id=person.id, module_slug="basis", content_version="v1"),
            AssessmentAttempt(
                person_id=person.id, module_slug="toets", number=1, content_version="v1", layout={}, score=80
            ),
            ScenarioCompletion(person_id=person.id, module_slug="basis", scenario_id="s"),
            LearnerPosition(person_id=person.id, module_slug="basis", lesson_slug="01-welkom"),
            AccountToken(
                person_id=person.id,
                purpose="invitation",
                token_hash=f"{person.id:064d}",
                expires_at=NOW + timedelta(days=1),
            ),
        ]
    )
    db.flush()
    login_sessions.start(db, person.id, NOW, POLICY)
    db.commit()


COUNTED = (Enrolment, LessonProgress, ModuleCompletion, AssessmentAttempt, ScenarioCompletion)


def counts(db: Session) -> dict[str, object]:
    """Every aggregate a report could make: rows per table, and completions per organisation unit."""
    db.expire_all()
    result: dict[str, object] = {m.__tablename__: db.scalar(select(func.count()).select_from(m)) for m in COUNTED}
    per_unit = db.execute(
        select(Person.organisation_id, func.count(ModuleCompletion.id))
        .join(ModuleCompletion, ModuleCompletion.person_id == Person.id)
        .group_by(Person.organisation_id)
        .order_by(Person.organisation_id)
    ).all()
    result["completions per unit"] = [tuple(row) for row in per_unit]
    result["people"] = db.scalar(select(func.count()).select_from(Person))
    return result


def assert_anonymised(db: Session, person_id: int) -> None:
    db.expire_all()
    person = db.get(Person, person_id)
    assert person is not None
    assert person.name == "" and person.email == f"erased-{person_id}@invalid"
    assert person.employee_number is None and person.password_hash is None
    assert person.start_date is None and person.end_date is None and person.preferred_language is None
    assert not person.active and not person.is_manager and person.anonymised_at is not None
    assert person.organisation_id is not None  # counts per unit stay
    for model in (RoleGrant, AccountToken, LoginSession, LearnerPosition):
        assert db.scalar(select(func.count()).select_from(model).where(model.person_id == person_id)) == 0


def test_months_before() -> None:
    assert months_before(date(2026, 12, 1), 24) == date(2024, 12, 1)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2024, 3, 31), 1) == date(2024, 2, 29)
    assert months_before(date(2026, 1, 15), 13) == date(2024, 12, 15)


def test_a_leaver_past_the_period_is_anonymised_and_the_counts_stay(db: Session, world: World) -> None:
    leaver = world.colleague_b
    leaver.employee_number, leaver.end_date, leaver.active = "E-1", date(2024, 11, 30), False
    leaver.roles.append(RoleGrant(role="author"))
    db.commit()
    history(db, world, leaver)
    history(db, world, world.employee)
    before = counts(db)
    result = retention(db)
    db.commit()
    assert result.anonymised == 1 and result.cutoff == date(2024, 12, 1)
    assert_anonymised(db, leaver.id)
    assert counts(db) == before
    assert db.get(Person, world.employee.id).email == "employee@example.org"  # type: ignore[union-attr]
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.retention"))
    assert event is not None and event.details == {"anonymised": 1, "months": 24}
    assert retention(db).anonymised == 0  # once is enough


def test_who_left_recently_or_is_active_is_kept(db: Session, world: World) -> None:
    world.colleague_b.end_date, world.colleague_b.active = date(2024, 12, 1), False  # exactly 24 months: not yet
    world.employee.end_date = date(2020, 1, 1)  # an old end date but active again: kept
    db.commit()
    assert retention(db).anonymised == 0
    db.expire_all()
    assert db.get(Person, world.colleague_b.id).name == "Colleague B"  # type: ignore[union-attr]
    assert retention(db, today=date(2026, 12, 2)).anonymised == 1


def test_without_an_end_date_the_period_counts_from_the_first_run_that_saw_them_inactive(
    db: Session, world: World
) -> None:
    world.colleague_b.active = False
    db.commit()
    first = retention(db, today=date(2025, 1, 10))
    db.commit()
    assert first.anonymised == 0 and first.newly_inactive == 1
    assert db.get(Person, world.colleague_b.id).inactive_since == date(2025, 1, 10)  # type: ignore[union-attr]
    assert retention(db, today=date(2027, 1, 10)).anonymised == 0
    assert retention(db, today=date(2027, 1, 11)).anonymised == 1


def test_coming_back_resets_the_inactive_day(db: Session, world: World) -> None:
    world.colleague_b.active = False
    db.commit()
    retention(db, today=date(2025, 1, 10))
    db.commit()
    world.colleague_b.active = True
    db.commit()
    retention(db, today=date(2025, 2, 1))
    db.commit()
    db.expire_all()
    assert db.get(Person, world.colleague_b.id).inactive_since is None  # type: ignore[union-attr]


def test_a_dry_run_changes_nothing(db: Session, world: World) -> None:
    world.colleague_b.end_date, world.colleague_b.active = date(2020, 1, 1), False
    world.employee.active = False
    db.commit()
    result = retention(db, dry_run=True)
    assert result.dry_run and result.anonymised == 1 and result.newly_inactive == 2
    db.rollback()
    db.expire_all()
    assert db.get(Person, world.colleague_b.id).email == "colleague-b@example.org"  # type: ignore[union-attr]
    assert db.get(Person, world.employee.id).inactive_since is None  # type: ignore[union-attr]


def test_retention_purges_ended_sessions(db: Session, world: World) -> None:
    login_sessions.start(db, world.employee.id, NOW - timedelta(hours=13), POLICY)
    live, _ = login_sessions.start(db, world.hr_a.id, NOW, POLICY)
    db.commit()
    result = retention(db)
    assert result.sessions_purged == 1
    assert [row.id for row in db.scalars(select(LoginSession))] == [live.id]


def test_an_admin_erases_one_person_at_once(db: Session, world: World) -> None:
    history(db, world, world.hr_b)
    before = counts(db)
    assert erase_person(db, world.admin, world.hr_b.id, NOW) is True
    db.commit()
    assert_anonymised(db, world.hr_b.id)
    assert counts(db) == before
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "person.erase"))
    assert event is not None and event.target == f"person:{world.hr_b.id}" and event.details == {}
    assert event.actor_id == world.admin.id
    assert erase_person(db, world.admin, world.hr_b.id, NOW) is False  # twice is harmless


def test_only_admins_erase_and_never_themselves(db: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        erase_person(db, world.hr_a, world.employee.id, NOW)
    with pytest.raises(InvalidInput, match="your own account"):
        erase_person(db, world.admin, world.admin.id, NOW)
