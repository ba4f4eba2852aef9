"""LTI 1.3: the platforms (LMSes) that may launch modules, launch nonces, learners' links and the score outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class LtiPlatform(Base):
    """A registered LMS: who signs its launches, where its login and token endpoints are, which deployments count."""

    __tablename__ = "lti_platform"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    # The deployment ids this registration accepts (a platform may deploy the tool several times).
    deployment_ids: Mapped[list[str]] = mapped_column(JSON)
    auth_login_url: Mapped[str] = mapped_column(String(1000))
    auth_token_url: Mapped[str] = mapped_column(String(1000))
    key_set_url: Mapped[str] = mapped_column(String(1000))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LtiNonce(Base):
    """The state and nonce of one launch, from the login step until it expires; used at most once."""

    __tablename__ = "lti_nonce"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"), index=True)
    state_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of the state, which the browser also carries
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None]


class LtiLink(Base):
    """A learner launched a module from a resource link of an LMS: where their result goes back to."""

    __tablename__ = "lti_link"
    __table_args__ = (
        UniqueConstraint("platform_id", "resource_link_id", "person_id"),
        Index("ix_lti_link_person_id_module_slug", "person_id", "module_slug"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    module_slug: Mapped[str] = mapped_column(String(100))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    deployment_id: Mapped[str] = mapped_column(String(255))
    # The LMS's opaque id of the learner (the launch's `sub`): AGS scores name the learner by it.
    lms_user_id: Mapped[str] = mapped_column(String(255))
    # The AGS line item of this resource link, if the LMS grants the score scope for it.
    lineitem_url: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_launch_at: Mapped[datetime] = mapped_column(default=utcnow)

    platform: Mapped[LtiPlatform] = relationship()


class LtiScore(Base):
    """A score waiting to go to (or sent to) an LMS gradebook: the outbox that `flask lti send-scores` empties."""

    __tablename__ = "lti_score"
    __table_args__ = (Index("ix_lti_score_sent_at_next_attempt_at", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("lti_link.id", ondelete="CASCADE"), index=True)
    score_given: Mapped[float] = mapped_column(Float)
    score_maximum: Mapped[float] = mapped_column(Float)
    activity_progress: Mapped[str] = mapped_column(String(32))  # AGS: Started, InProgress, Submitted, Completed
    grading_progress: Mapped[str] = mapped_column(String(32))  # AGS: FullyGraded, Pending, ...
    created_at: Mapped[datetime] = mapped_column(default=utcnow)  # the score's timestamp for the LMS
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]  # gave up after the last retry
    last_error: Mapped[str | None] = mapped_column(String(300))  # a status or error class, never personal data

    link: Mapped[LtiLink] = relationship()
