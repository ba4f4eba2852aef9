"""The layers point one way: content is pure, models know no Flask, services never touch the request."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "elearning"


def _imported_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return {name.split(".")[0] for name in result.stdout.split()}


def test_models_import_no_flask() -> None:
    assert "flask" not in _imported_after("import elearning.models")


def test_a_worker_loads_no_library_it_uses_only_now_and_then() -> None:
    """Memory per worker: documents, spreadsheets and the SSO/LTI HTTP and JOSE stacks load when first used."""
    loaded = _imported_after(
        "from elearning import create_app; create_app({'SECRET_KEY': 'x' * 40, 'DATABASE_URL': 'sqlite://'})"
    )
    heavy = {"fpdf", "PIL", "openpyxl", "xlsxwriter", "requests", "urllib3", "authlib", "joserfc", "cryptography"}
    assert not heavy & loaded


@pytest.mark.parametrize("module", sorted(p.stem for p in (PACKAGE / "services").glob("*.py")))
def test_services_never_touch_the_request(module: str) -> None:
    source = (PACKAGE / "services" / f"{module}.py").read_text()
    for forbidden in ("from flask", "import flask", "request.", "import request", "commit()", "from ..web"):
        assert forbidden not in source, f"services/{module}.py uses {forbidden!r}"


def test_views_commit_and_services_flush() -> None:
    commits = [p for p in PACKAGE.rglob("*.py") if ".commit()" in p.read_text()]
    allowed = {"web", "cli"}
    assert all(allowed & set(p.relative_to(PACKAGE).parts) for p in commits), commits


def test_one_blueprint_per_noun() -> None:
    nouns = sorted(p.name for p in (PACKAGE / "web").iterdir() if (p / "views.py").exists())
    assert nouns == [
        "admin",
        "assignments",
        "auth",
        "author",
        "hr",
        "learn",
        "lti",
        "main",
        "me",
        "people",
        "team",
        "verify",
    ]


def _module_imports(package: Path) -> dict[str, set[str]]:
    """Module → the modules of the same package it imports (relative imports, TYPE_CHECKING ones too)."""
    import ast

    graph: dict[str, set[str]] = {}
    for path in package.glob("*.py"):
        targets = graph.setdefault(path.stem, set())
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                targets.update([node.module] if node.module else [alias.name for alias in node.names])
    return {module: {t.split(".")[0] for t in targets} & graph.keys() for module, targets in graph.items()}


def test_the_content_modules_import_each_other_one_way() -> None:
    graph = _module_imports(PACKAGE / "content")
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, f"import circle: {' → '.join((*path, module))}"
        if module not in done:
            for target in graph[module]:
                visit(target, (*path, module))
            done.add(module)

    for module in graph:
        visit(module, ())
