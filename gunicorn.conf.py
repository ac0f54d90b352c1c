"""Gunicorn for production: `make serve` (or `gunicorn newsroom.wsgi`) reads this file."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Sync workers with a few threads each: the app is I/O-bound on the database and the cache.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread"
# With gthread workers this is only how long a worker may fail to report to the master (a hung process), not a limit
# on one request: a slow request in a thread runs on. The limits on requests are real elsewhere: PostgreSQL cancels a
# web request's query after DATABASE_STATEMENT_TIMEOUT (set below for the web only), and newsroom/overload.py answers
# 503 at once when slow requests fill a worker's share or the machine's, instead of queueing (each worker's requests
# wait in one queue in front of its threads, health checks too: it must keep moving).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", "15000")
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so slow leaks in any library cannot grow without bound. Not too often: cached pages
# are answered by the thousand a second, and a new worker pays again for what the old one had warmed (connections,
# and the templates below unless compiled before the fork). At 20,000 a worker was replaced every 16 s at work in
# bench/run, and the site spent a third more CPU per request (docs/performance.md).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 200_000))
max_requests_jitter = max_requests // 10
# Load the app once in the master: workers share its memory pages copy-on-write.
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# Which scheme a request came by is trusted from a proxy's header only when the site is configured to sit behind one
# (DJANGO_BEHIND_TLS_PROXY, which Django reads too, as X-Forwarded-Proto alone): otherwise anyone could make a page
# say https (or http) by sending the header, and a cached page would say it to every reader.
if os.environ.get("DJANGO_BEHIND_TLS_PROXY", "").lower() in ("1", "true", "yes", "on"):
    forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
    secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
else:
    forwarded_allow_ips = ""
    secure_scheme_headers = {}


def when_ready(server):
    """In the master, once the app is loaded and before any worker is forked: compile every template, so that each
    worker (a recycled one too) inherits them from the template loader's cache instead of compiling its own on its
    first page (the first uncached home page took four times its usual CPU)."""
    from newsroom.templates import compile_all

    server.log.info("Compiled %d templates before forking workers", compile_all())
