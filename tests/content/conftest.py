"""Fixtures of the content-layer tests: the valid example module and the broken ones."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
VALID_ROOT = FIXTURES / "valid"
BROKEN_ROOT = FIXTURES / "broken"
VALID_SLUG = "a-voorbeeld"


@pytest.fixture
def valid_root() -> Path:
    return VALID_ROOT


@pytest.fixture
def copied_root(tmp_path: Path) -> Path:
    """A writable copy of the valid content root."""
    root = tmp_path / "modules"
    shutil.copytree(VALID_ROOT, root)
    return root
