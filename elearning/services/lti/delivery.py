"""Delivering queued scores to the LMS gradebooks (AGS), for `flask lti send-scores` (cron, every minute).

Per platform an access token is asked with the client-credentials grant and a JWT signed by the tool's key
(1EdTech Security Framework §4.1), then each score is POSTed to the line item's /scores service. A failure is tried
again later, 1, 2, 4 … minutes after, up to 6 hours apart; after MAX_ATTEMPTS the score is given up.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy.orm import Session

from ...models import LtiPlatform, LtiScore
from .claims import CLIENT_ASSERTION_TYPE, SCORE_MEDIA_TYPE, SCORE_SCOPE
from .tool_key import ToolKey

if TYPE_CHECKING:
    import requests

MAX_ATTEMPTS = 12  # with the doubling delay below: about a day and a half of trying
FIRST_DELAY = timedelta(minutes=1)
LONGEST_DELAY = timedelta(hours=6)
HTTP_TIMEOUT_SECONDS = 10

SENT = "sent"
SKIPPED = "skipped"  # replaced by a newer result, or sent by another run meanwhile
RETRY = "retry"
FAILED = "failed"


def scores_url(lineitem_url: str) -> str:
    """AGS: the scores service is the line item's address with /scores added to its path (query kept)."""
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _http_session() -> requests.Session:
    import requests  # loaded by the score sender, not by every web worker

    return requests.Session()


class DeliveryError(Exception):
    """A score could not be delivered; the message is a status or an error class, never personal data."""


@dataclass
class AgsClient:
    """Talks to the LMSes: an access token per platform (client credentials with a signed JWT), then the score."""

    key: ToolKey
    http: requests.Session = field(default_factory=_http_session)
    _tokens: dict[int, tuple[str, float]] = field(default_factory=dict)

    def _token(self, platform: LtiPlatform) -> str:
        import requests

        cached = self._tokens.get(platform.id)
        if cached is not None and cached[1] > time.time():
            return cached[0]
        try:
            response = self.http.post(
                platform.auth_token_url,
                data={
                    "grant_type": "client_credentials",
                    "client_assertion_type": CLIENT_ASSERTION_TYPE,
                    "client_assertion": self.key.client_assertion(platform.client_id, platform.auth_token_url),
                    "scope": SCORE_SCOPE,
                },
                timeout=HTTP_TIMEOUT_SECONDS,
            )
        except requests.RequestException as exc:
            raise DeliveryError(f"token: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise DeliveryError(f"token: HTTP {response.status_code}")
        try:
            body = response.json()
            token = str(body["access_token"])
            lifetime = float(body.get("expires_in") or 3600)
        except (ValueError, KeyError, TypeError) as exc:
            raise DeliveryError("token: unreadable answer") from exc
        self._tokens[platform.id] = (token, time.time() + max(0.0, lifetime - 30))
        return token

    def post_score(self, platform: LtiPlatform, lineitem_url: str, payload: dict[str, Any]) -> None:
        import requests

        for attempt in (1, 2):
            token = self._token(platform)
            try:
                response = self.http.post(
                    scores_url(lineitem_url),
                    json=payload,
                    headers={"Authorization": f"Bearer {token}", "Content-Type": SCORE_MEDIA_TYPE},
                    timeout=HTTP_TIMEOUT_SECONDS,
                )
            except requests.RequestException as exc:
                raise DeliveryError(f"score: {type(exc).__name__}") from exc
            if response.status_code == 401 and attempt == 1:
                self._tokens.pop(platform.id, None)  # the token expired early: one more try with a new one
                continue
            if not 200 <= response.status_code < 300:
                raise DeliveryError(f"score: HTTP {response.status_code}")
            return


def payload(score: LtiScore) -> dict[str, Any]:
    """The AGS score document for one outbox row."""
    return {
        "userId": score.link.lms_user_id,
        "scoreGiven": score.score_given,
        "scoreMaximum": score.score_maximum,
        "activityProgress": score.activity_progress,
        "gradingProgress": score.grading_progress,
        "timestamp": _timestamp(score.created_at),
    }


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after the 1st, 2nd, 3rd … failure, up to LONGEST_DELAY."""
    return min(FIRST_DELAY * (2 ** min(attempts - 1, 20)), LONGEST_DELAY)


def deliver(session: Session, score_id: int, client: AgsClient, now: datetime) -> str:
    """Send one queued score: SENT, RETRY (later, with backoff), FAILED (gave up) or SKIPPED. The caller commits."""
    score = session.get(LtiScore, score_id)
    if score is None or score.sent_at is not None or score.failed_at is not None:
        return SKIPPED
    link = score.link
    if link.lineitem_url is None:  # queued only for links with a line item (queue_score)
        raise ValueError(f"lti score {score.id} has a link without a line item")
    score.attempts += 1
    try:
        client.post_score(link.platform, link.lineitem_url, payload(score))
    except DeliveryError as exc:
        score.last_error = str(exc)[:300]
        if score.attempts >= MAX_ATTEMPTS:
            score.failed_at = now
            session.flush()
            return FAILED
        score.next_attempt_at = now + retry_delay(score.attempts)
        session.flush()
        return RETRY
    score.sent_at = now
    score.last_error = None
    session.flush()
    return SENT
