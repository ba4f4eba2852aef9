"""Nothing lost: the fault test (scripts/fault_test.py) finds every acknowledged write once, after a killed worker
and a PostgreSQL restart; and its check does count a write that is missing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from elearning.migrate import upgrade
from elearning.models import LessonProgress
from scripts import fault_test
from scripts.cluster import add_learners

from .conftest import IN_CI, postgres_database


def _server_tools_present() -> bool:
    return bool(shutil.which("initdb")) or any(Path("/usr/lib/postgresql").glob("*/bin/initdb"))


def test_no_acknowledged_write_is_lost_or_doubled_through_a_killed_worker_and_a_database_restart(
    capsys: pytest.CaptureFixture[str],
) -> None:
    if not _server_tools_present():
        message = "PostgreSQL's server programs (initdb, pg_ctl) are not installed"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    report = fault_test.run(learners=8)
    with capsys.disabled():
        print()
        fault_test.print_report(report)
    assert fault_test.problems(report) == []
    assert report["missing"] == 0 and report["duplicates"] == 0 and report["hangs"] == 0
    assert (
        report["acknowledged"]["lessons"] + report["acknowledged"]["submissions"] == report["acknowledged"]["planned"]
    )
    assert report["faults"]["worker_killed_at"] is not None and report["faults"]["restart_at"] is not None


def test_the_check_counts_a_missing_write_and_a_completion_that_is_not_there() -> None:
    for url in postgres_database():
        upgrade(url)
        ((person_id, _email),) = add_learners(url, 1)
        lessons = {fault_test.LESSONS_MODULE: ["01-a", "02-b"], fault_test.ASSESSED_MODULE: ["01-x"]}
        engine = create_engine(url)
        with Session(engine) as session:
            session.add(
                LessonProgress(
                    person_id=person_id, module_slug=fault_test.LESSONS_MODULE, lesson_slug="01-a", content_version="v1"
                )
            )
            session.commit()
        engine.dispose()
        ledger = fault_test.Ledger()
        ledger.lessons |= {
            (person_id, fault_test.LESSONS_MODULE, "01-a"),
            (person_id, fault_test.LESSONS_MODULE, "02-b"),
        }
        ledger.submissions[12345] = (person_id, frozenset({"q1"}), True)
        checked = fault_test.check_database(url, ledger, lessons)
        # 02-b was acknowledged but is not there; so is the submission; the lessons-only module's completion too.
        assert checked["missing"] == 3
        assert checked["duplicates"] == 0
        assert checked["completions_expected"] == 1
