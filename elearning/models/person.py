"""People (employees with a login) and the roles granted to them, some scoped to an organisation subtree."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .organisation import OrganisationUnit


class Role(StrEnum):
    """What a person may do; a person can hold several."""

    EMPLOYEE = "employee"
    # Sees the completion of one team (unit); people flagged is_manager on the roster manage their own unit.
    MANAGER = "manager"
    AUTHOR = "author"
    HR = "hr"
    ADMIN = "admin"


class Person(Base):
    """An employee as known from the HR roster; also the login account."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_number: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation_unit.id"), index=True)
    is_manager: Mapped[bool] = mapped_column(Boolean, default=False)
    preferred_language: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set by the retention job the first day it sees the person inactive (cleared when they come back);
    # the retention period counts from here when the roster gave no end date.
    inactive_since: Mapped[date | None]
    # When name, e-mail address, employee number and password were erased (retention or an admin's erasure).
    anonymised_at: Mapped[datetime | None]

    organisation: Mapped[OrganisationUnit | None] = relationship()
    roles: Mapped[list[RoleGrant]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="selectin"
    )

    def has_role(self, role: Role) -> bool:
        return role is Role.EMPLOYEE or any(grant.role == role for grant in self.roles)

    @property
    def role_names(self) -> list[str]:
        return sorted({Role.EMPLOYEE.value, *(grant.role for grant in self.roles)})

    # flask-login's user protocol, written out so that models need no Flask import.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    def __repr__(self) -> str:
        return f"<Person {self.id}>"


class RoleGrant(Base):
    """A role held by a person; for HR a subtree, for manager one unit, given by organisation_id."""

    __tablename__ = "role_grant"
    __table_args__ = (UniqueConstraint("person_id", "role", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation_unit.id"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship(back_populates="roles")
    organisation: Mapped[OrganisationUnit | None] = relationship()
