"""deploy/ stays true: every file is named in docs/operations.md, and the jobs' units run commands that exist."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

import click
import pytest
from flask import Flask

from elearning import create_app

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
OPERATIONS = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")


def test_every_deploy_file_is_in_the_operations_guide() -> None:
    named = set(re.findall(r"deploy/[\w@./-]+", OPERATIONS))
    missing = []
    for path in sorted(p for p in DEPLOY.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        relative = path.relative_to(ROOT).as_posix()
        if relative not in named and relative.rsplit("/", 1)[0] + "/" not in named:
            missing.append(relative)
    assert not missing, missing


@pytest.fixture(scope="module")
def cli_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The app's command groups (no database needed to list them)."""
    folder = tmp_path_factory.mktemp("cli")
    return create_app(
        {"DATABASE_URL": f"sqlite:///{folder / 'cli.db'}", "INSTANCE_DIR": str(folder), "MAIL_BACKEND": "memory"}
    )


@pytest.mark.parametrize("unit", sorted((DEPLOY / "systemd").glob("elearning-*.service")), ids=lambda p: p.name)
def test_each_job_unit_runs_an_existing_command_with_a_timer(unit: Path, cli_app: Flask) -> None:
    app = cli_app
    exec_start = re.search(r"^ExecStart=(.+)$", unit.read_text(), re.MULTILINE)
    assert exec_start, unit
    words = shlex.split(exec_start.group(1))
    assert words[:3] == ["/srv/elearning/.venv/bin/flask", "--app", "wsgi"]
    group = app.cli.get_command(click.Context(app.cli), words[3])
    assert isinstance(group, click.Group), words[3]
    assert group.get_command(click.Context(group), words[4]) is not None, words[3:5]
    assert unit.with_suffix(".timer").is_file()


def test_pgbouncer_pools_per_transaction() -> None:
    config = configparser.ConfigParser()
    config.read(DEPLOY / "pgbouncer.ini")
    assert config["pgbouncer"]["pool_mode"] == "transaction"
    assert "ELEARNING_DB_PREPARED_STATEMENTS=false" in (DEPLOY / "pgbouncer.ini").read_text()
