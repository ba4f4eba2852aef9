"""Who may import people for which units: HR for its own subtrees, admins and the command line for the whole tree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from ...i18n import _l
from ...models import OrganisationUnit, Person, Role
from ..authz import hr_scopes
from ..errors import Forbidden, InvalidInput


@dataclass(frozen=True)
class ImportScope:
    """The subtrees an import may touch, as materialised paths; `whole_tree` when nothing limits it."""

    codes: tuple[str, ...]
    paths: tuple[str, ...]
    whole_tree: bool

    def covers(self, path: str | None) -> bool:
        if self.whole_tree:
            return True
        return path is not None and path.startswith(self.paths)

    def clause(self) -> ColumnElement[bool]:
        """SQL for "the unit (joined as OrganisationUnit) lies in scope"; the whole tree needs no condition."""
        if self.whole_tree:
            return true()
        if not self.paths:
            return false()
        return or_(*(OrganisationUnit.path.startswith(path, autoescape=True) for path in self.paths))


def may_import(person: Person) -> bool:
    """Whether to offer the people pages at all (which units is decided by import_scope)."""
    return person.has_role(Role.HR) or person.has_role(Role.ADMIN)


def import_scope(session: Session, importer: Person | None, codes: Sequence[str] = ()) -> ImportScope:
    """The scope of `importer` (None: the system, i.e. the command line), narrowed to `codes` when given."""
    wanted = _units(session, codes)
    if importer is None or importer.has_role(Role.ADMIN):
        if not wanted:
            return ImportScope((), (), whole_tree=True)
        return ImportScope(tuple(u.code for u in wanted), tuple(u.path for u in wanted), whole_tree=False)
    if not importer.has_role(Role.HR):
        raise Forbidden("role hr or admin required")
    own = hr_scopes(session, importer)
    if not own:
        raise Forbidden("no HR scope")
    own_paths = tuple(unit.path for unit in own)
    if not wanted:
        wanted = own
    elif not all(unit.path.startswith(own_paths) for unit in wanted):
        raise Forbidden("unit outside your scope")
    return ImportScope(tuple(u.code for u in wanted), tuple(u.path for u in wanted), whole_tree=False)


def _units(session: Session, codes: Sequence[str]) -> list[OrganisationUnit]:
    units = []
    for code in dict.fromkeys(c.strip() for c in codes if c.strip()):
        unit = session.scalar(select(OrganisationUnit).where(OrganisationUnit.code == code))
        if unit is None:
            raise InvalidInput(_l("Unknown organisation code: %(code)s", code=code))
        units.append(unit)
    return units
