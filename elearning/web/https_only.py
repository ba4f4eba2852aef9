"""In production every page goes over HTTPS: a plain-HTTP request is sent on to the same path at ELEARNING_BASE_URL.

The health check stays reachable over plain HTTP for a load balancer. A proxy that terminates TLS must say so
(X-Forwarded-Proto) and be trusted (ELEARNING_TRUSTED_PROXIES, or gunicorn's forwarded_allow_ips for one on the same
machine); otherwise every request seems plain, and the log says which setting to fix.
"""

from __future__ import annotations

import logging

from flask import Flask, redirect, request
from werkzeug.wrappers.response import Response

log = logging.getLogger(__name__)
OPEN_OVER_HTTP = frozenset({"main.healthz"})


def register(app: Flask) -> None:
    if app.config["ENV_NAME"] != "production":
        return
    base_url = str(app.config["BASE_URL"])  # https://, checked at start-up (config.check_https)
    warned: list[bool] = []

    def https_only() -> Response | None:
        if request.is_secure or request.endpoint in OPEN_OVER_HTTP:
            return None
        if not warned:
            warned.append(True)
            log.warning(
                "a plain-HTTP request was sent on to ELEARNING_BASE_URL; if a proxy in front terminates TLS, "
                "set ELEARNING_TRUSTED_PROXIES so that its X-Forwarded-Proto counts"
            )
        # To our own address, never to the Host header's; 308 keeps the method and body of a form.
        return redirect(base_url + request.full_path.rstrip("?"), 308)

    # Before every other hook, CSRFProtect's too: a plain-HTTP form is sent on, not refused for its token.
    app.before_request_funcs.setdefault(None, []).insert(0, https_only)
