"""Reminder e-mails for due and overdue modules, and escalation to managers; each one claimed once, never sent twice."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Row, Select, delete, exists, or_, select
from sqlalchemy.orm import Session

from ..content import Catalog
from ..mail import Mail, MailError, Sender
from ..mail_text import compose, link
from ..models import Assignment, Enrolment, OrganisationUnit, Person, ReminderSent
from . import exemptions
from .managers import managers_of
from .upsert import insert_ignore

log = logging.getLogger(__name__)

LEARNER = "learner"
MANAGER = "manager"
BATCH_SIZE = 200
# A step missed by a job that did not run is still sent this many days late (only the latest one); later, never.
CATCH_UP_DAYS = 7
_CLAIM_KEY = ["enrolment_id", "recipient", "offset_days"]


@dataclass
class ReminderResult:
    """What one run did (or, in a dry run, would do): mails per kind, failed mails, missed steps recorded unsent."""

    learner_mails: int = 0
    manager_mails: int = 0
    failed: int = 0
    skipped_steps: int = 0


def parse_reminder_days(text: str) -> tuple[int, ...]:
    """The offsets of "-7,0,7,14" in days from the due date (negative: before), sorted; ValueError when malformed."""
    return tuple(sorted({int(part) for part in text.split(",") if part.strip()}))


def latest_due_step(offsets: Sequence[int], days_overdue: int) -> int | None:
    """The latest step reached on a day `days_overdue` after the due date, or None (none yet, or series long over)."""
    reached = [offset for offset in offsets if offset <= days_overdue]
    if not reached or days_overdue > max(offsets) + CATCH_UP_DAYS:
        return None
    return max(reached)


def escalation_due(escalate_after_days: int | None, days_overdue: int) -> bool:
    """Whether the manager is to be told today: from the threshold day (at least 1: on the due day nothing is overdue
    yet) until CATCH_UP_DAYS after it."""
    if escalate_after_days is None:
        return False
    return 0 <= days_overdue - max(escalate_after_days, 1) <= CATCH_UP_DAYS


class _Run:
    """One reminder run: the arguments, the counts, and the offsets parsed once per distinct reminder_days value."""

    def __init__(
        self,
        session: Session,
        sender: Sender,
        catalog: Catalog,
        today: date,
        now: datetime,
        dry_run: bool,
        save_batch: Callable[[], None],
        languages: Sequence[str],
        default_language: str,
    ):
        self.session = session
        self.sender = sender
        self.catalog = catalog
        self.today = today
        self.now = now
        self.dry_run = dry_run
        # The caller's commit (the CLI's); this module never ends a transaction by itself.
        self.save_batch = save_batch
        self.languages = tuple(languages)
        self.default_language = default_language
        self.result = ReminderResult()
        self._offsets: dict[str, tuple[int, ...]] = {}
        self._missing_modules: set[str] = set()
        self._unit_managers: dict[int, list[Person]] = {}

    def language(self, preferred: str | None) -> str:
        return preferred if preferred in self.languages else self.default_language

    def offsets(self, assignment_id: int, reminder_days: str) -> tuple[int, ...]:
        if reminder_days not in self._offsets:
            try:
                self._offsets[reminder_days] = parse_reminder_days(reminder_days)
            except ValueError:
                log.warning(
                    "assignment %s: reminder_days is not a list of whole days; no learner reminders", assignment_id
                )
                self._offsets[reminder_days] = ()
        return self._offsets[reminder_days]

    def module_title(self, slug: str, language: str) -> str | None:
        module = self.catalog.module(slug)
        if module is None:
            if slug not in self._missing_modules:
                log.warning("module %r is not in the catalogue; its reminders wait until it is back", slug)
                self._missing_modules.add(slug)
            return None
        return module.text(language).title

    def managers(self, person_id: int, organisation_id: int | None) -> list[Person]:
        """managers_of(person), asking the database once per unit unless the person is one of those managers."""
        if organisation_id is None:
            return []
        if organisation_id not in self._unit_managers:
            unit = self.session.get(OrganisationUnit, organisation_id)
            # A stand-in member of the unit whose id 0 matches nobody, so no manager is left out as "themselves".
            nobody = Person(id=0, organisation_id=organisation_id, organisation=unit)
            self._unit_managers[organisation_id] = managers_of(self.session, nobody) if unit is not None else []
        managers = self._unit_managers[organisation_id]
        if all(manager.id != person_id for manager in managers):
            return managers
        person = self.session.get(Person, person_id)
        return managers_of(self.session, person) if person is not None else []

    def open_enrolments(self, first_due: date, last_due: date) -> Select[*tuple[Any, ...]]:
        """Open enrolments of active people in running assignments, due in the window, oldest id first."""
        return (
            select(
                Enrolment.id,
                Enrolment.due_on,
                Enrolment.person_id,
                Person.organisation_id,
                Assignment.id.label("assignment_id"),
                Assignment.module_slug,
                Assignment.reminder_days,
                Assignment.escalate_after_days,
                Person.name,
                Person.email,
                Person.preferred_language,
            )
            .join(Assignment, Assignment.id == Enrolment.assignment_id)
            .join(Person, Person.id == Enrolment.person_id)
            .where(
                Enrolment.completed_at.is_(None),
                Enrolment.withdrawn_at.is_(None),
                Enrolment.due_on.between(first_due, last_due),
                Person.active.is_(True),
                or_(Person.end_date.is_(None), Person.end_date >= self.today),
                or_(Assignment.ended_at.is_(None), Assignment.ended_at > self.now),
                ~exemptions.active_at(Enrolment.person_id, Assignment.module_slug, self.today, self.now),
            )
            .order_by(Enrolment.id)
        )

    def batches(self, query: Select[*tuple[Any, ...]]) -> Iterator[Sequence[Row[Any]]]:
        """Keyset pages of BATCH_SIZE rows, so memory stays flat and a commit between pages closes no cursor."""
        last_id = 0
        while True:
            rows = self.session.execute(query.where(Enrolment.id > last_id).limit(BATCH_SIZE)).all()
            if not rows:
                return
            yield rows
            last_id = rows[-1].id

    def claim(self, enrolment_id: int, recipient: str, offset: int) -> bool:
        """Record the reminder unless another run (or an earlier one) did; True when this run owns it."""
        values = {"enrolment_id": enrolment_id, "recipient": recipient, "offset_days": offset, "sent_at": self.now}
        return insert_ignore(self.session, ReminderSent, values, _CLAIM_KEY)

    def release(self, enrolment_ids: Sequence[int], recipient: str, offsets: Sequence[int]) -> None:
        """Undo this run's claims after a failed mail, so that the next run tries again."""
        self.session.execute(
            delete(ReminderSent).where(
                ReminderSent.enrolment_id.in_(enrolment_ids),
                ReminderSent.recipient == recipient,
                ReminderSent.offset_days.in_(offsets),
            )
        )

    def deliver(self, mail: Mail, what: str) -> bool:
        """Hand the mail over; a relay failure is counted and logged by ids only, and the run goes on."""
        try:
            self.sender.send(mail)
        except MailError as exc:
            log.warning("reminder mail for %s not sent: %s", what, exc)
            self.result.failed += 1
            return False
        return True


def _windows(run: _Run) -> tuple[tuple[date, date] | None, tuple[date, date] | None]:
    """The due-date windows holding every learner step and every escalation that can be due today."""
    offsets: set[int] = set()
    escalations: set[int] = set()
    for assignment_id, reminder_days, escalate_after_days in run.session.execute(
        select(Assignment.id, Assignment.reminder_days, Assignment.escalate_after_days).where(
            or_(Assignment.ended_at.is_(None), Assignment.ended_at > run.now)
        )
    ):
        offsets.update(run.offsets(assignment_id, reminder_days))
        if escalate_after_days is not None:
            escalations.add(escalate_after_days)
    learner = None
    if offsets:
        learner = (run.today - timedelta(days=max(offsets) + CATCH_UP_DAYS), run.today - timedelta(days=min(offsets)))
    manager = None
    if escalations:
        manager = (
            run.today - timedelta(days=max(escalations) + CATCH_UP_DAYS),
            run.today - timedelta(days=max(min(escalations), 1)),
        )
    return learner, manager


def _remind_learners(run: _Run, first_due: date, last_due: date) -> None:
    """Send each enrolment its latest step due, recording earlier missed steps as handled; commit per batch."""
    for rows in run.batches(run.open_enrolments(first_due, last_due)):
        recorded: dict[int, set[int]] = defaultdict(set)
        for enrolment_id, offset in run.session.execute(
            select(ReminderSent.enrolment_id, ReminderSent.offset_days).where(
                ReminderSent.recipient == LEARNER, ReminderSent.enrolment_id.in_([row.id for row in rows])
            )
        ):
            recorded[enrolment_id].add(offset)
        for row in rows:
            _remind_learner(run, row, recorded[row.id])
        if not run.dry_run:
            run.save_batch()


def _remind_learner(run: _Run, row: Row[Any], recorded: set[int]) -> None:
    offsets = run.offsets(row.assignment_id, row.reminder_days)
    days_overdue = (run.today - row.due_on).days
    step = latest_due_step(offsets, days_overdue)
    if step is None or step in recorded:
        return
    language = run.language(row.preferred_language)
    title = run.module_title(row.module_slug, language)
    if title is None:
        return
    missed = [offset for offset in offsets if offset < step and offset not in recorded]
    if run.dry_run:
        run.result.learner_mails += 1
        run.result.skipped_steps += len(missed)
        return
    if not run.claim(row.id, LEARNER, step):
        return  # another run sends it
    skipped = [offset for offset in missed if run.claim(row.id, LEARNER, offset)]
    mail = compose(
        "reminder",
        row.email,
        language,
        name=row.name,
        module_title=title,
        due_on=row.due_on,
        state="overdue" if days_overdue > 0 else "today" if days_overdue == 0 else "upcoming",
        days=abs(days_overdue),
        url=link(f"/learn/{row.module_slug}/"),
    )
    if run.deliver(mail, f"enrolment {row.id}"):
        run.result.learner_mails += 1
        run.result.skipped_steps += len(skipped)
    else:
        run.release([row.id], LEARNER, [step, *skipped])


def _collect_escalations(run: _Run, first_due: date, last_due: date) -> dict[int, dict[int, int]]:
    """Per manager id: the enrolments (id → escalation offset) of their people to tell them about."""
    escalated = exists().where(ReminderSent.enrolment_id == Enrolment.id, ReminderSent.recipient == MANAGER)
    query = run.open_enrolments(first_due, last_due).where(Assignment.escalate_after_days.is_not(None), ~escalated)
    pending: dict[int, dict[int, int]] = defaultdict(dict)
    for rows in run.batches(query):
        for row in rows:
            if not escalation_due(row.escalate_after_days, (run.today - row.due_on).days):
                continue
            for manager in run.managers(row.person_id, row.organisation_id):
                pending[manager.id][row.id] = row.escalate_after_days
    return pending


def _escalate(run: _Run, pending: dict[int, dict[int, int]]) -> None:
    """One mail per manager listing all their overdue people; an enrolment's escalation is recorded once."""
    claimed_here: set[int] = set()
    for number, manager_id in enumerate(sorted(pending), start=1):
        _escalate_to(run, manager_id, pending[manager_id], claimed_here)
        if not run.dry_run and number % BATCH_SIZE == 0:
            run.save_batch()
    if not run.dry_run:
        run.save_batch()


def _escalate_to(run: _Run, manager_id: int, enrolments: dict[int, int], claimed_here: set[int]) -> None:
    manager = run.session.get(Person, manager_id)
    if manager is None:
        return
    if run.dry_run:
        run.result.manager_mails += 1
        return
    language = run.language(manager.preferred_language)
    ids = sorted(enrolments)
    people: list[dict[str, Any]] = []
    new_claims: list[int] = []
    for start in range(0, len(ids), BATCH_SIZE):
        for row in run.session.execute(
            select(Enrolment.id, Enrolment.due_on, Enrolment.person_id, Assignment.module_slug, Person.name)
            .join(Assignment, Assignment.id == Enrolment.assignment_id)
            .join(Person, Person.id == Enrolment.person_id)
            .where(Enrolment.id.in_(ids[start : start + BATCH_SIZE]))
        ):
            title = run.module_title(row.module_slug, language)
            if title is None:
                continue
            if run.claim(row.id, MANAGER, enrolments[row.id]):
                new_claims.append(row.id)
            elif row.id not in claimed_here:
                continue  # told by another run
            days = (run.today - row.due_on).days
            people.append(
                {"id": row.person_id, "name": row.name, "module_title": title, "due_on": row.due_on, "days": days}
            )
    if not people:
        return
    people.sort(key=lambda p: (p["name"].casefold(), p["module_title"]))
    mail = compose(
        "manager_escalation",
        manager.email,
        language,
        name=manager.name,
        people=people,
        count=len({p["id"] for p in people}),
        url=link("/"),
    )
    if run.deliver(mail, f"manager {manager.id}"):
        run.result.manager_mails += 1
        claimed_here.update(new_claims)
    elif new_claims:
        run.release(new_claims, MANAGER, sorted({enrolments[i] for i in new_claims}))


def send_reminders(
    session: Session,
    sender: Sender,
    catalog: Catalog,
    today: date,
    *,
    now: datetime,
    dry_run: bool = False,
    commit: Callable[[], None],
    languages: Sequence[str] = ("nl", "en"),
    default_language: str = "nl",
) -> ReminderResult:
    """Send today's learner reminders, then one escalation mail per manager; `commit` is called after each batch."""
    run = _Run(session, sender, catalog, today, now, dry_run, commit, languages, default_language)
    learner_window, manager_window = _windows(run)
    if learner_window is not None:
        _remind_learners(run, *learner_window)
    if manager_window is not None:
        _escalate(run, _collect_escalations(run, *manager_window))
    log.info(
        "reminders%s: %d learner mail(s), %d manager mail(s), %d missed step(s) skipped, %d failed",
        " (dry run)" if dry_run else "",
        run.result.learner_mails,
        run.result.manager_mails,
        run.result.skipped_steps,
        run.result.failed,
    )
    return run.result
