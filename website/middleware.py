"""Changes to live stories that an editor scheduled (pending versions, articles/pending.py) take effect at their time
with nothing but the app server running: no cron, no worker needed.

Every request past the page cache first publishes the changes whose time has come (one query on a small table when
none has), then reads what it shows; and the page it makes is kept no longer than the next scheduled time, so no cache
serves the old text after it. The pages cached before an editor scheduled changes were purged then (the ones showing
the story, the listings it would join or leave), so they too are made again with that bound. The task queued when
scheduling (articles/tasks.py) publishes on time as well where a worker runs, for readers of pages nobody asks for.
"""

import logging

from django.db import DatabaseError

from articles.services import publish_due_changes
from newsroom import pagecache

logger = logging.getLogger(__name__)

_EXEMPT = ("/healthz", "/readyz", "/static/", "/media/")


class ScheduledChangesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(_EXEMPT):
            try:
                pagecache.expire_at(publish_due_changes())
            except DatabaseError:
                # The page is still worth serving: the changes are published by the next request, or the worker.
                logger.exception("could not publish the changes scheduled for now")
        return self.get_response(request)
