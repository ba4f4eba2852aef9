"""Demo organisation, people and progress for `make run`; loading it twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import OrganisationUnit, Person, Role, RoleGrant
from .organisations import create_unit, unit_by_code
from .passwords import hash_password

DEMO_PASSWORD = "demo-wachtwoord-2026"  # noqa: S105 - only for demo accounts on a laptop; refused in production

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


def load_demo(session: Session) -> dict[str, int]:
    """Create the demo tree and people that are missing; returns how many of each were created."""
    created = {"units": 0, "people": 0}
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
            employee_number=f"DEMO{number:04d}", name=name, email=email, password_hash=password_hash,
            organisation=unit, is_manager=is_manager,
        )
        for role, scope_code in roles:
            scope: OrganisationUnit | None = unit_by_code(session, scope_code) if scope_code else None
            person.roles.append(RoleGrant(role=role.value, organisation=scope))
        session.add(person)
        created["people"] += 1
    session.flush()
    return created
