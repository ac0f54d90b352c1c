"""Load shedding (newsroom/overload.py): slow requests beyond the limit are turned away at once, health checks never."""

import threading

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from newsroom.overload import LoadShedMiddleware

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_site(settings):
    """A middleware in front of a view that holds its thread until released, with room for two at once."""
    settings.NEWSROOM_BUSY_LIMIT = 2
    release, entered = threading.Event(), threading.Semaphore(0)

    def slow_view(request):
        entered.release()
        release.wait(10)
        return HttpResponse("done")

    middleware = LoadShedMiddleware(slow_view)
    workers = []

    def occupy(count):
        for _ in range(count):
            thread = threading.Thread(target=middleware, args=(RequestFactory().get("/search/?q=war"),))
            thread.start()
            workers.append(thread)
            assert entered.acquire(timeout=10)

    yield middleware, occupy
    release.set()
    for thread in workers:
        thread.join(10)


def test_requests_beyond_the_limit_get_503_at_once(busy_site):
    middleware, occupy = busy_site
    occupy(2)
    response = middleware(RequestFactory().get("/search/?q=peace"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Cache-Control"] == "no-store"


def test_health_checks_pass_when_the_worker_is_full(busy_site):
    middleware, occupy = busy_site
    occupy(2)
    # The view here would block; a health check must never reach the queue of slow requests at all.
    middleware.get_response = lambda request: HttpResponse("ok")
    for path in ("/healthz", "/readyz"):
        assert middleware(RequestFactory().get(path)).status_code == 200


def test_a_freed_slot_is_taken_again(settings):
    settings.NEWSROOM_BUSY_LIMIT = 1
    middleware = LoadShedMiddleware(lambda request: HttpResponse("done"))
    for _ in range(5):
        assert middleware(RequestFactory().get("/search/?q=war")).status_code == 200


def test_pages_served_from_the_cache_are_never_turned_away(client, settings, make_article):
    settings.NEWSROOM_PAGE_CACHE = True
    settings.NEWSROOM_BUSY_LIMIT = 1
    make_article()
    client.get("/")
    from newsroom import overload

    full = threading.BoundedSemaphore(1)
    full.acquire()
    original = overload.LoadShedMiddleware.__init__

    def always_full(self, get_response):
        original(self, get_response)
        self.slots = full

    overload.LoadShedMiddleware.__init__ = always_full
    try:
        from django.test import Client

        fresh = Client()  # a new handler, with the full middleware
        assert fresh.get("/")["X-Cache"] == "HIT"
        assert fresh.get("/search/?q=anything").status_code == 503
    finally:
        overload.LoadShedMiddleware.__init__ = original


def test_readiness_reports_each_dependency(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    report = response.json()
    assert report["database"] == "ok" and report["cache"] == "ok" and report["ready"] is True
    assert "task_backlog_seconds" in report
