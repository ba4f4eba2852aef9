"""The people HR may see: those in its subtrees (admins: everyone), a page at a time, searchable."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from ...models import OrganisationUnit, Person
from .scope import import_scope

PAGE_SIZE = 50


class PersonState(StrEnum):
    """Which people to list."""

    ALL = "all"
    ACTIVE = "active"
    INACTIVE = "inactive"


@dataclass(frozen=True, slots=True)
class ListedPerson:
    """One line of the people list: no more than HR needs to recognise and check a person."""

    id: int
    employee_number: str | None
    name: str
    email: str
    active: bool
    is_manager: bool
    unit_code: str | None
    unit_name: str | None


@dataclass(frozen=True)
class PeoplePage:
    """One page of people in scope, with what it took to find them."""

    people: list[ListedPerson]
    total: int
    page: int
    pages: int
    query: str
    state: PersonState
    scope_codes: tuple[str, ...]


def people_in_scope(
    session: Session,
    viewer: Person,
    *,
    query: str = "",
    state: PersonState = PersonState.ALL,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> PeoplePage:
    """People in the viewer's import scope, by name; `query` matches name, e-mail or employee number.

    Forbidden for anyone who is neither HR nor admin.
    """
    scope = import_scope(session, viewer)
    statement: Select[Any] = select(Person.id).outerjoin(
        OrganisationUnit, OrganisationUnit.id == Person.organisation_id
    )
    if not scope.whole_tree:
        statement = statement.where(scope.clause())
    if state is PersonState.ACTIVE:
        statement = statement.where(Person.active.is_(True))
    elif state is PersonState.INACTIVE:
        statement = statement.where(Person.active.is_(False))
    query = " ".join(query.split())[:100]
    if query:
        lowered = query.lower()
        statement = statement.where(
            or_(
                func.lower(Person.name).contains(lowered, autoescape=True),
                Person.email.contains(lowered, autoescape=True),
                Person.employee_number.startswith(query, autoescape=True),
            )
        )
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = session.execute(
        statement.with_only_columns(
            Person.id,
            Person.employee_number,
            Person.name,
            Person.email,
            Person.active,
            Person.is_manager,
            OrganisationUnit.code,
            OrganisationUnit.name,
        )
        .order_by(Person.name, Person.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    people = [
        ListedPerson(id_, number, name, email, active, manager, code, unit)
        for id_, number, name, email, active, manager, code, unit in rows
    ]
    return PeoplePage(people, total, page, pages, query, state, scope.codes)
