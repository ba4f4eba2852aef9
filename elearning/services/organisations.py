"""Creating organisation units and keeping their materialised paths right."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..i18n import _l
from ..models import OrganisationUnit
from .errors import InvalidInput


def create_unit(session: Session, code: str, name: str, parent: OrganisationUnit | None = None) -> OrganisationUnit:
    """Add a unit under `parent` (or as a root) and give it its path."""
    code = code.strip()
    if not code or not name.strip():
        raise InvalidInput(_l("An organisation unit needs a code and a name."))
    if session.scalar(select(OrganisationUnit.id).where(OrganisationUnit.code == code)) is not None:
        raise InvalidInput(_l("Organisation code %(code)s already exists.", code=code))
    unit = OrganisationUnit(code=code, name=name.strip(), parent_id=parent.id if parent else None)
    session.add(unit)
    session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    session.flush()
    return unit


def unit_by_code(session: Session, code: str) -> OrganisationUnit | None:
    return session.scalar(select(OrganisationUnit).where(OrganisationUnit.code == code))
