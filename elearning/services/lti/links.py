"""Who a launch is for, which module it opens, and the link that carries the learner's result back to the LMS."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...content import Catalog, Module
from ...models import LtiLink, Person
from ..accounts import normalise_email
from ..errors import NotFound
from ..learning import visible_module
from . import scores
from .claims import MODULE_PARAMETER
from .launch import Launch, LaunchRefused

EMAIL = "email"
EMPLOYEE_NUMBER = "employee_number"


@dataclass(frozen=True)
class PersonMatch:
    """How launches find people (ELEARNING_LTI_PERSON_MATCH and ELEARNING_LTI_EMPLOYEE_NUMBER_PARAMETER)."""

    by: str
    employee_number_parameter: str = EMPLOYEE_NUMBER


def person_for_launch(session: Session, launch: Launch, match: PersonMatch) -> Person:
    """The active roster person the launch names: by its e-mail claim or by an employee-number custom parameter."""
    if match.by == EMPLOYEE_NUMBER:
        number = str(launch.custom.get(match.employee_number_parameter) or "").strip()
        if not number:
            raise LaunchRefused("no_identity")
        person = session.scalar(select(Person).where(Person.employee_number == number))
    else:
        email = launch.claims.get("email")
        if not isinstance(email, str) or not email.strip():
            raise LaunchRefused("no_identity")
        person = session.scalar(select(Person).where(func.lower(Person.email) == normalise_email(email)))
    if person is None:
        raise LaunchRefused("unknown_person")
    if not person.active or person.anonymised_at is not None:
        raise LaunchRefused("inactive")
    return person


def module_for_launch(catalog: Catalog, person: Person, launch: Launch, slug_from_target: str | None) -> Module:
    """The module named by the resource link's custom parameter `module`, or else by the target link's address."""
    slug = str(launch.custom.get(MODULE_PARAMETER) or "").strip() or (slug_from_target or "")
    if not slug:
        raise LaunchRefused("no_module")
    try:
        return visible_module(catalog, person, slug)
    except NotFound as exc:
        raise LaunchRefused("unknown_module") from exc


def record(session: Session, launch: Launch, person: Person, module: Module, now: datetime) -> LtiLink:
    """Remember (or refresh) the learner's link from this resource link; a result already there is queued."""
    link = session.scalar(
        select(LtiLink).where(
            LtiLink.platform_id == launch.platform.id,
            LtiLink.resource_link_id == launch.resource_link_id,
            LtiLink.person_id == person.id,
        )
    )
    if link is None:
        link = LtiLink(
            platform_id=launch.platform.id,
            person_id=person.id,
            resource_link_id=launch.resource_link_id,
            created_at=now,
        )
        session.add(link)
    link.module_slug = module.slug
    link.deployment_id = launch.deployment_id
    link.lms_user_id = launch.user_id
    link.lineitem_url = launch.lineitem_url
    link.last_launch_at = now
    session.flush()
    scores.queue_result(session, person.id, module.slug, now, only_link=link.id)
    return link
