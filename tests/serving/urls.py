"""A test-only URLconf for the Varnish engine tests: pages that answer with the page cache's contract (Cache-Control,
Surrogate-Key) or break it on purpose, each counting how often the app rendered it."""

from collections import Counter

from django.http import HttpResponse
from django.urls import path

from newsroom.security import client_ip

# name: (Cache-Control, Surrogate-Key, Content-Type)
EXPIRING = "public, max-age=0, s-maxage=1, stale-if-error=3600, stale-while-revalidate="
PUBLIC = "public, max-age=5, s-maxage=600, stale-while-revalidate=30, stale-if-error=86400"
PAGES = {
    "article-1": (PUBLIC, "article-1 home section-3", "text/html; charset=utf-8"),
    "article-2": (PUBLIC, "article-2 home", "text/html; charset=utf-8"),
    "section-3": (PUBLIC, "section-3", "text/html; charset=utf-8"),
    "feed": (PUBLIC, "feeds home", "application/rss+xml; charset=utf-8"),
    # Expires at once and may then be served stale only while the app fails.
    "brief": (EXPIRING + "0", "brief", "text/html"),
    # Expires at once and may be served stale for a while when the app is healthy too.
    "lingering": (EXPIRING + "60", "lingering", "text/html"),
    "private": ("private", "", "text/html; charset=utf-8"),
    "no-store": ("no-store, no-cache, max-age=0", "", "text/html; charset=utf-8"),
    "unmarked": ("", "", "text/html; charset=utf-8"),
    # What the page cache answers for a page whose keys were purged while it rendered.
    "raced": ("public, max-age=0, s-maxage=0", "article-1", "text/html; charset=utf-8"),
}
renders = Counter()
failing = set()  # names of pages that answer 500 for now
raced = set()  # names of pages answered as the page cache answers a page raced by a purge, for now


def page(request, name):
    cache_control, keys, content_type = PAGES[name]
    renders[name] += 1
    if name in failing:
        return HttpResponse("the app failed", status=500)
    body = f"<!DOCTYPE html><title>{name}</title><p>{name} rendering {renders[name]}</p>" + "<p>Idlib.</p>" * 200
    response = HttpResponse(body, content_type=content_type)
    if name in raced:
        cache_control = PAGES["raced"][0]
    if cache_control:
        response["Cache-Control"] = cache_control
    if keys:
        response["Surrogate-Key"] = keys
    return response


def with_cookie(request):
    renders["cookie"] += 1
    response = HttpResponse(f"cookie rendering {renders['cookie']}")
    response["Cache-Control"] = PUBLIC
    response.set_cookie("csrftoken", "per-reader")
    return response


def echo(request):
    """What reached the app: the query string, the cookies and the reader's address as the app sees it."""
    renders["echo"] += 1
    response = HttpResponse(
        f"query={request.META.get('QUERY_STRING', '')}\ncookie={request.META.get('HTTP_COOKIE', '')}\n"
        f"client={client_ip(request)}\n",
        content_type="text/plain",
    )
    response["Cache-Control"] = PUBLIC
    response["Surrogate-Key"] = "echo"
    return response


def broken(request):
    renders["broken"] += 1
    return HttpResponse("the app failed", status=500)


urlpatterns = [
    path("page/<str:name>/", page),
    # Same contract as a public page, but under the prefixes the VCL never caches.
    path("preview/<str:name>/", page),
    path("newsletter/preferences/<str:name>/", page),
    path("cookie/", with_cookie),
    path("echo/", echo),
    path("broken/", broken),
    path("healthz", lambda request: HttpResponse("ok\n", content_type="text/plain")),
]
