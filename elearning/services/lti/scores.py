"""Results back to the LMS gradebook (AGS): queued in the `lti_score` outbox (delivery.py sends them).

Queuing happens in the learner's own transaction (a completion or an assessment result) and costs one indexed
query when the person has no LMS link; delivery happens outside any learner's request, so an LMS that is slow or
down never slows or breaks learning. A failed delivery is tried again later with a doubling delay, and given up
after a while (shown on the admin page). A newer result replaces an older one still waiting for the same link.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ...models import AssessmentAttempt, LtiLink, LtiPlatform, LtiScore, ModuleCompletion

FULL_MARKS = 100.0


def queue_result(
    session: Session, person_id: int, module_slug: str, now: datetime, *, only_link: int | None = None
) -> int:
    """Queue the person's current result in a module for every LMS line item linked to it; returns how many.

    The result: the best assessment score (or full marks for a completed module without an assessment), "Completed"
    once the module is completed, else "Submitted" after an assessment attempt. Nothing done yet: nothing queued.
    """
    query = select(LtiLink.id).where(
        LtiLink.person_id == person_id, LtiLink.module_slug == module_slug, LtiLink.lineitem_url.is_not(None)
    )
    if only_link is not None:
        query = query.where(LtiLink.id == only_link)
    link_ids = list(session.scalars(query))
    if not link_ids:
        return 0
    completed = session.scalar(
        select(ModuleCompletion.id)
        .where(ModuleCompletion.person_id == person_id, ModuleCompletion.module_slug == module_slug)
        .limit(1)
    )
    best = session.scalar(
        select(func.max(AssessmentAttempt.score)).where(
            AssessmentAttempt.person_id == person_id,
            AssessmentAttempt.module_slug == module_slug,
            AssessmentAttempt.submitted_at.is_not(None),
        )
    )
    if completed is None and best is None:
        return 0
    given = float(best) if best is not None else FULL_MARKS
    waiting = (LtiScore.link_id.in_(link_ids), LtiScore.sent_at.is_(None), LtiScore.failed_at.is_(None))
    session.execute(delete(LtiScore).where(*waiting))  # (synchronised: the ids may be reused on SQLite)
    for link_id in link_ids:
        session.add(
            LtiScore(
                link_id=link_id,
                score_given=given,
                score_maximum=FULL_MARKS,
                activity_progress="Completed" if completed is not None else "Submitted",
                grading_progress="FullyGraded",
                created_at=now,
                next_attempt_at=now,
            )
        )
    session.flush()
    return len(link_ids)


def due(session: Session, now: datetime, limit: int = 500) -> Sequence[int]:
    """The ids of the scores to deliver now, oldest first, from active platforms only."""
    return session.scalars(
        select(LtiScore.id)
        .join(LtiLink, LtiLink.id == LtiScore.link_id)
        .join(LtiPlatform, LtiPlatform.id == LtiLink.platform_id)
        .where(
            LtiScore.sent_at.is_(None),
            LtiScore.failed_at.is_(None),
            LtiScore.next_attempt_at <= now,
            LtiPlatform.active.is_(True),
        )
        .order_by(LtiScore.id)
        .limit(limit)
    ).all()
