"""The production server's access log leaves out the tokens of one-time links."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

CONFIG = Path(__file__).resolve().parent.parent / "deploy" / "gunicorn.conf.py"


def test_tokens_of_one_time_links_are_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELEARNING_WORKERS", "1")  # the config sets a default for the process; keep ours
    settings = runpy.run_path(str(CONFIG))
    mask = settings["mask_tokens"]
    assert mask("/auth/reset/Abc-123_xyz") == "/auth/reset/***"
    assert mask("/auth/invitation/Abc-123_xyz") == "/auth/invitation/***"
    assert mask("/auth/reset") == "/auth/reset"
    assert mask("/learn/basis/01-welkom") == "/learn/basis/01-welkom"
    assert settings["logger_class"].__name__ == "TokenMaskingLogger"
    assert "%(U)s" in settings["access_log_format"] and "%(q)s" not in settings["access_log_format"]
