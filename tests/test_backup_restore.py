"""Backups: pg_dump (custom format) of a populated database restores with pg_restore into a fresh one, row for row.

The commands are the ones in docs/operations.md#backups.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from elearning.content import load_catalog
from elearning.migrate import upgrade
from elearning.models import AssessmentAttempt, Base, LessonProgress, ModuleCompletion, Person
from elearning.services.demo import load_demo
from scripts.cluster import REPO, libpq, server_tool

from .conftest import postgres_database


def _rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table (and the schema version), in primary-key order."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = {
                table.name: [
                    tuple(row) for row in connection.execute(select(table).order_by(*table.primary_key.columns))
                ]
                for table in Base.metadata.sorted_tables
            }
            tables["alembic_version"] = [tuple(r) for r in connection.execute(text("SELECT * FROM alembic_version"))]
    finally:
        engine.dispose()
    return tables


def test_a_dump_restores_into_a_fresh_database_with_every_row(tmp_path: Path) -> None:
    for source in postgres_database():
        upgrade(source)
        engine = create_engine(source)
        with Session(engine) as session:
            load_demo(session, load_catalog(REPO / "content" / "modules"))  # people, progress, completions, attempts
            session.commit()
            counts = {
                model.__name__: session.scalar(select(func.count()).select_from(model))
                for model in (Person, LessonProgress, ModuleCompletion, AssessmentAttempt)
            }
        engine.dispose()
        assert all(counts.values()), counts

        dump = tmp_path / "elearning.dump"
        subprocess.run(
            [server_tool("pg_dump"), "--format=custom", f"--file={dump}", libpq(source)], check=True, timeout=300
        )
        for target in postgres_database():  # a fresh, empty database, as after losing the server
            subprocess.run(
                [server_tool("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={libpq(target)}", str(dump)],
                check=True,
                timeout=300,
            )
            assert make_url(target).database != make_url(source).database
            before, after = _rows(source), _rows(target)
            assert {name: len(rows) for name, rows in after.items()} == {
                name: len(rows) for name, rows in before.items()
            }
            assert after == before
            restored = create_engine(target)
            with Session(restored) as session:  # and the restored database takes new writes (sequences restored)
                person = session.scalars(select(Person).limit(1)).one()
                session.add(
                    LessonProgress(person_id=person.id, module_slug="x", lesson_slug="new", content_version="v")
                )
                session.commit()
            restored.dispose()
