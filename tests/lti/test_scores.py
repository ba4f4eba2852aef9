"""Results back to the simulated LMS's gradebook (AGS): queued with the learner's work, sent by the cron job."""

from __future__ import annotations

import random
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearning.models import LtiPlatform, LtiScore, utcnow
from elearning.services import assessment, progress
from elearning.services.lti import delivery
from elearning.services.lti.claims import SCORE_SCOPE

from ..conftest import World
from .conftest import launch
from .platform import Platform


def _send(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["lti", "send-scores"])
    assert result.exit_code == 0, result.output
    return result.output


def _complete_basis(app: Flask, db: Session, world: World) -> None:
    catalog = app.extensions["catalog"].get()
    for lesson in catalog.module("basis").lessons:
        progress.mark_lesson_done(db, catalog, world.employee, "basis", lesson.slug)
    db.commit()


def _scores(db: Session) -> list[LtiScore]:
    db.expire_all()
    return list(db.scalars(select(LtiScore).order_by(LtiScore.id)))


def test_a_completed_module_reaches_the_gradebook(
    app: Flask, client: FlaskClient, db: Session, world: World, platform: Platform, registered: LtiPlatform
) -> None:
    assert launch(client, platform).status_code == 303
    assert _scores(db) == []  # launched, nothing done yet: nothing to report
    assert "sent 0 score(s)" in _send(app)

    _complete_basis(app, db, world)
    [queued] = _scores(db)
    assert (queued.score_given, queued.score_maximum, queued.activity_progress) == (100.0, 100.0, "Completed")
    assert platform.scores == []  # the learner's request sent nothing: the job does

    assert "sent 1 score(s)" in _send(app)

    [received] = platform.scores
    assert received["path"] == "/lineitems/7/lineitem/scores" and received["query"] == "type_id=1"
    assert received["userId"] == "moodle-user-42"
    assert received["scoreGiven"] == 100.0 and received["scoreMaximum"] == 100.0
    assert received["activityProgress"] == "Completed" and received["gradingProgress"] == "FullyGraded"
    assert received["timestamp"].endswith("Z")
    [token_request] = platform.token_requests  # checked by the platform against the tool's /lti/jwks
    # (the platform also refused any media type but application/vnd.ims.lis.v1.score+json)
    assert token_request["scope"] == SCORE_SCOPE and token_request["grant_type"] == "client_credentials"
    assert _scores(db)[0].sent_at is not None
    assert "sent 0 score(s)" in _send(app)  # nothing twice
    assert len(platform.scores) == 1


def test_an_assessment_score_goes_back_whether_passed_or_not(
    app: Flask, client: FlaskClient, db: Session, world: World, platform: Platform, registered: LtiPlatform
) -> None:
    from elearning.services.lti import claims as c

    assert launch(client, platform, **{c.CUSTOM: {"module": "toets"}}).status_code == 303
    catalog = app.extensions["catalog"].get()
    attempt = assessment.start(db, catalog, world.employee, "toets", random.Random(1))
    wrong = {q: [next(o for o in opts if o not in _correct(catalog, q))] for q, opts in attempt.layout.items()}
    assessment.submit(db, catalog, world.employee, "toets", attempt.id, wrong)
    db.commit()
    [failed] = _scores(db)
    assert failed.activity_progress == "Submitted" and failed.score_given < 100

    second = assessment.start(db, catalog, world.employee, "toets", random.Random(2))
    right = {q: sorted(_correct(catalog, q)) for q in second.layout}
    assessment.submit(db, catalog, world.employee, "toets", second.id, right)
    db.commit()
    waiting = [s for s in _scores(db) if s.sent_at is None]
    assert len(waiting) == 1  # the newer result replaced the one still waiting
    assert waiting[0].score_given == 100.0
    _send(app)
    assert [s["scoreGiven"] for s in platform.scores] == [100.0]


def _correct(catalog: object, question_id: str) -> frozenset[str]:
    module = catalog.module("toets")  # type: ignore[attr-defined]
    return module.assessment.text("nl").question(question_id).correct_ids  # type: ignore[no-any-return]


def test_a_result_from_before_the_launch_is_sent_at_launch(
    app: Flask, client: FlaskClient, db: Session, world: World, platform: Platform, registered: LtiPlatform
) -> None:
    _complete_basis(app, db, world)
    assert launch(client, platform).status_code == 303
    [queued] = _scores(db)
    assert queued.activity_progress == "Completed"


def test_an_unavailable_lms_never_troubles_the_learner_and_is_tried_again(
    app: Flask, client: FlaskClient, db: Session, world: World, platform: Platform, registered: LtiPlatform
) -> None:
    assert launch(client, platform).status_code == 303
    platform.fail_scores = 1
    _complete_basis(app, db, world)  # the learner's own requests never talk to the LMS

    assert "1 to retry later" in _send(app)
    [score] = _scores(db)
    assert score.attempts == 1 and score.sent_at is None and score.last_error == "score: HTTP 503"
    assert score.next_attempt_at > utcnow() + timedelta(seconds=30)
    assert "sent 0 score(s)" in _send(app)  # not due yet

    score.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.commit()
    assert "sent 1 score(s)" in _send(app)
    assert len(platform.scores) == 1


def test_a_score_is_given_up_after_the_last_attempt(
    app: Flask, client: FlaskClient, db: Session, world: World, platform: Platform, registered: LtiPlatform
) -> None:
    assert launch(client, platform).status_code == 303
    _complete_basis(app, db, world)
    [score] = _scores(db)
    score.attempts = delivery.MAX_ATTEMPTS - 1
    db.commit()
    platform.fail_scores = 1
    assert "1 given up" in _send(app)
    [score] = _scores(db)
    assert score.failed_at is not None
    admin_page = _admin_page(app, world)
    assert "Moodle" in admin_page


def _admin_page(app: Flask, world: World) -> str:
    from ..conftest import login

    client = app.test_client()
    login(client, world.admin.email)
    return client.get("/admin/lti").get_data(as_text=True)


def test_a_switched_off_platform_gets_no_scores(
    app: Flask, client: FlaskClient, db: Session, world: World, platform: Platform, registered: LtiPlatform
) -> None:
    assert launch(client, platform).status_code == 303
    _complete_basis(app, db, world)
    registered.active = False
    db.commit()
    assert "sent 0 score(s)" in _send(app)
    assert platform.scores == []


def test_a_token_refused_by_the_lms_is_retried_later(
    app: Flask, client: FlaskClient, db: Session, world: World, platform: Platform, registered: LtiPlatform
) -> None:
    assert launch(client, platform).status_code == 303
    _complete_basis(app, db, world)
    platform.tool_jwks = {"keys": []}  # the LMS does not (yet) know the tool's key
    assert "1 to retry later" in _send(app)
    assert _scores(db)[0].last_error == "token: HTTP 401"


def test_send_scores_without_a_tool_key_says_what_to_do(app: Flask, tmp_path: object) -> None:
    app.config["LTI_KEY_FILE"] = "/nonexistent/lti.pem"
    result = app.test_cli_runner().invoke(args=["lti", "send-scores"])
    assert result.exit_code != 0
    assert "flask lti generate-key" in result.output


def test_scores_url_keeps_the_query() -> None:
    assert delivery.scores_url("https://lms/x/lineitem?type_id=1") == "https://lms/x/lineitem/scores?type_id=1"
    assert delivery.scores_url("https://lms/items/3/") == "https://lms/items/3/scores"
