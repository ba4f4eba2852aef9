"""Reminder e-mails: the schedule, never twice, only the latest missed step, escalation to managers, failures."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearning.mail import Mail, MailError, MemorySender, Sender
from elearning.models import Assignment, Enrolment, Person, ReminderSent, Role, RoleGrant
from elearning.services.reminders import (
    CATCH_UP_DAYS,
    ReminderResult,
    escalation_due,
    latest_due_step,
    parse_reminder_days,
    send_reminders,
)

from ..conftest import World

DUE = date(2025, 3, 17)
NOW = datetime(2025, 3, 1, 6, 0, tzinfo=UTC)


def assign(
    db: Session,
    world: World,
    *,
    slug: str = "basis",
    reminder_days: str = "-7,0,7,14",
    escalate_after_days: int | None = None,
    ended_at: datetime | None = None,
) -> Assignment:
    assignment = Assignment(
        module_slug=slug,
        organisation_id=world.ministry.id,
        due_on=DUE,
        reminder_days=reminder_days,
        escalate_after_days=escalate_after_days,
        ended_at=ended_at,
    )
    db.add(assignment)
    db.flush()
    return assignment


def enrol(db: Session, assignment: Assignment, person: Person, *, due_on: date = DUE, **extra: object) -> Enrolment:
    extra.setdefault("organisation_id", person.organisation_id)
    enrolment = Enrolment(assignment_id=assignment.id, person_id=person.id, due_on=due_on, **extra)
    db.add(enrolment)
    db.commit()
    return enrolment


def run(app: Flask, db: Session, today: date, sender: Sender | None = None, *, dry_run: bool = False) -> ReminderResult:
    with app.app_context():
        return send_reminders(
            db,
            sender or app.extensions["mail_sender"],
            app.extensions["catalog"].get(),
            today,
            now=NOW,
            dry_run=dry_run,
            commit=db.commit,
        )


def claims(db: Session, recipient: str | None = None) -> list[tuple[int, str, int]]:
    query = select(ReminderSent.enrolment_id, ReminderSent.recipient, ReminderSent.offset_days)
    if recipient is not None:
        query = query.where(ReminderSent.recipient == recipient)
    return sorted(tuple(row) for row in db.execute(query))  # type: ignore[misc]


def on(days: int) -> date:
    return DUE + timedelta(days=days)


class FailingSender:
    """A relay that refuses every message (or only those to `refuse`)."""

    def __init__(self, inner: Sender | None = None, refuse: set[str] | None = None):
        self.inner = inner
        self.refuse = refuse
        self.tried: list[str] = []

    def send(self, mail: Mail) -> None:
        self.tried.append(mail.to)
        if self.refuse is None or mail.to in self.refuse:
            raise MailError("SMTP relay smtp.example.org:587 refused or failed: SMTPServerDisconnected")
        assert self.inner is not None
        self.inner.send(mail)


@pytest.fixture
def english(world: World, db: Session) -> Person:
    """The employee, reading in English so that the (untranslated) texts can be checked."""
    world.employee.preferred_language = "en"
    db.commit()
    return world.employee


# The schedule


def test_schedule_sends_each_step_once_on_its_day(app: Flask, db: Session, world: World, english: Person) -> None:
    enrol(db, assign(db, world), english)
    sent_on: list[int] = []
    for day in range(-10, 25):
        before = len(outbox_of(app))
        result = run(app, db, on(day))
        assert result.failed == 0 and result.skipped_steps == 0
        if len(outbox_of(app)) > before:
            sent_on.append(day)
    assert sent_on == [-7, 0, 7, 14]
    subjects = [mail.subject for mail in outbox_of(app)]
    assert subjects == [
        "Reminder: “Basics” is due in 7 days",
        "Reminder: “Basics” is due today",
        "Overdue: “Basics” was due 7 days ago",
        "Overdue: “Basics” was due 14 days ago",
    ]
    first = outbox_of(app)[0]
    assert first.to == "employee@example.org"
    assert "Dear Employee," in first.body
    assert "March 17, 2025" in first.body
    assert "http://127.0.0.1:5000/learn/basis/" in first.body
    assert "This message was sent by the e-learning platform" in first.body
    assert [offset for _, _, offset in claims(db, "learner")] == [-7, 0, 7, 14]


def outbox_of(app: Flask) -> list[Mail]:
    sender = app.extensions["mail_sender"]
    assert isinstance(sender, MemorySender)
    return sender.outbox


def test_running_twice_sends_nothing_new(app: Flask, db: Session, world: World, outbox: list[Mail]) -> None:
    assignment = assign(db, world)
    enrol(db, assignment, world.employee)
    enrol(db, assignment, world.colleague_b)
    assert run(app, db, on(-7)) == ReminderResult(learner_mails=2)
    assert run(app, db, on(-7)) == ReminderResult()
    assert run(app, db, on(-6)) == ReminderResult()
    assert len(outbox) == 2
    assert len(claims(db)) == 2


def test_a_missed_week_sends_only_the_latest_step(
    app: Flask, db: Session, world: World, english: Person, outbox: list[Mail]
) -> None:
    enrolment = enrol(db, assign(db, world), english)
    run(app, db, on(-7))
    # The job did not run from the due day until 8 days after it: only the 7-days-overdue step goes out.
    assert run(app, db, on(8)) == ReminderResult(learner_mails=1, skipped_steps=1)
    assert [mail.subject for mail in outbox] == [
        "Reminder: “Basics” is due in 7 days",
        "Overdue: “Basics” was due 8 days ago",
    ]
    assert claims(db) == [(enrolment.id, "learner", offset) for offset in (-7, 0, 7)]
    for day in range(9, 14):
        assert run(app, db, on(day)) == ReminderResult()
    assert run(app, db, on(14)).learner_mails == 1
    assert len(outbox) == 3


def test_a_first_run_long_after_the_start_sends_one_mail_not_a_burst(
    app: Flask, db: Session, world: World, outbox: list[Mail]
) -> None:
    assignment = assign(db, world)
    enrol(db, assignment, world.employee)
    assert run(app, db, on(15)) == ReminderResult(learner_mails=1, skipped_steps=3)
    assert len(outbox) == 1
    assert [offset for _, _, offset in claims(db)] == [-7, 0, 7, 14]
    assert run(app, db, on(16)) == ReminderResult()
    # Once the last step is more than CATCH_UP_DAYS late, the series is over.
    late = enrol(db, assignment, world.colleague_b)
    assert run(app, db, on(14 + CATCH_UP_DAYS + 1)) == ReminderResult()
    assert all(enrolment_id != late.id for enrolment_id, _, _ in claims(db))


def test_an_enrolment_made_late_gets_the_step_it_is_in(
    app: Flask, db: Session, world: World, english: Person, outbox: list[Mail]
) -> None:
    enrol(db, assign(db, world), english, due_on=on(3))  # due in 3 days: the "7 days before" step is reached
    assert run(app, db, DUE) == ReminderResult(learner_mails=1)
    assert outbox[0].subject == "Reminder: “Basics” is due in 3 days"


def test_a_custom_schedule_is_followed(app: Flask, db: Session, world: World, outbox: list[Mail]) -> None:
    enrol(db, assign(db, world, reminder_days="-3, 1"), world.employee)
    sent_on = []
    for day in range(-10, 12):
        if run(app, db, on(day)).learner_mails:
            sent_on.append(day)
    assert sent_on == [-3, 1]


def test_a_malformed_schedule_sends_no_learner_reminders(
    app: Flask, db: Session, world: World, outbox: list[Mail]
) -> None:
    enrol(db, assign(db, world, reminder_days="-7,soon"), world.employee)
    assert run(app, db, on(-7)) == ReminderResult()
    assert outbox == []


# Who gets nothing


def test_completed_withdrawn_inactive_ended_and_departed_get_nothing(
    app: Flask, db: Session, world: World, outbox: list[Mail]
) -> None:
    assignment = assign(db, world)
    ended = assign(db, world, ended_at=NOW - timedelta(days=1))
    ending_later = assign(db, world, slug="toets", ended_at=NOW + timedelta(days=60))
    enrol(db, assignment, world.employee, completed_at=NOW)
    enrol(db, assignment, world.manager, withdrawn_at=NOW)
    inactive = world.person("gone@example.org", world.dg_b, active=False)
    departed = world.person("left@example.org", world.dg_b)
    departed.end_date = on(-30)
    enrol(db, assignment, inactive)
    enrol(db, assignment, departed)
    enrol(db, ended, world.colleague_b)
    kept = enrol(db, ending_later, world.author)
    result = run(app, db, on(-7))
    assert result == ReminderResult(learner_mails=1)
    assert [mail.to for mail in outbox] == ["author@example.org"]
    assert claims(db) == [(kept.id, "learner", -7)]


def test_a_module_missing_from_the_catalogue_waits(app: Flask, db: Session, world: World, outbox: list[Mail]) -> None:
    enrol(db, assign(db, world, slug="withdrawn-module"), world.employee)
    assert run(app, db, on(-7)) == ReminderResult()
    assert outbox == [] and claims(db) == []


# Language


def test_mails_are_in_the_recipients_language(app: Flask, db: Session, world: World, outbox: list[Mail]) -> None:
    assignment = assign(db, world)
    world.employee.preferred_language = "en"
    world.colleague_b.preferred_language = "nl"
    world.manager.preferred_language = None  # the platform's default: Dutch
    db.commit()
    for person in (world.employee, world.colleague_b, world.manager):
        enrol(db, assignment, person)
    run(app, db, on(-7))
    by_recipient = {mail.to: mail for mail in outbox}
    english = by_recipient["employee@example.org"]
    assert "“Basics”" in english.subject and "March 17, 2025" in english.body
    for dutch in (by_recipient["colleague-b@example.org"], by_recipient["manager@example.org"]):
        assert "“Basis”" in dutch.subject and "17 maart 2025" in dutch.body


# Escalation to managers


def test_managers_get_one_mail_listing_their_overdue_people(
    app: Flask, db: Session, world: World, outbox: list[Mail]
) -> None:
    world.manager.preferred_language = "en"
    second = world.person("second@example.org", world.team_a1)
    world.person("top@example.org", world.ministry, is_manager=True)
    db.commit()
    basis = assign(db, world, escalate_after_days=10)
    toets = assign(db, world, slug="toets", escalate_after_days=10)
    first = enrol(db, basis, world.employee)
    other_module = enrol(db, toets, world.employee)
    second_enrolment = enrol(db, basis, second)
    # DG-B has no manager of its own: the nearest ancestor's (the ministry's) is told.
    colleague = enrol(db, basis, world.colleague_b)
    # The team's manager is overdue too: not told about themselves; the ministry's manager is.
    own = enrol(db, basis, world.manager)
    for day in range(-7, 10):
        run(app, db, on(day))
    assert claims(db, "manager") == []
    learner_mails = len(outbox)

    result = run(app, db, on(10))
    assert result.manager_mails == 2 and result.failed == 0
    mails = {mail.to: mail for mail in outbox[learner_mails:]}
    assert set(mails) == {"manager@example.org", "top@example.org"}
    team = mails["manager@example.org"]
    assert team.subject == "2 people in your team have an overdue module"
    assert "Employee: “Basics”, due on March 17, 2025, 10 days overdue" in team.body
    assert "Employee: “Test”, due on March 17, 2025, 10 days overdue" in team.body
    assert "Second: “Basics”" in team.body
    assert "Colleague B" not in team.body and "Manager: “" not in team.body
    ministry = mails["top@example.org"]
    assert ministry.subject == "2 medewerkers in je team hebben een module niet op tijd afgerond"  # in Dutch
    assert "Colleague B: “Basis”" in ministry.body and "Manager: “Basis”" in ministry.body
    assert "Employee" not in ministry.body
    assert claims(db, "manager") == sorted(
        (e.id, "manager", 10) for e in (first, other_module, second_enrolment, colleague, own)
    )

    total = len(outbox)
    for day in range(11, 30):
        assert run(app, db, on(day)).manager_mails == 0
    assert all("overdue module" not in mail.subject and "niet op tijd" not in mail.subject for mail in outbox[total:])


def test_every_manager_of_the_unit_is_told_and_the_escalation_recorded_once(
    app: Flask, db: Session, world: World, outbox: list[Mail]
) -> None:
    db.add(RoleGrant(person_id=world.hr_a.id, role=Role.MANAGER.value, organisation_id=world.team_a1.id))
    db.commit()
    enrolment = enrol(db, assign(db, world, escalate_after_days=3), world.employee)
    result = run(app, db, on(3))
    assert result.manager_mails == 2
    told = sorted(mail.to for mail in outbox if "overdue module" in mail.subject or "niet op tijd" in mail.subject)
    assert told == ["hr-a@example.org", "manager@example.org"]
    assert claims(db, "manager") == [(enrolment.id, "manager", 3)]


def test_no_escalation_without_the_setting_or_once_completed(
    app: Flask, db: Session, world: World, outbox: list[Mail]
) -> None:
    enrol(db, assign(db, world), world.employee)
    enrol(db, assign(db, world, slug="toets", escalate_after_days=5), world.manager, completed_at=NOW)
    for day in range(0, 40):
        assert run(app, db, on(day)).manager_mails == 0
    assert claims(db, "manager") == []


def test_a_manager_is_not_told_about_themselves(app: Flask, db: Session, world: World, outbox: list[Mail]) -> None:
    enrol(db, assign(db, world, escalate_after_days=1), world.manager)
    # The team's only manager is overdue: nobody above has a manager, so nobody is told and nothing recorded.
    assert run(app, db, on(1)).manager_mails == 0
    assert claims(db, "manager") == []
    top = world.person("top@example.org", world.ministry, is_manager=True)
    db.commit()
    assert run(app, db, on(2)).manager_mails == 1
    assert outbox[-1].to == top.email


# Failures and dry runs


def test_a_failed_mail_is_released_and_retried_by_the_next_run(
    app: Flask, db: Session, world: World, outbox: list[Mail]
) -> None:
    assignment = assign(db, world, escalate_after_days=1)
    enrol(db, assignment, world.employee)
    colleague = enrol(db, assignment, world.colleague_b)
    flaky = FailingSender(inner=app.extensions["mail_sender"], refuse={"employee@example.org", "manager@example.org"})
    result = run(app, db, on(1), flaky)
    # The colleague's reminder and her manager escalation (the ministry has none: not told) go out; two fail.
    assert result == ReminderResult(learner_mails=1, manager_mails=0, failed=2, skipped_steps=1)
    assert [mail.to for mail in outbox] == ["colleague-b@example.org"]
    assert claims(db) == [(colleague.id, "learner", -7), (colleague.id, "learner", 0)]

    retry = run(app, db, on(1))
    assert retry == ReminderResult(learner_mails=1, manager_mails=1, skipped_steps=1)
    assert sorted(mail.to for mail in outbox[1:]) == ["employee@example.org", "manager@example.org"]
    assert run(app, db, on(1)) == ReminderResult()


def test_a_relay_that_is_down_leaves_nothing_recorded(app: Flask, db: Session, world: World) -> None:
    enrol(db, assign(db, world), world.employee)
    down = FailingSender()
    assert run(app, db, on(-7), down) == ReminderResult(failed=1)
    assert claims(db) == [] and down.tried == ["employee@example.org"]


def test_a_dry_run_sends_and_records_nothing(app: Flask, db: Session, world: World, outbox: list[Mail]) -> None:
    assignment = assign(db, world, escalate_after_days=1)
    enrol(db, assignment, world.employee)
    enrol(db, assignment, world.colleague_b)
    commits: list[int] = []

    with app.app_context():
        result = send_reminders(
            db,
            app.extensions["mail_sender"],
            app.extensions["catalog"].get(),
            on(1),
            now=NOW,
            dry_run=True,
            commit=lambda: commits.append(1),
        )
    assert result == ReminderResult(learner_mails=2, manager_mails=1, skipped_steps=2)
    assert outbox == [] and claims(db) == [] and commits == []
    assert run(app, db, on(1)) == result


def test_two_runs_at_the_same_time_send_each_reminder_once(
    app: Flask, db: Session, world: World, outbox: list[Mail]
) -> None:
    assignment = assign(db, world)
    for number in range(5):
        enrol(db, assignment, world.person(f"p{number}@example.org", world.dg_b))
    engine = app.extensions["db_engine"]
    first_is_sending = threading.Event()
    second_started = threading.Event()
    results: dict[str, ReminderResult] = {}
    errors: list[BaseException] = []

    class SlowSender:
        """Holds the first run inside its first send (its claims uncommitted) while the second run tries to claim."""

        def send(self, mail: Mail) -> None:
            if not first_is_sending.is_set():
                first_is_sending.set()
                second_started.wait(timeout=5)
                time.sleep(0.5)  # the second run reads no claims yet and waits on the first one's insert
            outbox.append(mail)

    def job(name: str, sender: Sender) -> None:
        try:
            with Session(engine, expire_on_commit=False) as session, app.app_context():
                results[name] = send_reminders(
                    session, sender, app.extensions["catalog"].get(), on(-7), now=NOW, commit=session.commit
                )
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)

    first = threading.Thread(target=job, args=("first", SlowSender()))
    first.start()
    assert first_is_sending.wait(timeout=10)
    second = threading.Thread(target=job, args=("second", app.extensions["mail_sender"]))
    second.start()
    second_started.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert errors == []
    assert results["first"].learner_mails + results["second"].learner_mails == 5
    assert sorted(mail.to for mail in outbox) == sorted(f"p{number}@example.org" for number in range(5))
    assert db.scalar(select(func.count()).select_from(ReminderSent)) == 5


# The schedule arithmetic


def test_parse_reminder_days() -> None:
    assert parse_reminder_days("-7,0,7,14") == (-7, 0, 7, 14)
    assert parse_reminder_days(" 14, -7 ,7,7,") == (-7, 7, 14)
    assert parse_reminder_days("") == ()
    with pytest.raises(ValueError):
        parse_reminder_days("-7,next week")


@pytest.mark.parametrize(
    ("days_overdue", "step"),
    [(-8, None), (-7, -7), (-1, -7), (0, 0), (6, 0), (7, 7), (13, 7), (14, 14), (21, 14), (22, None)],
)
def test_latest_due_step(days_overdue: int, step: int | None) -> None:
    assert latest_due_step((-7, 0, 7, 14), days_overdue) == step


def test_escalation_due() -> None:
    assert not escalation_due(None, 30)
    assert not escalation_due(10, 9)
    assert escalation_due(10, 10) and escalation_due(10, 10 + CATCH_UP_DAYS)
    assert not escalation_due(0, 0) and escalation_due(0, 1)  # on the due day nothing is overdue yet
    assert not escalation_due(10, 11 + CATCH_UP_DAYS)
