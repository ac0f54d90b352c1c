"""The page cache: public pages kept whole until something they show changes.

The contract, the same for every engine (this embedded one, Varnish, a CDN):

- While a public page renders, the code that puts something on it names that thing with a *surrogate key*
  (``add_keys("article-12", "section-3")``) and, if the page will change by the clock alone (an embargo lifting, a
  banner starting), when that happens (``expire_at(when)``). The response carries the keys in ``Surrogate-Key`` and a
  ``Cache-Control`` that lets shared caches keep it long (``s-maxage``) and browsers briefly (``max-age``), never past
  that time.
- An editorial event that changes what readers see calls ``purge(keys)`` once it is committed: every page carrying one
  of the keys is out of date, here and in Varnish (a task, see newsroom/varnish.py). A purge is *soft* by default:
  the old copy may still be served for a moment, while one request makes the page again, so a burst of readers after
  a publication waits for nobody (Varnish's ``xkey.softpurge``). A *hard* purge (``purge(keys, hard=True)``) drops
  the copies outright, for what must not be seen a moment longer: a withdrawn story, pictures whose files are gone.
  Which keys each page carries and which events purge them, softly or not, is written down in one place,
  website/purges.py.
- Nothing per reader is ever stored: anonymous requests only (no session or messages cookie), responses that set no
  cookie, touch no flash message and say nothing of their own about caching.

The embedded engine keeps pages in Django's cache. Each stored page lists its keys and when its rendering began; each
purged key records when it was purged. A page is good while none of its keys was purged after its rendering began, and
until its own expiry. Both moments are read from one clock, the Redis server's when the records are kept there
(``_clock``): a margin for two machines' clocks would also throw away the copy made right after a purge. That is the
index from key to pages, read the other way round: a purge is one write per key however many pages carry it, and a page
read from the database just before a purge and stored just after it is never taken for fresh. A page that is no longer
good is kept a while longer as *stale*: it is served while one request remakes it (a burst of readers after a publish
reaches the app once per page, not once per reader) and when the app fails (``stale-if-error``), unless one of its keys
was purged hard.

A page whose keys were purged while it was being rendered may show what the purge was about to remove: it is served
to its reader but kept by no cache (``s-maxage=0``), here or in Varnish.
"""

import contextvars
import gzip
import hashlib
import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, quote_etag

from newsroom.cache import outage

logger = logging.getLogger(__name__)

KEYS_HEADER = "Surrogate-Key"
# Carried by every cached page: purging it empties every cache (``manage.py purge_pages``, after a bulk import).
EVERY_PAGE = "all"
_CACHEABLE_TYPES = ("text/html", "application/rss+xml", "application/atom+xml", "application/xml", "text/plain")
_STORED_HEADERS = ("Content-Type", "Content-Language", "X-Robots-Tag", "Link")
# How long one request may take to remake a stale page before another reader tries again.
_REMAKE_SECONDS = 10


@dataclass
class _Rendering:
    """What the page being rendered shows (its keys) and when it changes by the clock alone."""

    started: float = field(default_factory=lambda: _clock())
    keys: set = field(default_factory=set)
    expires: float | None = None
    browser_seconds: int | None = None


_rendering: contextvars.ContextVar[_Rendering | None] = contextvars.ContextVar("pagecache_rendering", default=None)


def add_keys(*keys):
    """Name what the page being rendered shows. Outside a cacheable request it does nothing."""
    rendering = _rendering.get()
    if rendering is not None:
        rendering.keys.update(key for key in keys if key)


def expire_at(when: datetime | None):
    """The page being rendered changes by the clock alone at ``when`` (an embargo lifts, a banner starts): no cache
    may keep it past then."""
    rendering = _rendering.get()
    if rendering is not None and when is not None:
        moment = when.timestamp()
        rendering.expires = moment if rendering.expires is None else min(rendering.expires, moment)


def browser_lifetime(seconds: int):
    """The page being rendered changes often (a live story while its coverage is live): browsers may keep it only
    this long. Shared caches keep it as long as ever, since purges reach them and not the browsers."""
    rendering = _rendering.get()
    if rendering is not None:
        current = rendering.browser_seconds
        rendering.browser_seconds = seconds if current is None else min(current, seconds)


def rendering_started() -> datetime:
    """When the page being rendered began (now, outside a request). A page's next change by the clock is looked up
    from this moment, not from the moment of the query: a story going live while the page renders must end its
    lifetime, not be missed by it."""
    rendering = _rendering.get()
    if rendering is None:
        return timezone.now()
    return datetime.fromtimestamp(rendering.started, tz=timezone.get_current_timezone())


def purge(*keys, hard=False):
    """Every page that carries one of ``keys`` is out of date, in every engine, once the current transaction commits.
    Softly, the old copy may be served while one request makes the page again; ``hard``, it never is again."""
    keys = sorted({key for key in keys if key})
    if not keys:
        return
    batch = _batch.get()
    if batch is not None:
        batch.add("hard" if hard else "soft")
        return
    transaction.on_commit(lambda: _purge_now(keys, hard))


# Inside ``batched()``: whether anything asked for a purge (a set, so the context manager can see it from outside).
_batch: contextvars.ContextVar[set | None] = contextvars.ContextVar("pagecache_batch", default=None)


@contextmanager
def batched():
    """For bulk work (an import of thousands of stories): the purges asked for inside become one purge of every page
    at the end, instead of one purge (and, with Varnish, one task) per saved row."""
    if _batch.get() is not None:
        yield  # already inside a batch: the outer one purges
        return
    batch = set()
    token = _batch.set(batch)
    try:
        yield
    finally:
        _batch.reset(token)
        if batch:
            purge(EVERY_PAGE, hard="hard" in batch)


# Keys this process purged while the cache could not be reached, each with whether the purge was hard.
_unrecorded: dict[str, bool] = {}
_unrecorded_lock = threading.Lock()


def _purge_now(keys, hard=False):
    _record(keys, hard)
    if settings.NEWSROOM_VARNISH_URLS:
        from newsroom.varnish import purge_keys  # only where Varnish is configured; it imports the task machinery

        purge_keys.enqueue(keys, soft=not hard)


def _record(keys=(), hard=False):
    """Write when ``keys`` (and any this process could not record before) were purged, and, for a hard purge, that
    it was hard. While the cache is away the keys are kept here and written, as purged at that later moment, once it
    answers again: a page kept from before the outage is never taken for fresh."""
    with _unrecorded_lock:
        pending = dict(_unrecorded)
        _unrecorded.clear()
    for key in keys:
        pending[key] = pending.get(key, False) or hard
    if not pending:
        return
    failures = outage.failures
    try:
        moment = _clock()
        records = {_purged_key(key): moment for key in pending}
        records.update({_purged_key(key, hard=True): moment for key, was_hard in pending.items() if was_hard})
        # Kept as long as a page may be: an older purge cannot concern a page still fresh.
        _purges().set_many(records, timeout=settings.NEWSROOM_PAGE_CACHE_SECONDS + 60)
        recorded = outage.failures == failures
    except Exception:
        logger.exception("page cache: could not record the purge of %s", " ".join(sorted(pending)))
        recorded = False
    if not recorded:
        with _unrecorded_lock:
            for key, was_hard in pending.items():
                _unrecorded[key] = _unrecorded.get(key, False) or was_hard


def _clock() -> float:
    """Now, on the clock every process reads: the Redis server's where the purge records are kept in Redis (web
    servers on several machines share it), this machine's otherwise. A purge is recorded after its commit and a
    rendering's start is read before its queries, on this one clock, so a page begun after a purge was recorded
    has read the rows the purge was about, with no margin to allow for."""
    cache = _purges()
    if isinstance(cache, RedisCache):
        failures = outage.failures
        try:
            seconds, microseconds = cache._cache.get_client(write=True).time()
            return seconds + microseconds / 1_000_000
        except Exception as error:
            if outage.failures == failures:
                outage.report("time", error)
    return time.time()


def _cache():
    """Where pages are kept (they may be evicted)."""
    return caches["pages"]


def _purges():
    """Where purges are recorded (they must not be evicted before the pages they concern)."""
    return caches["default"]


def _purged_key(key, hard=False):
    return f"pagecache:{'hard' if hard else 'purged'}:{key}"


def _purged_since(keys, since, *, hard=False) -> bool:
    """Whether any of ``keys`` was purged (``hard``: hard) at or after ``since``, or that cannot be known: then the
    page is not trusted."""
    if not keys:
        return False
    failures = outage.failures
    try:
        purged = _purges().get_many([_purged_key(key, hard) for key in keys])
    except Exception:
        logger.exception("page cache: could not read the purges")
        return True
    if outage.failures != failures:
        return True  # the cache answered nothing: the purges are unknown, not absent
    return any(moment >= since for moment in purged.values())


def is_anonymous(request) -> bool:
    # A session cookie means a login (staff) or a flash message may be in play; either way the page is personal.
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and "messages" not in request.COOKIES


def page_key(request) -> str:
    """One page per scheme, host, path and the query parameters pages read; any other parameter (a tracking tag,
    a cache buster) is not part of the page, so it can neither change it nor fill the cache with copies."""
    kept = sorted(
        (name, value)
        for name, value in parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
        if name in settings.NEWSROOM_PAGE_CACHE_QUERY_PARAMETERS
    )
    url = f"{request.scheme}://{request.get_host()}{request.path}?{urlencode(kept)}"
    return "pagecache:page:" + hashlib.blake2b(url.encode(), digest_size=20).hexdigest()


def _excluded(path):
    return any(path.startswith(prefix) for prefix in settings.NEWSROOM_PAGE_CACHE_EXCLUDE)


@dataclass
class _Page:
    body: bytes  # gzip-compressed
    headers: dict
    keys: list
    rendered: float
    expires: float
    etag: str
    length: int
    browser_seconds: int | None = None
    # Its keys were purged while it rendered: served to its reader, kept by no cache.
    raced: bool = False

    def is_fresh(self, now) -> bool:
        return now < self.expires and not _purged_since(self.keys, self.rendered)

    def may_be_served_stale(self) -> bool:
        return not _purged_since(self.keys, self.rendered, hard=True)

    def max_age(self, now) -> int:
        return 0 if self.raced else max(0, int(self.expires - now))


class PageCacheMiddleware:
    """Stores and serves anonymous readers' pages, and gives every public response its caching headers.

    It sits after the middleware every response needs (security headers, CSP, X-Frame-Options) and before sessions,
    authentication, messages and lockouts: a hit needs none of them (see MIDDLEWARE in settings)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or _excluded(request.path):
            return self.get_response(request)
        if not is_anonymous(request):
            return _private(request, self.get_response(request))
        store = settings.NEWSROOM_PAGE_CACHE
        if _unrecorded:
            _record()  # before trusting a kept page: purges this process made while the cache was away
        key = page_key(request) if store else None
        kept = _load(key) if store else None
        now = time.time()
        if kept is not None:
            if kept.is_fresh(now):
                return _serve(request, kept, "HIT", now)
            if not kept.may_be_served_stale():
                kept = None  # purged hard: no reader sees it again, whoever remakes it
            elif not _claim(key):
                return _serve(request, kept, "STALE", now)  # another request is remaking it
        rendering = _Rendering()
        token = _rendering.set(rendering)
        try:
            response = self.get_response(request)
        finally:
            _rendering.reset(token)
        if response.status_code >= 500 and kept is not None:
            return _serve(request, kept, "STALE", time.time())  # stale-if-error
        page = _page_from(request, response, rendering)
        if page is None:
            if store:
                _release(key)
            if not response.has_header("Cache-Control"):
                response["Cache-Control"] = "no-cache"
            return response
        # Checked on every engine: Varnish too would keep a copy made from rows a purge has since replaced.
        page.raced = _purged_since(page.keys, page.rendered)
        if store:
            if page.expires > time.time() and not page.raced:
                _save(key, page)
            _release(key)
        return _serve(request, page, "MISS" if store else None, time.time())


def _cacheable(request, response) -> bool:
    content_type = response.get("Content-Type", "").split(";")[0].strip()
    messages = getattr(request, "_messages", None)
    return (
        response.status_code == 200
        and not response.streaming
        and content_type in _CACHEABLE_TYPES
        and not response.has_header("Cache-Control")
        and not response.cookies
        and not (messages is not None and (messages.used or messages.added_new))
    )


def _page_from(request, response, rendering) -> _Page | None:
    if not _cacheable(request, response):
        return None
    lifetime = rendering.started + settings.NEWSROOM_PAGE_CACHE_SECONDS
    content = response.content
    return _Page(
        # mtime=0: the same page compresses to the same bytes.
        body=gzip.compress(content, compresslevel=6, mtime=0),
        headers={name: response[name] for name in _STORED_HEADERS if response.has_header(name)},
        keys=sorted(rendering.keys | {EVERY_PAGE}),
        rendered=rendering.started,
        expires=lifetime if rendering.expires is None else min(lifetime, rendering.expires),
        etag=quote_etag(hashlib.blake2b(content, digest_size=16).hexdigest()),
        length=len(content),
        browser_seconds=rendering.browser_seconds,
    )


def _load(key) -> _Page | None:
    try:
        return _cache().get(key)
    except Exception:
        logger.exception("page cache: could not read a page")
        return None


def _save(key, page):
    # Kept past its expiry for as long as it may be served stale when the app fails.
    timeout = max(1, int(page.expires - time.time())) + settings.NEWSROOM_PAGE_STALE_IF_ERROR
    try:
        _cache().set(key, page, timeout=timeout)
    except Exception:
        logger.exception("page cache: could not store a page")


def _claim(key) -> bool:
    try:
        return _cache().add(f"{key}:remaking", 1, timeout=_REMAKE_SECONDS)
    except Exception:
        return True


def _release(key):
    try:
        _cache().delete(f"{key}:remaking")
    except Exception:
        logger.debug("page cache: could not release a page being remade")


def _accepts_gzip(request) -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "").lower()


def _serve(request, page: _Page, outcome, now):
    compressed = _accepts_gzip(request)
    body = page.body if compressed else gzip.decompress(page.body)
    response = HttpResponse(b"" if request.method == "HEAD" else body)
    response["Content-Length"] = str(len(body))
    for name, value in page.headers.items():
        response[name] = value
    if compressed:
        response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ["Accept-Encoding"])
    # Weak: the compressed and plain bodies are the same page.
    response["ETag"] = f"W/{page.etag}"
    response["Last-Modified"] = http_date(page.rendered)
    shared = page.max_age(now)
    browser = min(settings.NEWSROOM_PAGE_MAX_AGE, shared, getattr(page, "browser_seconds", None) or shared)
    if page.raced:
        # Nor stale: a shared cache must not keep it even as a fallback.
        response["Cache-Control"] = "public, max-age=0, s-maxage=0"
    else:
        response["Cache-Control"] = (
            f"public, max-age={browser}, s-maxage={shared}, "
            f"stale-while-revalidate={settings.NEWSROOM_PAGE_STALE_WHILE_REVALIDATE}, "
            f"stale-if-error={settings.NEWSROOM_PAGE_STALE_IF_ERROR}"
        )
    if page.keys:
        response[KEYS_HEADER] = " ".join(page.keys)
    if outcome:
        response["X-Cache"] = outcome
    return get_conditional_response(request, etag=response["ETag"], last_modified=page.rendered, response=response)


def _private(request, response):
    if response.streaming:
        return response
    response.setdefault("Cache-Control", "private, no-cache")
    # A no-store page is never revalidated, and its body holds per-request secrets: an ETag would only vary.
    if response.status_code == 200 and not response.has_header("ETag") and "no-store" not in response["Cache-Control"]:
        response["ETag"] = quote_etag(hashlib.blake2b(response.content, digest_size=16).hexdigest())
        return get_conditional_response(request, etag=response["ETag"], response=response)
    return response
