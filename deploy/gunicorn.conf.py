"""gunicorn settings for `make serve` and production; override with GUNICORN_* or ELEARNING_WORKERS."""

import multiprocessing
import os
import re

from gunicorn.glogging import Logger

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("ELEARNING_WORKERS", min(4, multiprocessing.cpu_count() * 2)))
# The app reads ELEARNING_WORKERS to refuse SQLite without WAL on several workers.
os.environ.setdefault("ELEARNING_WORKERS", str(workers))
worker_class = "sync"
timeout = 30
graceful_timeout = 30
accesslog = "-"
errorlog = "-"
# No query strings in the access log: they may carry identifiers.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'

# One-time links (invitation, password reset) carry their token in the path: the access log shows them masked.
_TOKEN_IN_PATH = re.compile(r"^(/auth/(?:invitation|reset)/)[^/?]+")


def mask_tokens(path: str) -> str:
    return _TOKEN_IN_PATH.sub(r"\1***", path)


class TokenMaskingLogger(Logger):
    """gunicorn's logger, with the tokens of one-time links left out of the access log."""

    def atoms(self, resp, req, environ, request_time):  # type: ignore[no-untyped-def]
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = mask_tokens(atoms["U"])
        return atoms


logger_class = TokenMaskingLogger
