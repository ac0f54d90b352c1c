"""Shedding load instead of queueing it.

A gunicorn worker has a few threads. When slow requests (searches, uncached listings, signups) take all of them, every
later request waits behind them, health checks included, and a burst of 200 searches becomes four-second pages for
everyone. This middleware lets at most NEWSROOM_BUSY_LIMIT such requests work at once in a process (fewer than its
threads, so one is always free for health checks and cheap requests) and answers the rest at once with 503 and
``Retry-After``. It sits after the page cache: a page served from the cache is never turned away.
"""

import threading

from django.conf import settings
from django.http import HttpResponse

# The benchmark's reference views (only with NEWSROOM_BENCH=1) measure the stack under them, not the shedding: wrk's
# sixteen connections on a trivial view would otherwise be turned away as if they were sixteen searches.
_EXEMPT = ("/healthz", "/readyz", "/admin/", "/static/", "/media/", "/_bench/")


class LoadShedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.slots = threading.BoundedSemaphore(settings.NEWSROOM_BUSY_LIMIT) if settings.NEWSROOM_BUSY_LIMIT else None

    def __call__(self, request):
        if self.slots is None or request.path.startswith(_EXEMPT):
            return self.get_response(request)
        if not self.slots.acquire(blocking=False):
            response = HttpResponse(
                "The site is very busy. Please try again in a few seconds.\n", status=503, content_type="text/plain"
            )
            response["Retry-After"] = str(settings.NEWSROOM_BUSY_RETRY_AFTER)
            response["Cache-Control"] = "no-store"
            return response
        try:
            return self.get_response(request)
        finally:
            self.slots.release()
