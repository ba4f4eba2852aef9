"""Two gunicorn instances on one PostgreSQL: a login on one works on the other, and writes through both add up.

`make scale-test` runs this file verbosely. The instances are real gunicorn masters with deploy/gunicorn.conf.py on
free loopback ports (scripts/cluster.py), sharing the secret key and the database, as behind a load balancer.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, func, select

from elearning.content import load_catalog
from elearning.migrate import upgrade
from elearning.models import LessonProgress, LoginSession, ModuleCompletion
from scripts.cluster import LEARNER_PASSWORD, REPO, Cluster, add_learners, cluster
from scripts.learner_client import Learner

from .conftest import postgres_database

MODULE = "c-melden-en-steun"
LEARNERS = 6


@pytest.fixture(scope="module")
def running() -> Iterator[tuple[Cluster, list[tuple[int, str]]]]:
    for url in postgres_database():
        upgrade(url)  # once, before the instances start, as a deployment does
        learners = add_learners(url, LEARNERS)
        with cluster(url, instances=2, workers=2) as started:
            yield started, learners


def lessons() -> list[str]:
    return [lesson.slug for lesson in load_catalog(REPO / "content" / "modules").modules[MODULE].lessons]


def test_a_session_started_on_one_instance_works_on_the_other(running: tuple[Cluster, list[tuple[int, str]]]) -> None:
    started, learners = running
    a, b = started.instances
    learner = Learner(learners[0][1], LEARNER_PASSWORD)
    assert learner.log_in(a.base).ok
    on_b = learner.request("GET", f"{b.base}/learn/")
    assert on_b.ok and on_b.location == "" and "Learner 0" in on_b.body  # the dashboard, not a redirect to login
    # A form token from instance A is accepted by instance B, and B's write is seen on A.
    assert learner.mark_done(b.base, MODULE, lessons()[0]).ok
    module_page = learner.request("GET", f"{a.base}/learn/{MODULE}/")
    assert module_page.ok and module_page.body.count('class="done-mark"') == 1
    # Logging out on B ends the session on A too: sessions live in the database, not in one server's memory.
    assert learner.request("POST", f"{b.base}/auth/logout", {"csrf_token": learner.csrf}).ok
    after = learner.request("GET", f"{a.base}/learn/")
    assert after.ok and "/auth/login" in after.location


def test_writes_through_both_instances_are_consistent(running: tuple[Cluster, list[tuple[int, str]]]) -> None:
    started, learners = running
    a, b = started.instances
    slugs = lessons()
    people = []
    for person_id, email in learners[1:]:
        learner = Learner(email, LEARNER_PASSWORD)
        assert learner.log_in(a.base if person_id % 2 else b.base).ok
        people.append((person_id, learner))

    def mark(job: tuple[Learner, str, str]) -> bool:
        learner, base, lesson = job
        return learner.mark_done(base, MODULE, lesson).ok

    # Every lesson is sent to both instances at the same moment, as a double click behind a load balancer would.
    jobs = [(learner, base, lesson) for _, learner in people for lesson in slugs for base in (a.base, b.base)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(mark, jobs))
    assert all(results), results.count(False)

    engine = create_engine(started.database_url)
    try:
        with engine.connect() as connection:
            ids = [person_id for person_id, _ in people]
            per_lesson = connection.execute(
                select(LessonProgress.person_id, LessonProgress.lesson_slug, func.count())
                .where(LessonProgress.person_id.in_(ids), LessonProgress.module_slug == MODULE)
                .group_by(LessonProgress.person_id, LessonProgress.lesson_slug)
            ).all()
            completions = connection.execute(
                select(ModuleCompletion.person_id, func.count())
                .where(ModuleCompletion.person_id.in_(ids), ModuleCompletion.module_slug == MODULE)
                .group_by(ModuleCompletion.person_id)
            ).all()
            sessions = connection.scalar(select(func.count()).select_from(LoginSession))
    finally:
        engine.dispose()
    assert sorted((p, lesson) for p, lesson, _ in per_lesson) == sorted((p, s) for p in ids for s in slugs)  # all
    assert {count for *_, count in per_lesson} == {1}  # none twice
    assert sorted(completions) == [(p, 1) for p in sorted(ids)]  # each module completed exactly once
    assert sessions is not None and sessions >= len(people)
    # What was written through B is read through A and the other way round.
    for person_id, learner in people:
        base = a.base if person_id % 2 == 0 else b.base
        page = learner.request("GET", f"{base}/learn/{MODULE}/")
        assert page.ok and page.body.count('class="done-mark"') == len(slugs)
