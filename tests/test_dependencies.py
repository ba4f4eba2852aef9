"""Every dependency is pinned to the version the suite passed with, and the XML of uploaded workbooks is defused."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def pins() -> dict[str, str]:
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    return {_name(line): line.split("==", 1)[1] for line in lines if line and not line.startswith("#")}


def test_every_dependency_is_pinned_and_installed_at_its_pin() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    pinned = pins()
    missing = sorted(_name(r) for r in wanted if _name(r) not in pinned)
    assert not missing, f"add to constraints.txt: {missing}"
    drifted = {name: (pin, version(name)) for name, pin in pinned.items() if version(name) != pin}
    assert not drifted, f"installed versions differ from constraints.txt: {drifted}"


def test_the_lock_says_when_it_was_refreshed() -> None:
    assert re.search(r"^# Lock refreshed \d{4}-\d{2}-\d{2}", (ROOT / "constraints.txt").read_text(), re.MULTILINE)


def test_uploaded_workbooks_are_parsed_with_defused_xml() -> None:
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True
