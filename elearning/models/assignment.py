"""Assignments of a module to an organisation subtree, the enrolments they create per person, and reminders sent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint, text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .organisation import OrganisationUnit
from .person import Person

DEFAULT_REMINDER_DAYS = "-7,0,7,14"


class Assignment(Base):
    """One module given to everyone (or every manager) in an organisation subtree, with a due date rule."""

    __tablename__ = "assignment"
    __table_args__ = (
        # Exactly one due-date rule: a fixed date or "N days after the person starts".
        CheckConstraint("(due_on IS NULL) <> (due_days_after_start IS NULL)", name="one_due_rule"),
        CheckConstraint("due_days_after_start IS NULL OR due_days_after_start >= 0", name="due_days_not_negative"),
        CheckConstraint("recurrence_months IS NULL OR recurrence_months > 0", name="recurrence_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    module_slug: Mapped[str] = mapped_column(String(100), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation_unit.id"), index=True)
    managers_only: Mapped[bool] = mapped_column(Boolean, default=False)
    due_on: Mapped[date | None]
    due_days_after_start: Mapped[int | None] = mapped_column(Integer)
    # "Repeat every N months": each cycle needs a new completion on the then current content version.
    recurrence_months: Mapped[int | None] = mapped_column(Integer)
    # Only completions on the module's current content version count (recertification after a content change).
    requires_current_version: Mapped[bool] = mapped_column(Boolean, default=False)
    # Days relative to the due date on which the learner is reminded: "-7,0,7,14".
    reminder_days: Mapped[str] = mapped_column(String(100), default=DEFAULT_REMINDER_DAYS)
    # The learner's manager is told once the module is this many days overdue; None: never.
    escalate_after_days: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]

    organisation: Mapped[OrganisationUnit] = relationship()

    def __repr__(self) -> str:
        return f"<Assignment {self.id} {self.module_slug}>"


# The reports' rows: enrolments in effect now (not withdrawn, not superseded by a next cycle) and binding.
IN_EFFECT_NOW = "withdrawn_at IS NULL AND superseded_at IS NULL AND is_primary"


class Enrolment(Base):
    """One person's duty under an assignment for one cycle: due date, and when it was fulfilled.

    It also carries what the HR reports aggregate (unit, started, superseded, binding), so that a report on a whole
    ministry is one scan of one index, without joining people or progress.
    """

    __tablename__ = "enrolment"
    __table_args__ = (
        UniqueConstraint("assignment_id", "person_id", "cycle"),
        Index("ix_enrolment_person_id_due_on", "person_id", "due_on"),
        Index("ix_enrolment_due_on", "due_on"),
        # Covering, in GROUP BY order, for the roll-up as of today (see services/reporting/rollup.py).
        Index(
            "ix_enrolment_report_now",
            "organisation_id",
            "assignment_id",
            "completed_at",
            "started_at",
            "due_on",
            "cycle",
            "person_id",
            sqlite_where=text(IN_EFFECT_NOW),
            postgresql_where=text(IN_EFFECT_NOW),
        ),
        Index("ix_enrolment_organisation_id_assignment_id", "organisation_id", "assignment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    cycle: Mapped[int] = mapped_column(Integer, default=0)
    due_on: Mapped[date]
    # Completions at or after this moment fulfil the cycle; None: any completion (the first cycle).
    counts_from: Mapped[datetime | None]
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    completion_version: Mapped[str | None] = mapped_column(String(64))
    # Set when the person left the audience (moved out, left the organisation) or an open duty's assignment ended;
    # history stays, and a person who comes back is reopened.
    withdrawn_at: Mapped[datetime | None]
    # The person's unit while this duty is in effect (it follows moves); frozen once withdrawn or superseded.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation_unit.id"))
    # The first lesson of the module marked done during this duty (or its completion, whichever came first).
    started_at: Mapped[datetime | None]
    # When the next cycle of a recurring assignment opened; from then on that cycle is the one in effect.
    superseded_at: Mapped[datetime | None]
    # Of several running assignments of one module for one person, the one due first binds (and is counted).
    is_primary: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    assignment: Mapped[Assignment] = relationship()
    person: Mapped[Person] = relationship()


class ReminderSent(Base):
    """A reminder e-mail already sent, so that running the reminder job twice never sends it twice."""

    __tablename__ = "reminder_sent"
    __table_args__ = (UniqueConstraint("enrolment_id", "recipient", "offset_days"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"))
    # "learner" or "manager"
    recipient: Mapped[str] = mapped_column(String(16))
    offset_days: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
