"""Where a form may send people afterwards."""

from __future__ import annotations


def local_path(target: str | None) -> str | None:
    """Only a path on this site, never an absolute or protocol-relative URL (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None
