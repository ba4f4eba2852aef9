"""Each unit's own contacts for the content's placeholders, inherited from the nearest unit above that has one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..content import PLACEHOLDERS
from ..i18n import _l
from ..models import OrganisationUnit, Person, UnitSetting, utcnow
from . import audit
from .authz import reportable_unit
from .errors import InvalidInput

# The order of the form and of the support panel.
SETTING_KEYS: tuple[str, ...] = (
    "vertrouwenspersoon_contact",
    "mior_contact",
    "bedrijfsmaatschappelijk_werk_contact",
    "hr_contact",
    "intranet_meldpagina",
    "organisatie_naam",
)
if set(SETTING_KEYS) != PLACEHOLDERS:
    raise RuntimeError("the unit settings must be exactly the content placeholders")
MAX_LENGTH = 500


@dataclass(frozen=True)
class Setting:
    """A unit's value for one key (None: inherited), and what applies there (from which unit)."""

    key: str
    own: str | None
    applies: str | None
    from_unit: OrganisationUnit | None


def _ancestor_ids(unit: OrganisationUnit) -> list[int]:
    return [int(part) for part in unit.path.strip("/").split("/") if part]


def resolve(session: Session, unit_id: int) -> dict[str, str]:
    """The values that apply in a unit: its own, else the nearest unit above's (one query over the path)."""
    unit = session.get(OrganisationUnit, unit_id)
    if unit is None:
        return {}
    depth = {ancestor: index for index, ancestor in enumerate(_ancestor_ids(unit))}
    rows = session.execute(
        select(UnitSetting.organisation_id, UnitSetting.key, UnitSetting.value).where(
            UnitSetting.organisation_id.in_(list(depth))
        )
    )
    nearest: dict[str, tuple[int, str]] = {}
    for organisation_id, key, value in rows:
        if key not in nearest or depth[organisation_id] > nearest[key][0]:
            nearest[key] = (depth[organisation_id], value)
    return {key: value for key, (_depth, value) in nearest.items()}


@dataclass(frozen=True)
class UnitContacts:
    """A unit and its settings, for the form."""

    unit: OrganisationUnit
    settings: list[Setting]


def settings_of(session: Session, actor: Person, unit_id: int | None) -> UnitContacts:
    """The form's contents for HR of the unit (default: its first scope) or an admin: own values, and what applies
    with its source. Forbidden outside the actor's scope."""
    unit = reportable_unit(session, actor, unit_id)
    ids = _ancestor_ids(unit)
    units = {u.id: u for u in session.scalars(select(OrganisationUnit).where(OrganisationUnit.id.in_(ids)))}
    rows = list(session.scalars(select(UnitSetting).where(UnitSetting.organisation_id.in_(ids))))
    result = []
    for key in SETTING_KEYS:
        own = next((r.value for r in rows if r.organisation_id == unit.id and r.key == key), None)
        above = sorted((r for r in rows if r.key == key), key=lambda r: ids.index(r.organisation_id), reverse=True)
        source = above[0] if above else None
        result.append(
            Setting(key, own, source.value if source else None, units.get(source.organisation_id) if source else None)
        )
    return UnitContacts(unit, result)


def save(session: Session, actor: Person, unit_id: int | None, values: Mapping[str, str]) -> list[str]:
    """Store the unit's own values (an empty one: inherit from above); the keys that changed, audited."""
    unit = reportable_unit(session, actor, unit_id)
    unknown = set(values) - set(SETTING_KEYS)
    if unknown:
        raise InvalidInput(_l("Unknown contact setting: %(key)s.", key=sorted(unknown)[0][:64]))
    too_long = [key for key, value in values.items() if len(value.strip()) > MAX_LENGTH]
    if too_long:
        raise InvalidInput(_l("A contact may be at most %(count)s characters long.", count=MAX_LENGTH))
    stored = {s.key: s for s in session.scalars(select(UnitSetting).where(UnitSetting.organisation_id == unit.id))}
    changed = []
    for key in SETTING_KEYS:
        if key not in values:
            continue
        value = values[key].strip()
        current = stored.get(key)
        if not value and current is not None:
            session.execute(delete(UnitSetting).where(UnitSetting.id == current.id))
            changed.append(key)
        elif value and current is None:
            session.add(UnitSetting(organisation_id=unit.id, key=key, value=value))
            changed.append(key)
        elif value and current is not None and current.value != value:
            current.value, current.updated_at = value, utcnow()
            changed.append(key)
    if changed:
        session.flush()
        audit.record(session, actor, "unit.contacts", f"unit:{unit.code}", keys=changed)
    return changed
