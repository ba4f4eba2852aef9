"""The care features in the demo: each unit's own contacts, a few exemptions and the crowd's effect answers.

Added to an existing demo database too (each part only when it is missing), so `make run` shows them after an upgrade.
The effect answers follow what the crowd did: a pre set in the month a person started a module, a post set in the
month of completion and a follow-up set about two months later, each answered by most but not all, with confidence
that grows after the module. Seeded, so the figures are the same on every laptop.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from ..content import EFFECT_SCALE, Catalog
from ..models import (
    EffectAnswerCount,
    EffectParticipation,
    Exemption,
    ExemptionReason,
    LessonProgress,
    ModuleCompletion,
    Person,
    UnitSetting,
)
from .effect import month_of
from .organisations import unit_by_code

# Unit code → its own contacts; the units below inherit them (DG Publieke Dienstverlening has its own adviser).
DEMO_CONTACTS: dict[str, dict[str, str]] = {
    "MVZ": {
        "organisatie_naam": "Ministerie van Voorbeeldzaken",
        "vertrouwenspersoon_contact": "de vertrouwenspersonen van MVZ: 070 555 0101, vertrouwen@mvz.example.org",
        "mior_contact": "MIOR, het meldpunt integriteit en ongewenst gedrag: 070 555 0102, mior@mvz.example.org",
        "bedrijfsmaatschappelijk_werk_contact": "bedrijfsmaatschappelijk werk: 070 555 0103 (ook 's avonds)",
        "hr_contact": "je HR-adviseur via hr-advies@mvz.example.org",
        "intranet_meldpagina": "https://intranet.mvz.example.org/ongewenst-gedrag",
    },
    "MVZ-DGP": {
        "vertrouwenspersoon_contact": "Anouk Verbeek, vertrouwenspersoon van DG Publieke Dienstverlening: 06 1234 5678",
    },
}
EXEMPTION_SHARE = 0.04
CROWD_PREFIX = "DEMO1"
# The mean a learner's answer moves by, per set: confidence grows after the module and slips a little later on.
SHIFT = {"pre": 0.0, "post": 0.9, "follow-up": 0.6}
ANSWER_SHARE = {"pre": 0.75, "post": 0.65, "follow-up": 0.45}
FOLLOW_UP_AFTER = (60, 80)


def load_care(session: Session, catalog: Catalog, now: datetime) -> dict[str, int]:
    """Contacts, exemptions and effect answers for the demo, each only when missing; returns what was added."""
    return {
        "contacts": _contacts(session),
        "exemptions": _exemptions(session, catalog, now),
        "effect_answers": _effect_answers(session, catalog, now),
    }


def _contacts(session: Session) -> int:
    added = 0
    for code, values in DEMO_CONTACTS.items():
        unit = unit_by_code(session, code)
        if unit is None:
            continue
        present = set(session.scalars(select(UnitSetting.key).where(UnitSetting.organisation_id == unit.id)))
        for key, value in values.items():
            if key not in present:
                session.add(UnitSetting(organisation_id=unit.id, key=key, value=value))
                added += 1
    session.flush()
    return added


def _crowd(session: Session) -> list[Person]:
    return list(
        session.scalars(
            select(Person).where(Person.employee_number.startswith(CROWD_PREFIX)).order_by(Person.employee_number)
        )
    )


def _exemptions(session: Session, catalog: Catalog, now: datetime) -> int:
    """A few of the crowd exempted from the first module for everyone, by a reason category only."""
    if session.scalar(select(func.count()).select_from(Exemption)):
        return 0
    module = next((m for m in catalog.modules.values() if m.audience == "all"), None)
    if module is None:
        return 0
    rng = random.Random(13)  # noqa: S311 - demo figures, not security  # nosec B311
    reasons = list(ExemptionReason)
    added = 0
    for person in _crowd(session):
        if rng.random() < EXEMPTION_SHARE:
            session.add(
                Exemption(
                    person_id=person.id,
                    module_slug=module.slug,
                    reason=rng.choice(reasons).value,
                    ends_on=now.date() + timedelta(days=rng.randint(30, 300)),
                    created_at=now - timedelta(days=rng.randint(1, 60)),
                )
            )
            added += 1
    session.flush()
    return added


def _value(rng: random.Random, name: str, base: float) -> int:
    return max(1, min(5, round(rng.gauss(base + SHIFT[name], 0.8))))


def _effect_answers(session: Session, catalog: Catalog, now: datetime) -> int:
    """The crowd's answers, following when each person started and completed a module with effect questions."""
    if session.scalar(select(func.count()).select_from(EffectAnswerCount)):
        return 0
    modules = {slug: module for slug, module in catalog.modules.items() if module.effect is not None}
    if not modules:
        return 0
    rng = random.Random(2027)  # noqa: S311 - demo figures, not security  # nosec B311
    people = {person.id: person for person in _crowd(session)}
    started: dict[tuple[int, str], datetime] = {
        (person_id, slug): at
        for person_id, slug, at in session.execute(
            select(LessonProgress.person_id, LessonProgress.module_slug, func.min(LessonProgress.completed_at))
            .where(LessonProgress.person_id.in_(list(people)), LessonProgress.module_slug.in_(list(modules)))
            .group_by(LessonProgress.person_id, LessonProgress.module_slug)
        )
    }
    completed: dict[tuple[int, str], datetime] = {
        (person_id, slug): at
        for person_id, slug, at in session.execute(
            select(ModuleCompletion.person_id, ModuleCompletion.module_slug, func.max(ModuleCompletion.completed_at))
            .where(ModuleCompletion.person_id.in_(list(people)), ModuleCompletion.module_slug.in_(list(modules)))
            .group_by(ModuleCompletion.person_id, ModuleCompletion.module_slug)
        )
    }
    done = {
        (person_id, slug, name)
        for person_id, slug, name in session.execute(
            select(EffectParticipation.person_id, EffectParticipation.module_slug, EffectParticipation.set_name).where(
                EffectParticipation.person_id.in_(list(people))
            )
        )
    }
    markers: list[dict[str, object]] = []
    counts: dict[tuple[int, str, str, str, date], list[int]] = {}
    answered = 0
    for (person_id, slug), began in sorted(started.items()):
        person, module = people[person_id], modules[slug]
        if person.organisation_id is None:
            continue
        base = rng.uniform(2.2, 3.4)
        moments = {"pre": began}
        end = completed.get((person_id, slug))
        if end is not None:
            moments["post"] = end
            later = end + timedelta(days=rng.randint(*FOLLOW_UP_AFTER))
            if later <= now:
                moments["follow-up"] = later
        for name, moment in moments.items():
            questions = module.effect_set(name, module.default_language)
            if questions is None or (person_id, slug, name) in done:
                continue
            markers.append({"person_id": person_id, "module_slug": slug, "set_name": name})
            if rng.random() >= ANSWER_SHARE[name]:
                continue  # skipped: the marker alone
            answered += 1
            for item in questions.items:
                key = (person.organisation_id, slug, name, item.id, month_of(moment.date()))
                counts.setdefault(key, [0] * len(EFFECT_SCALE))[_value(rng, name, base) - 1] += 1
    if markers:
        session.execute(insert(EffectParticipation), markers)
    rows = [
        {
            "organisation_id": unit_id,
            "module_slug": slug,
            "set_name": name,
            "item_id": item_id,
            "month": month,
            **{f"count_{value}": numbers[value - 1] for value in EFFECT_SCALE},
        }
        for (unit_id, slug, name, item_id, month), numbers in counts.items()
    ]
    if rows:
        session.execute(insert(EffectAnswerCount), rows)
    session.flush()
    return answered
