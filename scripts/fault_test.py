"""Nothing lost: learners complete lessons and hand in assessments through two instances while a worker dies and
PostgreSQL restarts; afterwards every acknowledged write is in the database once.

    python -m scripts.fault_test            # or: make fault-test

Everything runs on 127.0.0.1 and stops by itself: a PostgreSQL cluster of its own (initdb in a temporary folder, on a
free port; the machine's shared PostgreSQL is never touched), a fresh database migrated once, two gunicorn instances
(scripts/cluster.py), and a fixed plan of requests per learner. Each learner thread sends its requests to the
instances in turn and keeps a ledger of the writes acknowledged with success (a redirect after the POST); a failed
request is sent again after a short pause, as a person would click again. When a quarter of the planned writes is
acknowledged, one gunicorn worker of instance A gets SIGKILL; at half, PostgreSQL is restarted (pg_ctl restart -m fast).

Then the database is compared with the ledgers: missing (acknowledged but not there) and duplicates (there more than
once) must both be 0, no request may hang (each has a 15 s limit), and every failed request must have had a clear
answer: 503 with Retry-After from the app, or a refused/reset connection from the killed worker. Exit status 1 if not.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # `python scripts/fault_test.py` as well as `python -m scripts.fault_test`
    sys.path.insert(0, str(REPO))

from scripts.cluster import (  # noqa: E402
    LEARNER_PASSWORD,
    Cluster,
    PrivatePostgres,
    add_learners,
    cluster,
    fresh_database,
    private_postgres,
)
from scripts.learner_client import Learner, Outcome  # noqa: E402

LESSONS_MODULE = "c-melden-en-steun"  # lessons only
ASSESSED_MODULE = "a-herkennen"  # lessons and a graded assessment
ROUNDS = 2  # assessment attempts per learner
RETRY_PAUSE = 0.25
MAX_TRIES = 120  # 30 s of retries for one step at most
RUN_LIMIT = 120.0  # the whole load stops after this many seconds, finished or not
CLEAR_FAILURES = frozenset({"503 with Retry-After", "connection error"})


@dataclass
class Ledger:
    """What the server acknowledged, and every failure seen, shared by the learner threads."""

    lessons: set[tuple[int, str, str]] = field(default_factory=set)
    submissions: dict[int, tuple[int, frozenset[str], bool]] = field(default_factory=dict)  # attempt id: (person,
    # questions, passed)
    failures: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    gave_up: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def acknowledged(self) -> int:
        return len(self.lessons) + len(self.submissions)

    def count(self, outcome: Outcome) -> None:
        with self.lock:
            self.requests += 1
            if not outcome.ok:
                self.failures[outcome.kind] += 1


@dataclass
class Faults:
    """When the faults happened, in seconds from the start of the load."""

    worker_killed_at: float | None = None
    killed_pid: int | None = None
    killed_while_running: bool | None = None
    workers_after: int | None = None
    restart_at: float | None = None
    restart_seconds: float | None = None
    error: str | None = None


def _correct_answers() -> dict[str, frozenset[str]]:
    """Question id: the right option ids of the assessed module (from the content, as the author wrote them)."""
    from elearning.content import load_catalog

    module = load_catalog(REPO / "content" / "modules").modules[ASSESSED_MODULE]
    if module.assessment is None:
        raise RuntimeError(f"{ASSESSED_MODULE} has no assessment")
    text = module.assessment.text("en")
    return {question.id: question.correct_ids for question in text.questions}


def _lessons(module: str) -> list[str]:
    from elearning.content import load_catalog

    return [lesson.slug for lesson in load_catalog(REPO / "content" / "modules").modules[module].lessons]


class LearnerRun:
    """One learner's fixed plan, each step retried until acknowledged (or given up after MAX_TRIES)."""

    def __init__(self, person_id: int, email: str, running: Cluster, ledger: Ledger, deadline: float):
        self.person_id = person_id
        self.learner = Learner(email, LEARNER_PASSWORD)
        self.bases = [instance.base for instance in running.instances]
        self.turn = person_id
        self.ledger = ledger
        self.deadline = deadline

    def base(self) -> str:
        self.turn += 1
        return self.bases[self.turn % len(self.bases)]

    def step(self, action: Callable[[str], Outcome]) -> Outcome:
        outcome = Outcome("not tried")
        for _ in range(MAX_TRIES):
            if time.monotonic() > self.deadline:
                break
            outcome = action(self.base())
            if outcome.ok and "/auth/login" in outcome.location:
                outcome = Outcome("sent to the login page")
            self.ledger.count(outcome)
            if outcome.ok:
                return outcome
            time.sleep(RETRY_PAUSE)
        with self.ledger.lock:
            self.ledger.gave_up += 1
        return outcome

    def run(self, lessons: dict[str, list[str]], correct: dict[str, frozenset[str]]) -> None:
        if not self.step(self.learner.log_in).ok:
            return
        for module in (LESSONS_MODULE, ASSESSED_MODULE):
            for lesson in lessons[module]:
                if self.step(lambda base, m=module, s=lesson: self.learner.mark_done(base, m, s)).ok:
                    with self.ledger.lock:
                        self.ledger.lessons.add((self.person_id, module, lesson))
        for round_number in range(ROUNDS):
            self.assessment(correct, pass_it=round_number == 0)

    def assessment(self, correct: dict[str, frozenset[str]], *, pass_it: bool) -> None:
        attempt: list[int] = []

        def start(base: str) -> Outcome:
            outcome, attempt_id = self.learner.start_attempt(base, ASSESSED_MODULE)
            if outcome.ok and attempt_id is None:
                return Outcome("no attempt in the redirect")
            attempt[:] = [attempt_id] if attempt_id is not None else []
            return outcome

        if not self.step(start).ok:
            return
        questions: dict[str, list[str]] = {}

        def show(base: str) -> Outcome:
            outcome, shown = self.learner.attempt_questions(base, ASSESSED_MODULE, attempt[0])
            questions.update(shown)
            return outcome if shown or not outcome.ok else Outcome("no questions on the attempt page")

        if not self.step(show).ok:
            return
        answers = {
            question: sorted(correct[question]) if pass_it else [next(o for o in options if o not in correct[question])]
            for question, options in questions.items()
        }
        if self.step(lambda base: self.learner.submit(base, ASSESSED_MODULE, attempt[0], answers)).ok:
            with self.ledger.lock:
                self.ledger.submissions[attempt[0]] = (self.person_id, frozenset(questions), pass_it)


def inject_faults(
    running: Cluster,
    postgres: PrivatePostgres,
    ledger: Ledger,
    planned: int,
    started: float,
    done: threading.Event,
    faults: Faults,
) -> None:
    """Kill one worker at a quarter of the planned writes, restart PostgreSQL at half."""
    try:
        while ledger.acknowledged < planned // 4 and not done.is_set():
            time.sleep(0.02)
        if done.is_set():
            return
        faults.killed_pid, faults.killed_while_running = running.instances[0].kill_one_worker()
        faults.worker_killed_at = time.monotonic() - started
        while ledger.acknowledged < planned // 2 and not done.is_set():
            time.sleep(0.02)
        if done.is_set():
            return
        faults.restart_at = time.monotonic() - started
        postgres.restart()
        faults.restart_seconds = time.monotonic() - started - faults.restart_at
    except Exception as exc:  # reported with the counts: a fault that was not injected fails the run
        faults.error = f"{type(exc).__name__}: {exc}"


def check_database(url: str, ledger: Ledger, lessons: dict[str, list[str]]) -> dict[str, int]:
    """Missing and duplicate rows for every acknowledged write, and the completions those writes must have made."""
    from sqlalchemy import create_engine, func, select

    from elearning.models import AssessmentAnswer, AssessmentAttempt, LessonProgress, ModuleCompletion

    engine = create_engine(url)
    missing = duplicates = completions_expected = 0
    try:
        with engine.connect() as connection:
            progress = Counter(
                {
                    (person, module, lesson): count
                    for person, module, lesson, count in connection.execute(
                        select(
                            LessonProgress.person_id,
                            LessonProgress.module_slug,
                            LessonProgress.lesson_slug,
                            func.count(),
                        ).group_by(LessonProgress.person_id, LessonProgress.module_slug, LessonProgress.lesson_slug)
                    )
                }
            )
            for key in ledger.lessons:
                missing += progress[key] == 0
                duplicates += max(progress[key] - 1, 0)
            attempts = {
                row.id: row
                for row in connection.execute(
                    select(
                        AssessmentAttempt.id,
                        AssessmentAttempt.person_id,
                        AssessmentAttempt.submitted_at,
                        AssessmentAttempt.passed,
                    )
                )
            }
            answers = Counter(
                {
                    (attempt_id, question): count
                    for attempt_id, question, count in connection.execute(
                        select(AssessmentAnswer.attempt_id, AssessmentAnswer.question_id, func.count()).group_by(
                            AssessmentAnswer.attempt_id, AssessmentAnswer.question_id
                        )
                    )
                }
            )
            for attempt_id, (person, questions, passed) in ledger.submissions.items():
                row = attempts.get(attempt_id)
                stored = row is not None and row.person_id == person and row.submitted_at is not None
                stored = stored and all(answers[(attempt_id, q)] >= 1 for q in questions) and row.passed == passed
                missing += not stored
                duplicates += sum(max(answers[(attempt_id, q)] - 1, 0) for q in questions)
            # One completion per person and module, for every learner whose acknowledged writes complete a module.
            completed = Counter(
                {
                    (person, module): count
                    for person, module, count in connection.execute(
                        select(ModuleCompletion.person_id, ModuleCompletion.module_slug, func.count()).group_by(
                            ModuleCompletion.person_id, ModuleCompletion.module_slug
                        )
                    )
                }
            )
            people = {person for person, _, _ in ledger.lessons}
            passed_by = {person for person, _, passed in ledger.submissions.values() if passed}
            for person in people:
                for module in (LESSONS_MODULE, ASSESSED_MODULE):
                    all_done = all((person, module, lesson) in ledger.lessons for lesson in lessons[module])
                    if all_done and (module == LESSONS_MODULE or person in passed_by):
                        completions_expected += 1
                        missing += completed[(person, module)] == 0
                duplicates += sum(
                    max(completed[(person, module)] - 1, 0) for module in (LESSONS_MODULE, ASSESSED_MODULE)
                )
            submitted_rows = sum(1 for row in attempts.values() if row.submitted_at is not None)
    finally:
        engine.dispose()
    return {
        "missing": missing,
        "duplicates": duplicates,
        "completions_expected": completions_expected,
        "submitted_attempts_in_database": submitted_rows,
    }


def run(learners: int = 12, instances: int = 2, workers: int = 2) -> dict[str, Any]:
    """The whole fault test; returns its figures (see main for what fails it)."""
    lessons = {module: _lessons(module) for module in (LESSONS_MODULE, ASSESSED_MODULE)}
    correct = _correct_answers()
    planned = learners * (len(lessons[LESSONS_MODULE]) + len(lessons[ASSESSED_MODULE]) + ROUNDS)
    ledger, faults = Ledger(), Faults()
    with private_postgres() as postgres, fresh_database(postgres.admin_url, "fault") as url:
        people = add_learners(url, learners)
        with cluster(url, instances=instances, workers=workers) as running:
            started = time.monotonic()
            deadline = started + RUN_LIMIT
            done = threading.Event()
            faulter = threading.Thread(
                target=inject_faults, args=(running, postgres, ledger, planned, started, done, faults), daemon=True
            )
            threads = [
                threading.Thread(
                    target=LearnerRun(person_id, email, running, ledger, deadline).run, args=(lessons, correct)
                )
                for person_id, email in people
            ]
            faulter.start()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=RUN_LIMIT + 60)
            done.set()
            faulter.join(timeout=120)
            seconds = time.monotonic() - started
            faults.workers_after = len(running.instances[0].worker_pids())  # the master replaced the killed one
            unfinished = sum(thread.is_alive() for thread in threads)
            checked = check_database(url, ledger, lessons)
        server = f"PostgreSQL on 127.0.0.1:{postgres.port} (private)"
    failures = dict(sorted(ledger.failures.items()))
    unclear = {kind: n for kind, n in failures.items() if kind not in CLEAR_FAILURES}
    return {
        "setup": f"{instances} gunicorn instances x {workers} workers, {learners} learners, {server}",
        "seconds": round(seconds, 1),
        "faults": faults.__dict__,
        "requests": ledger.requests,
        "acknowledged": {
            "lessons": len(ledger.lessons),
            "submissions": len(ledger.submissions),
            "planned": planned,
        },
        "failures": failures,
        "hangs": failures.get("timeout", 0) + unfinished,
        "unclear_failures": sum(unclear.values()),
        "gave_up": ledger.gave_up,
        **checked,
    }


def problems(report: dict[str, Any]) -> list[str]:
    """Why the run fails; empty when nothing was lost, nothing doubled, nothing hung and the faults happened."""
    found = []
    if report["missing"]:
        found.append(f"{report['missing']} acknowledged writes missing")
    if report["duplicates"]:
        found.append(f"{report['duplicates']} duplicate rows")
    if report["hangs"]:
        found.append(f"{report['hangs']} requests hung")
    if report["unclear_failures"]:
        found.append(f"{report['unclear_failures']} failures without a clear answer")
    if report["gave_up"]:
        found.append(f"{report['gave_up']} steps given up")
    faults = report["faults"]
    if faults["error"] or faults["worker_killed_at"] is None or faults["restart_at"] is None:
        found.append(f"the faults were not both injected ({faults['error'] or 'the load ended first'})")
    return found


def print_report(report: dict[str, Any]) -> None:
    faults = report["faults"]
    print(f"fault test: {report['setup']}; load ran {report['seconds']} s")
    if faults["worker_killed_at"] is not None:
        doing = "while on the CPU" if faults["killed_while_running"] else "while idle"
        print(
            f"  worker {faults['killed_pid']} of instance A killed (SIGKILL) at {faults['worker_killed_at']:.1f} s "
            f"{doing}; instance A has {faults['workers_after']} workers again afterwards"
        )
    if faults["restart_at"] is not None and faults["restart_seconds"] is not None:
        print(
            f"  PostgreSQL restarted (pg_ctl restart -m fast) at {faults['restart_at']:.1f} s, "
            f"took {faults['restart_seconds']:.1f} s"
        )
    acknowledged = report["acknowledged"]
    print(f"  requests sent: {report['requests']}")
    print(
        f"  acknowledged writes: {acknowledged['lessons']} lessons done + {acknowledged['submissions']} assessment "
        f"submissions (planned {acknowledged['planned']}); "
        f"module completions expected: {report['completions_expected']}"
    )
    failures = ", ".join(f"{kind}: {n}" for kind, n in report["failures"].items()) or "none"
    print(f"  failed requests (each sent again): {failures}")
    print(f"  hangs: {report['hangs']}; unclear failures: {report['unclear_failures']}; given up: {report['gave_up']}")
    print(f"  missing: {report['missing']}")
    print(f"  duplicates: {report['duplicates']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON as well")
    args = parser.parse_args(argv)
    report = run(learners=args.learners, workers=args.workers)
    print_report(report)
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    found = problems(report)
    print("FAILED: " + "; ".join(found) if found else "PASSED: nothing lost, nothing twice, nothing hung")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
