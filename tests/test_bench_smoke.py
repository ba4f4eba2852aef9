"""`make bench QUICK=1` in small: the runner writes a results block with the date, the machine and real figures."""

from __future__ import annotations

import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from .conftest import IN_CI

ROOT = Path(__file__).resolve().parent.parent
sys.path.append(str(ROOT / "bench"))  # after everything else: the scripts never shadow a module

import run_all  # noqa: E402  (bench/run_all.py)


def needs(tool: str, found: str | None) -> None:
    """A missing wrk or nginx is skipped outside CI and fails in CI (`make test` installs both)."""
    if found is None:
        message = f"{tool} is not installed (make test installs it with apt-get install -y {tool})"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "?"


def test_quick_run_writes_the_results_block(tmp_path: Path) -> None:
    needs("wrk", shutil.which("wrk"))
    needs("nginx", shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin"))
    doc = tmp_path / "performance.md"
    original = (ROOT / "docs" / "performance.md").read_text()
    doc.write_text(original)
    command = [sys.executable, "bench/run_all.py", "--quick", "--only", "content,static"]
    completed = subprocess.run(
        [*command, "--doc", str(doc), "--out", str(tmp_path / "json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]

    text = doc.read_text()
    assert text.count(run_all.START) == 1 and text.count(run_all.END) == 1
    assert text.split(run_all.START)[0] == original.split(run_all.START)[0]  # the hand-written text is kept
    assert text.split(run_all.END)[1] == original.split(run_all.END)[1]
    block = text.split(run_all.START)[1].split(run_all.END)[0]
    sections = dict(re.findall(r"<!-- bench:(\w+) -->\n(.*?)<!-- /bench:\1 -->", block, re.DOTALL))
    assert {"content", "static"} <= set(sections)
    for name in ("content", "static"):
        section = sections[name]
        assert f"- date: {datetime.now(UTC):%Y-%m-%d}" in section
        assert f"{os.cpu_count()} cores ({cpu_model()})" in section
        assert f"Python {platform.python_version()}" in section and f"SQLite {sqlite3.sqlite_version}" in section
        assert "PostgreSQL " in section and "git " in section and "load average " in section
        assert "Quick smoke run" in section
        assert f"`.venv/bin/python bench/{run_all.BY_NAME[name].script} " in section or sys.executable in section
        assert "--json " in section and "exit status 0" in section
    # Real figures: every module's load time, and both servers' requests/s for the same file.
    assert "| load_catalog (all modules): load (read) of " in sections["content"]
    assert re.search(r"\| content problems \| none \| \d+ \| 0 \(4 modules kept\) \| 0 \| met \|", sections["content"])
    for server in ("nginx", "gunicorn"):
        row = re.search(rf"\| /static/css/app\.css from {server} \| none \| \d+ \| (\d+) req/s, p50 ", block)
        assert row and int(row.group(1)) > 0, sections["static"]
    assert re.search(r"\| gunicorn/nginx requests/s \| none \| \d+ \| \d+\.\d+ \(rounds ", sections["static"])
    assert (tmp_path / "json" / "static.json").is_file() and (tmp_path / "json" / "content.json").is_file()


def section(name: str, value: str) -> str:
    return f"<!-- bench:{name} -->\n### {name}\n{value}\n<!-- /bench:{name} -->\n"


def test_a_rerun_replaces_only_its_own_sections(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text(
        f"# Performance\n\nHow to run.\n\n{run_all.START}\n{section('web', 'old web')}\n{section('static', 'old')}"
        f"{run_all.END}\n\nHistory.\n"
    )
    run_all.write_results(doc, {"static": section("static", "new"), "content": section("content", "new")}, doc)
    text = doc.read_text()
    assert text.startswith("# Performance\n\nHow to run.\n\n") and text.endswith(f"{run_all.END}\n\nHistory.\n")
    assert "old web" in text and "\nold\n" not in text
    assert text.index("### web") < text.index("### static") < text.index("### content")  # the runner's order
    assert text.count("### static") == 1


def test_a_document_without_the_block_gets_one_at_the_end(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\nText.\n")
    run_all.write_results(doc, {"xapi": section("xapi", "figures")}, doc)
    block = f"{run_all.START}\n{section('xapi', 'figures')}{run_all.END}\n"
    assert doc.read_text() == f"# Performance\n\nText.\n\n## Results\n\n{block}"


def test_a_copy_takes_the_current_hand_written_text_and_keeps_its_own_figures(tmp_path: Path) -> None:
    """`--quick` writes to a copy of the page: its earlier figures stay, the text around them follows the page."""
    page, copy = tmp_path / "performance.md", tmp_path / "copy.md"
    page.write_text(f"# New text\n\n{run_all.START}\n{section('web', 'page figures')}{run_all.END}\nNew end.\n")
    copy.write_text(f"# Old text\n\n{run_all.START}\n{section('roster', 'quick figures')}{run_all.END}\nOld end.\n")
    run_all.write_results(copy, {"static": section("static", "quick static")}, page)
    text = copy.read_text()
    assert text.startswith("# New text\n\n") and text.endswith("New end.\n") and "Old" not in text
    assert "quick figures" in text and "quick static" in text and "page figures" not in text
