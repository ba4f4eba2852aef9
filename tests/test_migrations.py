"""Alembic: one head, up/down/up on both databases, and models and migrations that agree."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from elearning.migrate import alembic_config, downgrade, upgrade
from elearning.models import Base

from .conftest import postgres_database


def test_there_is_exactly_one_head() -> None:
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, f"several Alembic heads, merge them: {heads}"


def test_migration_files_are_date_prefixed() -> None:
    versions = Path(__file__).resolve().parent.parent / "migrations" / "versions"
    names = [p.name for p in versions.glob("*.py")]
    assert names
    assert all(name[:8].isdigit() and name[8] == "_" for name in names), names


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
    else:
        yield from postgres_database()


def test_upgrade_downgrade_upgrade_and_no_diff(empty_database: str) -> None:
    engine = create_engine(empty_database)
    upgrade(empty_database)
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    assert diff == [], f"models and migrations differ; write a migration for: {diff}"

    downgrade(empty_database, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(empty_database)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_two_servers_upgrading_at_once_apply_each_migration_once() -> None:
    """Several app servers deploying at once: the advisory lock in migrations/env.py lets one migrate, one wait."""
    for url in postgres_database():
        script = "import sys; from elearning.migrate import upgrade; upgrade(sys.argv[1])"
        runs = [
            subprocess.Popen(
                [sys.executable, "-c", script, url], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
            for _ in range(2)
        ]
        outputs = [run.communicate(timeout=300)[0] for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outputs
        first = ScriptDirectory.from_config(alembic_config(url)).get_base()
        applied = sum(output.count(f"Running upgrade  -> {first}") for output in outputs)
        assert applied == 1, outputs
        engine = create_engine(url)
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        engine.dispose()
        head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
        assert versions == [head]
