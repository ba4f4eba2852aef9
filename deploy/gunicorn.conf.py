"""gunicorn settings for `make serve` and production; override with GUNICORN_* or ELEARNING_WORKERS."""

import multiprocessing
import os

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
