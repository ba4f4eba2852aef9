"""The LMSes (LTI platforms) that may launch modules: registered by an administrator or `flask lti register`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...i18n import _l
from ...models import LtiLink, LtiPlatform, LtiScore, Person
from .. import audit
from ..errors import InvalidInput, NotFound
from ..roles import require_admin

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class Registration:
    """What the LMS's administrator tells us about their platform."""

    name: str
    issuer: str
    client_id: str
    deployment_ids: tuple[str, ...]
    auth_login_url: str
    auth_token_url: str
    key_set_url: str


@dataclass(frozen=True)
class PlatformRow:
    """A registered platform with the state of its score outbox."""

    platform: LtiPlatform
    learners: int
    scores_waiting: int
    scores_failed: int


def check_url(url: str, label: object) -> str:
    """An https address (http only on this machine, for trying things out)."""
    parts = urlsplit(url.strip())
    secure = parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS)
    if not secure or not parts.hostname:
        raise InvalidInput(_l("%(field)s must be an https:// address.", field=label))
    return url.strip()


def _checked(data: Registration) -> Registration:
    name = data.name.strip()
    issuer = data.issuer.strip()
    client_id = data.client_id.strip()
    deployments = tuple(dict.fromkeys(d.strip() for d in data.deployment_ids if d.strip()))
    if not name or not client_id:
        raise InvalidInput(_l("Give the platform a name and the client id the LMS gave this tool."))
    if not deployments:
        raise InvalidInput(_l("Give at least one deployment id."))
    return Registration(
        name=name[:200],
        issuer=check_url(issuer, _l("The issuer")),
        client_id=client_id,
        deployment_ids=deployments,
        auth_login_url=check_url(data.auth_login_url, _l("The authentication request URL")),
        auth_token_url=check_url(data.auth_token_url, _l("The access token URL")),
        key_set_url=check_url(data.key_set_url, _l("The public key set URL")),
    )


def register(session: Session, actor: Person | None, data: Registration) -> tuple[LtiPlatform, bool]:
    """Add a platform, or update the one with the same issuer and client id; True when it is new.

    `actor` None: the command line (`flask lti register`), which the server's operator runs.
    """
    if actor is not None:
        require_admin(actor)
    data = _checked(data)
    platform = session.scalar(
        select(LtiPlatform).where(LtiPlatform.issuer == data.issuer, LtiPlatform.client_id == data.client_id)
    )
    created = platform is None
    if platform is None:
        platform = LtiPlatform(issuer=data.issuer, client_id=data.client_id, active=True)
        session.add(platform)
    platform.name = data.name
    platform.deployment_ids = list(data.deployment_ids)
    platform.auth_login_url = data.auth_login_url
    platform.auth_token_url = data.auth_token_url
    platform.key_set_url = data.key_set_url
    session.flush()
    audit.record(session, actor, "lti.register" if created else "lti.update", f"lti_platform:{platform.id}")
    return platform, created


def overview(session: Session, actor: Person | None) -> Sequence[PlatformRow]:
    """Every registered platform, with how many learners it launched and the scores waiting or given up."""
    if actor is not None:
        require_admin(actor)
    learners = (
        select(LtiLink.platform_id, func.count(func.distinct(LtiLink.person_id)).label("n"))
        .group_by(LtiLink.platform_id)
        .subquery()
    )
    waiting = (
        select(LtiLink.platform_id, func.count(LtiScore.id).label("n"))
        .join(LtiScore, LtiScore.link_id == LtiLink.id)
        .where(LtiScore.sent_at.is_(None), LtiScore.failed_at.is_(None))
        .group_by(LtiLink.platform_id)
        .subquery()
    )
    failed = (
        select(LtiLink.platform_id, func.count(LtiScore.id).label("n"))
        .join(LtiScore, LtiScore.link_id == LtiLink.id)
        .where(LtiScore.failed_at.is_not(None))
        .group_by(LtiLink.platform_id)
        .subquery()
    )
    rows = session.execute(
        select(LtiPlatform, learners.c.n, waiting.c.n, failed.c.n)
        .outerjoin(learners, learners.c.platform_id == LtiPlatform.id)
        .outerjoin(waiting, waiting.c.platform_id == LtiPlatform.id)
        .outerjoin(failed, failed.c.platform_id == LtiPlatform.id)
        .order_by(LtiPlatform.name, LtiPlatform.id)
    )
    return [PlatformRow(p, n or 0, w or 0, f or 0) for p, n, w, f in rows]


def set_active(session: Session, actor: Person | None, platform_id: int, active: bool) -> LtiPlatform:
    """Allow or stop launches (and score delivery) from a platform; its links and results stay."""
    if actor is not None:
        require_admin(actor)
    platform = session.get(LtiPlatform, platform_id)
    if platform is None:
        raise NotFound("lti platform")
    if platform.active != active:
        platform.active = active
        session.flush()
        audit.record(session, actor, "lti.activate" if active else "lti.deactivate", f"lti_platform:{platform.id}")
    return platform


def for_launch(session: Session, issuer: str, client_id: str | None) -> LtiPlatform | None:
    """The active platform of this issuer (and client id, needed when one issuer registered several tools)."""
    query = select(LtiPlatform).where(LtiPlatform.issuer == issuer, LtiPlatform.active.is_(True))
    if client_id:
        query = query.where(LtiPlatform.client_id == client_id)
    found = session.scalars(query.limit(2)).all()
    return found[0] if len(found) == 1 else None


def issuer_known(session: Session, issuer: str) -> bool:
    """Whether any active registration has this issuer (to tell a wrong audience from an unknown LMS)."""
    query = select(LtiPlatform.id).where(LtiPlatform.issuer == issuer, LtiPlatform.active.is_(True)).limit(1)
    return session.scalar(query) is not None
