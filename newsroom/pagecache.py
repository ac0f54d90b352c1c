"""Whole-page cache for anonymous readers, with conditional GETs and CSRF hole-punching.

Pages are stored under a *content version*: any save or delete of live content (see CONTENT_APPS) bumps it, so every
page is fresh after an edit without tracking which pages showed what. A stored page also expires no later than the
next scheduled publication or banner change, so a story under embargo appears on time without a cron job.

A cached page must never hand one reader's CSRF token to another: the value of every ``csrfmiddlewaretoken`` input is
replaced by a placeholder when the page is stored and by the current reader's own token whenever it is served.

Requests carrying a session cookie (staff, anyone logged in) bypass the cache and get ``Cache-Control: private``.
A cache hit reads only the cache: no database query.

Each worker process keeps two things of its own in front of the shared cache: the content version, re-read at most
every NEWSROOM_PAGE_CACHE_VERSION_SECONDS, and the pages it served most recently, up to NEWSROOM_PAGE_CACHE_LOCAL_BYTES.
A hot page is then served without a network round trip. The price is that another worker may go on serving the page
from before an edit for that many seconds (the worker that saved sees its own change at once); pages stored under the
old version are simply never asked for again and fall out of the bounded local store.
"""

import hashlib
import re
import threading
import time
import uuid
from collections import OrderedDict

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, quote_etag

VERSION_KEY = "pagecache:version"
CSRF_PLACEHOLDER = "__newsroom_csrf_token__"
_CSRF_INPUT = re.compile(
    r'(<input\b[^>]*\bname="csrfmiddlewaretoken"[^>]*\bvalue=")[^"]*(")'
    r'|(<input\b[^>]*\bvalue=")[^"]*("[^>]*\bname="csrfmiddlewaretoken")'
)
_CACHEABLE_TYPES = ("text/html", "application/rss+xml", "application/atom+xml", "application/xml", "text/plain")
_STORED_HEADERS = ("Content-Type", "Content-Language", "X-Robots-Tag", "Link")


def _cache():
    return caches[settings.NEWSROOM_PAGE_CACHE_ALIAS]


class _LocalTier:
    """This process's copy of the content version and an LRU of served pages bounded by their bodies' bytes."""

    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self):
        with self._lock:
            self.version = None
            self.version_read_at = 0.0
            self.pages = OrderedDict()
            self.size = 0
            self.memo = {}

    def cached_version(self):
        if (
            self.version is not None
            and time.monotonic() - self.version_read_at < settings.NEWSROOM_PAGE_CACHE_VERSION_SECONDS
        ):
            return self.version
        return None

    def remember_version(self, value):
        with self._lock:
            self.version, self.version_read_at = value, time.monotonic()

    def get(self, key):
        with self._lock:
            entry = self.pages.get(key)
            if entry is not None:
                self.pages.move_to_end(key)
            return entry

    def put(self, key, entry):
        size = len(entry["body"])
        limit = settings.NEWSROOM_PAGE_CACHE_LOCAL_BYTES
        if size > limit // 4:
            return  # one page must not push out everything else
        with self._lock:
            previous = self.pages.pop(key, None)
            if previous is not None:
                self.size -= len(previous["body"])
            self.pages[key] = entry
            self.size += size
            while self.size > limit:
                _, evicted = self.pages.popitem(last=False)
                self.size -= len(evicted["body"])


_local = _LocalTier()


def per_version(name, compute, *, until=None):
    """``compute()``'s value, kept in this process until live content changes (or until the time ``until(value)``
    returns, a Unix time or None): for the few parts every page shows, such as the sections and the signup lists.
    Unlike ``remember()``, the value is held as is, not copied through a cache, so it must never be changed."""
    version = current_version()[0]
    held = _local.memo.get(name)
    if held is not None and held[0] == version and (held[2] is None or held[2] > time.time()):
        return held[1]
    value = compute()
    _local.memo[name] = (version, value, until(value) if until else None)
    return value


def reset_local_tier():
    """Forget this process's copy of the version and its pages (tests; after restoring a database)."""
    _local.reset()


def remember(key, compute, *, timeout=DEFAULT_TIMEOUT, using=None):
    """``compute()``'s value kept under the current content version (any edit of live content starts afresh): in the
    shared cache by default, or in the cache ``using`` names (``"fragments"``: this process's own). ``timeout``
    bounds its age in seconds besides (for values the clock alone changes, such as an embargo lifting)."""
    store = caches[using or settings.NEWSROOM_PAGE_CACHE_ALIAS]
    key = f"{key}:{current_version()[0]}"
    value = store.get(key)
    if value is None:
        value = compute()
        store.set(key, value, timeout)
    return value


def per_version_fragment(request, key, compute):
    """``compute()``'s value for an anonymous reader, kept in this process's fragment cache under the content version
    (bounded, see CACHES["fragments"]); for anyone signed in it is always computed afresh."""
    if not is_anonymous(request):
        return compute()
    return remember(key, compute, using="fragments")


def current_version():
    """(version token, time of the last content change as a Unix time)."""
    value = _local.cached_version()
    if value is not None:
        return value
    value = _cache().get(VERSION_KEY)
    if value is None:
        value = (uuid.uuid4().hex, int(time.time()))
        _cache().add(VERSION_KEY, value, timeout=None)
        value = _cache().get(VERSION_KEY, value)
    _local.remember_version(value)
    return value


def bump_content_version():
    """Invalidate every cached page. Call it after changing live content by a path that sends no model signal
    (``QuerySet.update()``, raw SQL)."""
    value = (uuid.uuid4().hex, int(time.time()))
    _cache().set(VERSION_KEY, value, timeout=None)
    _local.remember_version(value)


def _content_changed(sender, **kwargs):
    if kwargs.get("raw"):
        return  # fixtures being loaded
    label = sender._meta.app_label
    if label in settings.NEWSROOM_PAGE_CACHE_CONTENT_APPS or sender._meta.label in (
        settings.NEWSROOM_PAGE_CACHE_CONTENT_APPS
    ):
        bump_content_version()
        # Bumping again after commit stops a reader who loaded the old rows mid-transaction from caching them under
        # the version bumped before the commit.
        transaction.on_commit(bump_content_version)


def connect_signals():
    """Invalidation is infrastructure, so it listens to every model and filters by app (Correction, Transition, images
    and any later content model are covered without listing them)."""
    post_save.connect(_content_changed, dispatch_uid="pagecache_post_save")
    post_delete.connect(_content_changed, dispatch_uid="pagecache_post_delete")
    m2m_changed.connect(_content_changed, dispatch_uid="pagecache_m2m_changed")


def next_content_change(now=None):
    """When the pages change by the clock alone: the next scheduled publication or banner start/end (or None)."""
    from django.db.models import Min
    from django.utils import timezone

    from articles.models import Article, PromoBanner

    now = now or timezone.now()
    times = [
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=now).aggregate(t=Min("published_at"))[
            "t"
        ],
        PromoBanner.objects.now_and_next(now)[1],
    ]
    times = [t for t in times if t is not None]
    return min(times) if times else None


def is_anonymous(request):
    # A session cookie means a login (staff) or a flash message may be in play; either way the page is personal.
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and "messages" not in request.COOKIES


def _excluded(path):
    return any(path.startswith(prefix) for prefix in settings.NEWSROOM_PAGE_CACHE_EXCLUDE)


def _punch_holes(body: str):
    def replace(match):
        if match.group(1) is not None:
            return f"{match.group(1)}{CSRF_PLACEHOLDER}{match.group(2)}"
        return f"{match.group(3)}{CSRF_PLACEHOLDER}{match.group(4)}"

    return _CSRF_INPUT.subn(replace, body)


def _fill_holes(request, body: bytes) -> bytes:
    placeholder = CSRF_PLACEHOLDER.encode()
    if placeholder not in body:
        return body
    return body.replace(placeholder, get_token(request).encode())


def _etag(body: bytes, version: str) -> str:
    return quote_etag(hashlib.blake2b(body + version.encode(), digest_size=16).hexdigest())


class PageCacheMiddleware:
    """Sits after CsrfViewMiddleware (it needs the reader's CSRF cookie read, and the cookie set on the way out) and
    before SessionMiddleware and the rest (see MIDDLEWARE in settings): what a hit skips, it never needs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or _excluded(request.path) or not settings.NEWSROOM_PAGE_CACHE:
            return self.get_response(request)
        if not is_anonymous(request):
            return self._private(request, self.get_response(request))
        version, changed_at = current_version()
        key = self._key(request, version)
        entry = _local.get(key)
        if entry is None:
            entry = _cache().get(key)
            if entry is not None:
                _local.put(key, entry)
        if entry is not None and entry["expires"] > time.time():
            return self._serve(request, entry, hit=True)
        response = self.get_response(request)
        entry = self._store(request, response, key, version, changed_at)
        if entry is None:
            return response
        return self._serve(request, entry, hit=False)

    def _key(self, request, version):
        url = f"{request.get_host()}{request.get_full_path()}"
        digest = hashlib.blake2b(url.encode(), digest_size=20).hexdigest()
        return f"pagecache:{version}:{request.method == 'HEAD' and 'GET' or request.method}:{digest}"

    def _cacheable(self, request, response):
        content_type = response.get("Content-Type", "").split(";")[0].strip()
        storage = getattr(request, "_messages", None)
        return (
            response.status_code == 200
            and not response.streaming
            and content_type in _CACHEABLE_TYPES
            and not response.has_header("Cache-Control")
            and not response.cookies
            and not (storage is not None and (storage.used or storage.added_new))
        )

    def _store(self, request, response, key, version, changed_at):
        if not self._cacheable(request, response):
            return None
        from django.utils import timezone

        body = response.content
        punched = False
        if b"csrfmiddlewaretoken" in body:
            charset = response.charset or "utf-8"
            text, count = _punch_holes(body.decode(charset))
            body, punched = text.encode(charset), bool(count)
        ttl = settings.NEWSROOM_PAGE_CACHE_SECONDS
        upcoming = next_content_change()
        if upcoming is not None:
            ttl = max(0, min(ttl, int((upcoming - timezone.now()).total_seconds())))
        entry = {
            "body": body,
            "headers": {name: response[name] for name in _STORED_HEADERS if response.has_header(name)},
            "etag": _etag(body, version),
            "last_modified": changed_at,
            "expires": time.time() + ttl,
            "vary_cookie": punched,
        }
        if ttl > 0:
            _cache().set(key, entry, timeout=ttl)
            _local.put(key, entry)
        return entry

    def _serve(self, request, entry, *, hit):
        remaining = max(0, int(entry["expires"] - time.time()))
        response = HttpResponse(_fill_holes(request, entry["body"]))
        # CommonMiddleware, which would add it, is behind this one.
        response["Content-Length"] = str(len(response.content))
        for name, value in entry["headers"].items():
            response[name] = value
        response["ETag"] = entry["etag"]
        response["Last-Modified"] = http_date(entry["last_modified"])
        max_age = min(settings.NEWSROOM_PAGE_MAX_AGE, remaining)
        response["Cache-Control"] = (
            f"public, max-age={max_age}, stale-while-revalidate={settings.NEWSROOM_PAGE_STALE_WHILE_REVALIDATE}"
        )
        response["X-Page-Cache"] = "hit" if hit else "miss"
        if entry["vary_cookie"]:
            # The page carries a per-reader CSRF token, so a shared cache must key it by the reader's cookie.
            patch_vary_headers(response, ["Cookie"])
        conditional = get_conditional_response(
            request, etag=entry["etag"], last_modified=entry["last_modified"], response=response
        )
        return conditional

    def _private(self, request, response):
        if response.streaming:
            return response
        response.setdefault("Cache-Control", "private, no-cache")
        # A no-store page is never revalidated, and its body holds per-request secrets: an ETag would only vary.
        if (
            response.status_code == 200
            and not response.has_header("ETag")
            and "no-store" not in response["Cache-Control"]
        ):
            response["ETag"] = quote_etag(hashlib.blake2b(response.content, digest_size=16).hexdigest())
            return get_conditional_response(request, etag=response["ETag"], response=response)
        return response
