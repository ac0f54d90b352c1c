"""Two things every request past the page cache does before it reads the database.

ScheduledChangesMiddleware: changes to live stories that an editor scheduled (pending versions, articles/pending.py)
take effect at their time with nothing but the app server running: no cron, no worker needed.

Every request past the page cache first publishes the changes whose time has come (one query on a small table when
none has), then reads what it shows; and the page it makes is kept no longer than the next scheduled time, so no cache
serves the old text after it. The pages cached before an editor scheduled changes were purged then (the ones showing
the story, the listings it would join or leave), so they too are made again with that bound. The task queued when
scheduling (articles/tasks.py) publishes on time as well where a worker runs, for readers of pages nobody asks for.

OldAddressMiddleware: old addresses of a site the newsroom moved in from (wpimport/) answer a 301 to the page that
replaced them.
"""

import logging

from django.db import DatabaseError
from django.http import HttpResponsePermanentRedirect

from articles.services import publish_due_changes
from newsroom import pagecache
from wpimport.addresses import new_address, query_address

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


class OldAddressMiddleware:
    """Answers an address no page claims (a 404) with a permanent redirect when it is an imported site's old
    address: WordPress permalinks, ``/?p=ID``, category, tag and author pages (``/?cat=ID``, ``/?tag=slug`` and
    ``/?author=ID`` on a site without pretty permalinks). Known addresses of this site are never looked up, so the
    cost falls on 404s and on requests with one of those query parameters only.

    It sits inside the page cache: a redirect is never stored as a page, and the home page's copy (the cache key keeps
    those parameters, NEWSROOM_PAGE_CACHE_QUERY_PARAMETERS) is the same page for every reader."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        query = query_address(request.GET)
        if query:
            url = new_address(request.path, query=query)
            if url:
                return HttpResponsePermanentRedirect(url)
        response = self.get_response(request)
        if response.status_code == 404:
            url = new_address(request.path)
            if url:
                return HttpResponsePermanentRedirect(url)
        return response
