"""`make lint` inside the suite: ruff, mypy and bandit, run exactly as the Makefile's lint target runs them."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def lint_commands() -> list[str]:
    """The recipe lines of the Makefile's `lint:` target, with $(BIN) made the running virtualenv's bin folder."""
    recipe = re.search(r"^lint:[^\n]*\n((?:\t[^\n]*\n)+)", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert recipe, "the Makefile has no lint target"
    lines = [line.strip() for line in recipe.group(1).splitlines()]
    return [line.replace("$(BIN)", str(BIN)) for line in lines if line and not line.startswith("@#")]


def test_lint_runs_ruff_mypy_and_bandit() -> None:
    tools = [Path(shlex.split(command)[0]).name for command in lint_commands()]
    assert tools[:2] == ["ruff", "mypy"]
    assert tools.count("bandit") == 2  # the deployed code with every check; the benchmarks apart


@pytest.mark.parametrize("command", lint_commands(), ids=lambda command: " ".join(shlex.split(command)[:2]))
def test_lint_passes(command: str) -> None:
    result = subprocess.run(shlex.split(command), cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"


def test_bandit_finds_what_it_should(tmp_path: Path) -> None:
    """The scan is live: an unexplained finding fails it, the same finding with `# nosec` and its id passes."""
    bandit = [str(BIN / "bandit"), "-q", "-c", str(ROOT / "pyproject.toml")]
    source = tmp_path / "sample.py"
    source.write_text("import os\n\nos.system('ls ' + input())\n")
    found = subprocess.run([*bandit, str(source)], capture_output=True, text=True, check=False)
    assert found.returncode == 1 and "B605" in found.stdout
    source.write_text("import os\n\nos.system('ls ' + input())  # a reason  # nosec B605\n")
    quiet = subprocess.run([*bandit, str(source)], capture_output=True, text=True, check=False)
    assert quiet.returncode == 0, quiet.stdout
