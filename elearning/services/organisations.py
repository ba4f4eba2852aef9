"""The organisation tree: creating, renaming, moving, closing and reopening units, keeping materialised paths right.

Units are never deleted and keep their id, so progress, completions and the audit log stay attached to them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, func, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..i18n import _l, ngettext
from ..models import OrganisationUnit, Person
from . import audit
from .errors import InvalidInput, NotFound
from .roles import require_admin

CODE_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9-]{0,63}")
NAME_MAX = 200


@dataclass(frozen=True)
class TreeRow:
    """A unit in display order (depth-first, by name) with its depth and the active people directly in it."""

    unit: OrganisationUnit
    depth: int
    people: int = 0


@dataclass(frozen=True)
class UnitDetail:
    """One unit for its admin page: where it may move to, and what still keeps it from closing."""

    unit: OrganisationUnit
    parent: OrganisationUnit | None
    active_people: int
    open_subunits: int
    parent_choices: list[TreeRow]


def normalise_code(code: str) -> str:
    """Codes are upper case letters, digits and hyphens; InvalidInput names the rule otherwise."""
    code = code.strip().upper()
    if not code:
        raise InvalidInput(_l("An organisation unit needs a code and a name."))
    if not CODE_PATTERN.fullmatch(code):
        raise InvalidInput(
            _l(
                "Code %(code)s is not valid: use at most 64 letters, digits and hyphens, starting with a letter "
                "or digit.",
                code=code,
            )
        )
    return code


def _name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput(_l("An organisation unit needs a code and a name."))
    if len(name) > NAME_MAX:
        raise InvalidInput(_l("The name is too long: at most %(count)s characters.", count=NAME_MAX))
    return name


def create_unit(session: Session, code: str, name: str, parent: OrganisationUnit | None = None) -> OrganisationUnit:
    """Add a unit under `parent` (or as a root) and give it its path."""
    code = normalise_code(code)
    name = _name(name)
    if parent is not None and parent.closed_at is not None:
        raise InvalidInput(_l("Organisation unit %(code)s is closed; choose an open unit.", code=parent.code))
    if unit_by_code(session, code) is not None:
        raise InvalidInput(_l("Organisation code %(code)s already exists.", code=code))
    unit = OrganisationUnit(code=code, name=name, parent_id=parent.id if parent else None)
    session.add(unit)
    try:
        session.flush()
    except IntegrityError:  # the same code created at the same moment by someone else
        session.rollback()
        raise InvalidInput(_l("Organisation code %(code)s already exists.", code=code)) from None
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    session.flush()
    return unit


def unit_by_code(session: Session, code: str) -> OrganisationUnit | None:
    return session.scalar(select(OrganisationUnit).where(OrganisationUnit.code == code.strip().upper()))


def _unit(session: Session, unit_id: int, *, lock: bool = False) -> OrganisationUnit:
    query = select(OrganisationUnit).where(OrganisationUnit.id == unit_id)
    if lock:  # FOR UPDATE on PostgreSQL (SQLite locks the whole database on write anyway)
        query = query.with_for_update().execution_options(populate_existing=True)
    unit = session.scalar(query)
    if unit is None:
        raise NotFound("organisation unit")
    return unit


def _parent(session: Session, parent_id: int | None, *, lock: bool = False) -> OrganisationUnit | None:
    """The chosen parent; a missing one is bad input (it came from a form), not a missing page."""
    if parent_id is None:
        return None
    try:
        return _unit(session, parent_id, lock=lock)
    except NotFound:
        raise InvalidInput(_l("That organisation unit does not exist.")) from None


def _audit_unit(session: Session, actor: Person, action: str, unit: OrganisationUnit, **details: object) -> None:
    audit.record(session, actor, action, f"unit:{unit.code}", unit_id=unit.id, **details)


def add_unit(session: Session, actor: Person, code: str, name: str, parent_id: int | None) -> OrganisationUnit:
    """An admin adds a unit under an open parent (None: a new root)."""
    require_admin(actor)
    parent = _parent(session, parent_id)
    unit = create_unit(session, code, name, parent)
    _audit_unit(session, actor, "unit.create", unit, parent=parent.code if parent else None)
    return unit


def rename_unit(session: Session, actor: Person, unit_id: int, name: str) -> bool:
    """Give a unit a new name; False when the name did not change (a repeated form)."""
    require_admin(actor)
    unit = _unit(session, unit_id)
    name = _name(name)
    if name == unit.name:
        return False
    unit.name = name
    session.flush()
    _audit_unit(session, actor, "unit.rename", unit)
    return True


def move_unit(session: Session, actor: Person, unit_id: int, parent_id: int | None) -> bool:
    """Put a unit (with its whole subtree) under another parent, None for a root; False when nothing changes."""
    require_admin(actor)
    unit = _unit(session, unit_id, lock=True)
    parent = _parent(session, parent_id, lock=True)
    if (parent.id if parent else None) == unit.parent_id:
        return False
    if parent is not None:
        if parent.path.startswith(unit.path):
            raise InvalidInput(_l("%(code)s cannot be moved under itself or one of its own subunits.", code=unit.code))
        if parent.closed_at is not None:
            raise InvalidInput(_l("Organisation unit %(code)s is closed; choose an open unit.", code=parent.code))
    old_parent = session.get(OrganisationUnit, unit.parent_id) if unit.parent_id is not None else None
    old_path = unit.path
    new_path = f"{parent.path if parent else '/'}{unit.id}/"
    unit.parent_id = parent.id if parent else None
    session.flush()
    # One UPDATE for the whole subtree: swap the old path prefix for the new one (|| and substr: both databases).
    session.execute(
        update(OrganisationUnit)
        .where(OrganisationUnit.path.startswith(old_path, autoescape=True))
        .values(path=literal(new_path, String) + func.substr(OrganisationUnit.path, len(old_path) + 1))
        .execution_options(synchronize_session="fetch")
    )
    _audit_unit(
        session,
        actor,
        "unit.move",
        unit,
        old_parent=old_parent.code if old_parent else None,
        new_parent=parent.code if parent else None,
    )
    return True


def _blockers(session: Session, unit: OrganisationUnit) -> tuple[int, int]:
    """Active people directly in the unit, and its open subunits."""
    people = session.scalar(
        select(func.count(Person.id)).where(Person.organisation_id == unit.id, Person.active.is_(True))
    )
    subunits = session.scalar(
        select(func.count(OrganisationUnit.id)).where(
            OrganisationUnit.parent_id == unit.id, OrganisationUnit.closed_at.is_(None)
        )
    )
    return people or 0, subunits or 0


def close_unit(session: Session, actor: Person, unit_id: int, *, now: datetime) -> bool:
    """Close an empty unit (no active people, no open subunits); False when it was closed already."""
    require_admin(actor)
    unit = _unit(session, unit_id, lock=True)
    if unit.closed_at is not None:
        return False
    people, subunits = _blockers(session, unit)
    if people or subunits:
        reasons = []
        if people:
            reasons.append(ngettext("%(num)s active person", "%(num)s active people", people))
        if subunits:
            reasons.append(ngettext("%(num)s open subunit", "%(num)s open subunits", subunits))
        raise InvalidInput(
            _l(
                "%(code)s cannot be closed: it still has %(reasons)s. Move them or close them first.",
                code=unit.code,
                reasons=_l("%(first)s and %(second)s", first=reasons[0], second=reasons[1])
                if len(reasons) == 2
                else reasons[0],
            )
        )
    unit.closed_at = now
    session.flush()
    _audit_unit(session, actor, "unit.close", unit)
    return True


def reopen_unit(session: Session, actor: Person, unit_id: int) -> bool:
    """Open a closed unit again (its parent must be open); False when it was open already."""
    require_admin(actor)
    unit = _unit(session, unit_id, lock=True)
    if unit.closed_at is None:
        return False
    parent = session.get(OrganisationUnit, unit.parent_id) if unit.parent_id is not None else None
    if parent is not None and parent.closed_at is not None:
        raise InvalidInput(_l("First reopen %(parent)s, the unit above %(code)s.", parent=parent.code, code=unit.code))
    unit.closed_at = None
    session.flush()
    _audit_unit(session, actor, "unit.reopen", unit)
    return True


def _in_tree_order(units: list[OrganisationUnit]) -> list[tuple[OrganisationUnit, int]]:
    """Depth-first, siblings by name: the order in which a tree reads top to bottom."""
    ids = {unit.id for unit in units}
    children: dict[int | None, list[OrganisationUnit]] = defaultdict(list)
    for unit in units:
        children[unit.parent_id if unit.parent_id in ids else None].append(unit)
    for siblings in children.values():
        siblings.sort(key=lambda unit: (unit.name.casefold(), unit.code))
    ordered: list[tuple[OrganisationUnit, int]] = []
    stack = [(unit, 0) for unit in reversed(children[None])]
    while stack:
        unit, depth = stack.pop()
        ordered.append((unit, depth))
        stack.extend((child, depth + 1) for child in reversed(children[unit.id]))
    return ordered


def unit_tree(session: Session, actor: Person) -> list[TreeRow]:
    """Every unit, open and closed, in tree order with its number of active people (one GROUP BY)."""
    require_admin(actor)
    people: dict[int | None, int] = {
        unit_id: count
        for unit_id, count in session.execute(
            select(Person.organisation_id, func.count(Person.id))
            .where(Person.active.is_(True), Person.organisation_id.is_not(None))
            .group_by(Person.organisation_id)
        )
    }
    units = list(session.scalars(select(OrganisationUnit)))
    return [TreeRow(unit, depth, people.get(unit.id, 0)) for unit, depth in _in_tree_order(units)]


def open_units(session: Session, actor: Person) -> list[TreeRow]:
    """The open units in tree order, to choose from (a closed unit's subtree is closed too)."""
    require_admin(actor)
    units = list(session.scalars(select(OrganisationUnit).where(OrganisationUnit.closed_at.is_(None))))
    return [TreeRow(unit, depth) for unit, depth in _in_tree_order(units)]


def unit_detail(session: Session, actor: Person, unit_id: int) -> UnitDetail:
    """A unit with the open units it may move under (never itself or its own subtree), and its current parent."""
    require_admin(actor)
    unit = _unit(session, unit_id)
    people, subunits = _blockers(session, unit)
    # The current parent stays on offer even when closed, so that the form never silently proposes another place.
    outside = select(OrganisationUnit).where(
        or_(OrganisationUnit.closed_at.is_(None), OrganisationUnit.id == unit.parent_id),
        ~OrganisationUnit.path.startswith(unit.path, autoescape=True),
    )
    choices = [TreeRow(u, depth) for u, depth in _in_tree_order(list(session.scalars(outside)))]
    parent = session.get(OrganisationUnit, unit.parent_id) if unit.parent_id is not None else None
    return UnitDetail(unit=unit, parent=parent, active_people=people, open_subunits=subunits, parent_choices=choices)
