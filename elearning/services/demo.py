"""Demo organisation, people and progress for `make run`; loading it twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..content import Catalog
from ..models import Assignment, LtiPlatform, OrganisationUnit, Person, Role, RoleGrant, utcnow
from . import audit, enrolments
from .demo_care import load_care
from .demo_crowd import load_crowd
from .lti.registrations import Registration, register
from .organisations import create_unit, unit_by_code
from .passwords import hash_password

DEMO_PASSWORD = "demo-wachtwoord-2026"  # noqa: S105 - demo accounts only, never in production  # nosec B105

# code, name, parent code
DEMO_UNITS = [
    ("MVZ", "Ministerie van Voorbeeldzaken", None),
    ("MVZ-DGB", "DG Bedrijfsvoering", "MVZ"),
    ("MVZ-DGB-HR", "Directie HR en Organisatie", "MVZ-DGB"),
    ("MVZ-DGB-ICT", "Directie Informatievoorziening", "MVZ-DGB"),
    ("MVZ-DGB-ICT-SD", "Afdeling Servicedesk", "MVZ-DGB-ICT"),
    ("MVZ-DGB-ICT-ARCH", "Afdeling Architectuur", "MVZ-DGB-ICT"),
    ("MVZ-DGP", "DG Publieke Dienstverlening", "MVZ"),
    ("MVZ-DGP-LOK", "Directie Loketten", "MVZ-DGP"),
    ("MVZ-DGP-LOK-ZUID", "Loket Zuid", "MVZ-DGP-LOK"),
    ("MVZ-DGP-BELEID", "Directie Beleid", "MVZ-DGP"),
]


@dataclass(frozen=True)
class DemoLogin:
    """A demo account as printed by `make run`."""

    email: str
    role: str
    unit_code: str


# e-mail, name, unit, is_manager, extra roles (role, scope unit code or None)
DEMO_PEOPLE: list[tuple[str, str, str, bool, list[tuple[Role, str | None]]]] = [
    ("medewerker@example.org", "Sanne de Vries", "MVZ-DGB-ICT-SD", False, []),
    ("leidinggevende@example.org", "Mohamed El Amrani", "MVZ-DGB-ICT-SD", True, []),
    ("auteur@example.org", "Joost Bakker", "MVZ-DGB-HR", False, [(Role.AUTHOR, None)]),
    ("hr@example.org", "Priya Ramdin", "MVZ-DGB-HR", False, [(Role.HR, "MVZ-DGB")]),
    ("hr-dgp@example.org", "Eva Jansen", "MVZ-DGP", False, [(Role.HR, "MVZ-DGP")]),
    ("beheer@example.org", "Kees van Dijk", "MVZ-DGB-ICT", False, [(Role.ADMIN, None)]),
    ("f.yilmaz@example.org", "Fatma Yılmaz", "MVZ-DGB-ICT-SD", False, []),
    ("t.nguyen@example.org", "Thanh Nguyen", "MVZ-DGB-ICT-ARCH", False, []),
    ("l.visser@example.org", "Lotte Visser", "MVZ-DGB-ICT-ARCH", True, []),
    ("r.kartosen@example.org", "Rishi Kartosen", "MVZ-DGB-HR", False, []),
    ("a.degroot@example.org", "Anna de Groot", "MVZ-DGB-HR", True, []),
    ("s.ozturk@example.org", "Şükrü Öztürk", "MVZ-DGP-LOK-ZUID", False, []),
    ("z.peeters@example.org", "Zoë Peeters", "MVZ-DGP-LOK-ZUID", False, []),
    ("j.mulder@example.org", "Jan Mulder", "MVZ-DGP-LOK-ZUID", True, []),
    ("n.haddou@example.org", "Nadia Haddou", "MVZ-DGP-LOK", False, []),
    ("p.smit@example.org", "Pieter Smit", "MVZ-DGP-BELEID", False, []),
    ("m.tjon@example.org", "Maya Tjon", "MVZ-DGP-BELEID", True, []),
    ("d.bos@example.org", "Daan Bos", "MVZ-DGP-BELEID", False, []),
    ("i.meijer@example.org", "Iris Meijer", "MVZ-DGB", True, []),
    ("k.amankwah@example.org", "Kwame Amankwah", "MVZ-DGB-ICT", False, []),
]

DEMO_LOGINS = [
    DemoLogin("medewerker@example.org", "employee", "MVZ-DGB-ICT-SD"),
    DemoLogin("leidinggevende@example.org", "employee (manager)", "MVZ-DGB-ICT-SD"),
    DemoLogin("auteur@example.org", "author", "MVZ-DGB-HR"),
    DemoLogin("hr@example.org", "hr of MVZ-DGB", "MVZ-DGB-HR"),
    DemoLogin("hr-dgp@example.org", "hr of MVZ-DGP", "MVZ-DGP"),
    DemoLogin("beheer@example.org", "admin", "MVZ-DGB-ICT"),
]


# Modules for everyone: due this many days after a person starts (or is enrolled); managers' modules: overdue.
DEMO_DUE_DAYS = 30
DEMO_OVERDUE_DAYS = 10
DEMO_HISTORY_WEEKS = 26


def load_demo(
    session: Session, catalog: Catalog | None = None, today: date | None = None, now: datetime | None = None
) -> dict[str, int]:
    """Create the demo tree, people and (given the catalogue) assignments that are missing; returns counts."""
    created = {"units": 0, "people": 0, "assignments": 0, "crowd": 0, "care": 0, "lti_platforms": 0}
    for code, name, parent_code in DEMO_UNITS:
        if unit_by_code(session, code) is None:
            parent = unit_by_code(session, parent_code) if parent_code else None
            create_unit(session, code, name, parent)
            created["units"] += 1
    password_hash = None
    for number, (email, name, unit_code, is_manager, roles) in enumerate(DEMO_PEOPLE, start=1):
        if session.scalar(select(Person.id).where(Person.email == email)) is not None:
            continue
        password_hash = password_hash or hash_password(DEMO_PASSWORD)
        unit = unit_by_code(session, unit_code)
        person = Person(
            employee_number=f"DEMO{number:04d}",
            name=name,
            email=email,
            password_hash=password_hash,
            organisation=unit,
            is_manager=is_manager,
        )
        for role, scope_code in roles:
            scope: OrganisationUnit | None = unit_by_code(session, scope_code) if scope_code else None
            person.roles.append(RoleGrant(role=role.value, organisation=scope))
        session.add(person)
        created["people"] += 1
    session.flush()
    created["lti_platforms"] = _demo_lti_platform(session)
    if catalog is not None:
        created["assignments"], created["crowd"] = _demo_assignments(
            session, catalog, today or date.today(), now or utcnow()
        )
        created["people"] += created["crowd"]
        created["care"] = sum(load_care(session, catalog, now or utcnow()).values())
    return created


# A made-up Moodle, so that the LTI admin page shows a registration; it cannot launch anything (see
# docs/integrations.md for trying LTI with a real LMS).
DEMO_LTI = Registration(
    name="Demo-Moodle",
    issuer="https://moodle.demo.example",
    client_id="demo-client",
    deployment_ids=("1",),
    auth_login_url="https://moodle.demo.example/mod/lti/auth.php",
    auth_token_url="https://moodle.demo.example/mod/lti/token.php",  # noqa: S106 - an address, not a secret  # nosec B106
    key_set_url="https://moodle.demo.example/mod/lti/certs.php",
)


def _demo_lti_platform(session: Session) -> int:
    """Register the demo LMS once; 1 when it was registered now."""
    known = session.scalar(
        select(LtiPlatform.id).where(LtiPlatform.issuer == DEMO_LTI.issuer, LtiPlatform.client_id == DEMO_LTI.client_id)
    )
    if known is not None:
        return 0
    register(session, None, DEMO_LTI)
    return 1


def _demo_assignments(session: Session, catalog: Catalog, today: date, now: datetime) -> tuple[int, int]:
    """Every module for the whole ministry, with the crowd's half year of history.

    The modules for all are due 30 days after a person starts (or is enrolled), the managers' one is overdue.
    Assignments and enrolments date from half a year ago, so that reports "as of" an earlier day show the history.
    Returns the assignments and crowd members created.
    """
    ministry = unit_by_code(session, DEMO_UNITS[0][0])
    if ministry is None:
        return 0, 0
    since = now - timedelta(weeks=DEMO_HISTORY_WEEKS)
    created = 0
    for module in catalog.modules.values():
        managers = module.audience == "managers"
        exists = session.scalar(
            select(Assignment.id).where(
                Assignment.module_slug == module.slug,
                Assignment.organisation_id == ministry.id,
                Assignment.managers_only.is_(managers),
            )
        )
        if exists is not None:
            continue
        assignment = Assignment(
            module_slug=module.slug,
            organisation_id=ministry.id,
            managers_only=managers,
            due_on=today - timedelta(days=DEMO_OVERDUE_DAYS) if managers else None,
            due_days_after_start=None if managers else DEMO_DUE_DAYS,
            escalate_after_days=7 if managers else None,
            created_at=since,
        )
        session.add(assignment)
        session.flush()
        audit.record(session, None, "assignment.create", f"assignment:{assignment.id}", module=module.slug, demo=True)
        created += 1
    crowd = 0
    if created:  # the first load: the crowd's history, then enrolment as of half a year ago, then today's state
        crowd = load_crowd(session, catalog, now)
        enrolments.sync(session, catalog, since.date(), now=since)
    enrolments.sync(session, catalog, today, now=now)
    return created, crowd
