"""The content layer is pure: importing any of its modules pulls in neither flask nor sqlalchemy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "elearning" / "content"

CODE = """
import importlib, pkgutil, sys
import elearning.content as package
for info in pkgutil.iter_modules(package.__path__):
    importlib.import_module(f"elearning.content.{info.name}")
print(" ".join(sorted(name for name in sys.modules if name.startswith("elearning.content"))))
print(" ".join(sorted({name.split(".")[0] for name in sys.modules} & {"flask", "sqlalchemy"})))
"""


def test_no_flask_or_sqlalchemy_in_the_content_package() -> None:
    result = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True)
    imported, forbidden = [*result.stdout.splitlines(), "", ""][:2]
    expected = {f"elearning.content.{p.stem}" for p in PACKAGE_DIR.glob("*.py") if p.stem != "__init__"}
    assert expected <= set(imported.split()), "not every module of the package was imported"
    assert forbidden == ""


def test_no_web_or_database_imports_in_the_source() -> None:
    for path in PACKAGE_DIR.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for word in ("import flask", "from flask", "import sqlalchemy", "from sqlalchemy"):
            assert word not in source, f"{path.name} contains {word!r}"
