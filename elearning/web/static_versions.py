"""Static file addresses carry a hash of the file (?v=...): a proxy may cache them for a year (deploy/nginx.conf), and
a new release's CSS and scripts still reach every browser at once."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Flask


def register(app: Flask) -> None:
    folder = Path(app.static_folder or "")
    versions: dict[str, str] = {}  # filename: hash; the files change only with a release, which restarts the app

    def add_version(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint != "static" or "v" in values or "filename" not in values:
            return
        filename = str(values["filename"])
        version = versions.get(filename)
        if version is None:
            path = folder / filename
            version = hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.is_file() else ""
            versions[filename] = version
        if version:
            values["v"] = version

    app.url_defaults(add_version)
