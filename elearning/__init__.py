"""The e-learning platform: create_app builds the Flask app from settings, content and blueprints."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Config → extensions → catalogue → blueprints → CLI."""
    # Imported here so that `import elearning.models` (Alembic, scripts) does not pull in the web stack.
    from flask import Flask

    from . import db
    from .catalog import CatalogStore
    from .cli import register_cli
    from .config import check_production, from_env
    from .extensions import babel, csrf, login_manager
    from .i18n import select_locale
    from .mail import make_sender
    from .web import register_web

    app = Flask(__name__)
    app.config.update(from_env())
    if config:
        app.config.update(config)
    app.instance_path = app.config["INSTANCE_DIR"]
    check_production(app.config)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    db.init_app(app)
    _configure_xapi(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    app.extensions["catalog"] = CatalogStore(
        Path(app.config["CONTENT_DIR"]), reload=app.config["CONTENT_RELOAD"] or app.debug
    )
    app.extensions["mail_sender"] = make_sender(app.config)
    register_web(app)
    register_cli(app)
    if app.config["TRUSTED_PROXIES"]:
        # Behind a load balancer: take the client's address and scheme from the proxies' X-Forwarded-* headers
        # (login throttling per address, HSTS and Secure cookies over HTTPS); only as many hops as configured.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    return app


def _configure_xapi(app: Flask) -> None:
    """With xAPI on, every database session carries its settings, so that the services that record progress queue
    statements in the same transaction (services/xapi/record.py); off, they carry nothing and queue nothing."""
    from .services.xapi.settings import SESSION_INFO_KEY, from_config

    settings = from_config(app.config)
    app.extensions["xapi"] = settings
    if settings is not None:
        app.extensions["db_sessionmaker"].configure(info={SESSION_INFO_KEY: settings})
