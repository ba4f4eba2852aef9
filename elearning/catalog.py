"""Holds the loaded content catalogue for the app, reloading it when a file changes if asked to."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from flask import current_app

from .content import Catalog, load_catalog, source_stamp

log = logging.getLogger(__name__)


class CatalogStore:
    """The app's catalogue; with `reload`, a changed file under the content root is picked up on next use."""

    def __init__(self, root: Path, reload: bool = False):
        self.root = root
        self.reload = reload
        self._lock = threading.Lock()
        self._stamp = source_stamp(root)
        self._catalog = self._load()

    def _load(self) -> Catalog:
        catalog = load_catalog(self.root)
        for problem in catalog.problems:
            log.log(logging.ERROR if problem.severity == "error" else logging.WARNING, "content: %s", problem)
        left_out = {p.path.split("/", 1)[0] for p in catalog.errors}
        for slug in sorted(left_out):
            log.error("content: module %r left out because of the errors above", slug)
        return catalog

    def get(self) -> Catalog:
        if self.reload:
            stamp = source_stamp(self.root)
            if stamp != self._stamp:
                with self._lock:
                    if stamp != self._stamp:
                        self._catalog = self._load()
                        self._stamp = stamp
        return self._catalog


def current_catalog() -> Catalog:
    """The catalogue of the running app."""
    store: CatalogStore = current_app.extensions["catalog"]
    return store.get()
