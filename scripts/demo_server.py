"""The demo app (`make run`'s demo data) in a temporary SQLite database, served on a free loopback port.

Used by scripts/screenshots.py, so that `make screenshots` needs no `make run` in another terminal.
"""

from __future__ import annotations

import logging
import secrets
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server

from elearning import create_app
from elearning.catalog import current_catalog
from elearning.db import get_session
from elearning.migrate import upgrade
from elearning.services.demo import DEMO_PASSWORD, load_demo

__all__ = ["DEMO_PASSWORD", "demo_server"]


@contextmanager
def demo_server() -> Iterator[str]:
    """Migrate a fresh database, load the demo data, serve it; yields the base URL and removes everything after."""
    with tempfile.TemporaryDirectory(prefix="elearning-demo-") as folder:
        url = f"sqlite:///{Path(folder) / 'demo.db'}"
        upgrade(url)
        app = create_app(
            {
                "DATABASE_URL": url,
                "INSTANCE_DIR": folder,
                "MAIL_BACKEND": "memory",
                "SECRET_KEY": secrets.token_hex(32),
            }
        )
        with app.app_context():
            session = get_session()
            load_demo(session, current_catalog())
            session.commit()
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            thread.join(timeout=10)
            app.extensions["db_engine"].dispose()
