"""Security headers on every response: a strict Content-Security-Policy, no sniffing, no framing, no caching of
pages, HSTS over HTTPS.

The policy allows only this site's own scripts, styles, images and forms: no inline script, no event-handler or
style attributes, no other origin (templates keep to that; tests/web/test_security_headers.py checks every page).
It is the second line behind the sanitising of content at load (content/render.py). The headers are built once;
a header a view set itself (e.g. Referrer-Policy: no-referrer on pages with a token in the address) is kept.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.wrappers.response import Response

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),  # frame-ancestors 'none' for browsers that predate CSP 2
    ("Referrer-Policy", "same-origin"),  # links to other sites get no Referer at all
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
)
_OWN_NAMES = frozenset(name.lower() for name, _value in HEADERS)
# Only over HTTPS (RFC 6797: a browser ignores it over plain HTTP, and a laptop must stay reachable over http).
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"
# Pages and downloads hold personal data and CSRF tokens: no browser or proxy keeps a copy. Only the site's own files
# (CSS, JS) and module images may be cached (they are revalidated: Flask sends them with an ETag).
CACHEABLE_ENDPOINTS = frozenset({"static", "learn.media"})


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    if _OWN_NAMES.isdisjoint(name.lower() for name, _value in headers):  # the usual case: one pass, one extend
        headers.extend(HEADERS)
    else:
        for name, value in HEADERS:
            headers.setdefault(name, value)
    if request.endpoint not in CACHEABLE_ENDPOINTS:
        headers.setdefault("Cache-Control", "no-store")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    return response


def register(app: Flask) -> None:
    app.after_request(add_security_headers)
