"""The production engine itself: deploy/varnish/newsroom.vcl in a real varnishd, in front of a Django server that
answers with the page cache's contract (tests/serving/urls.py), and the purges of newsroom/varnish.py."""

import gzip
import socket
import time

import pytest
from django.conf import settings as django_settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.test import override_settings
from django.test.testcases import LiveServerThread
from django.utils import timezone
from django_tasks import TaskResultStatus

from newsroom.varnish import MAX_ATTEMPTS, PurgeFailed, purge, purge_keys
from tests.serving import urls as pages
from tests.serving.conftest import run_varnish

ALL_KEYS = {key for _, keys, _ in pages.PAGES.values() for key in keys.split()} | {"echo"}


def _backend_settings():
    """The test pages, and not the app's embedded page cache, which would otherwise answer before the engine under
    test; readers come through Varnish as 127.0.0.1."""
    return override_settings(
        ROOT_URLCONF="tests.serving.urls",
        # The engine's contract alone: no page cache of the app's own, and none of the site's middleware that reads
        # the database (these pages have none).
        MIDDLEWARE=[
            name
            for name in django_settings.MIDDLEWARE
            if not name.startswith(("newsroom.pagecache", "website.middleware"))
        ],
        ALLOWED_HOSTS=[*django_settings.ALLOWED_HOSTS, "127.0.0.1"],
    )


class AppServer:
    """Django's live server thread, without the test's database connection: the test pages use none, and a
    shared one would be touched by the server's request signals while the test has no database access."""

    def __init__(self):
        self.thread = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
        self.thread.daemon = True
        self.thread.start()
        self.thread.is_ready.wait()
        if self.thread.error:
            raise self.thread.error
        self.url = f"http://127.0.0.1:{self.thread.port}"

    def stop(self):
        self.thread.terminate()


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    """One Varnish and one app server for the module (varnishd takes seconds to compile its VCL); each test starts
    from an empty cache (see `_fresh`)."""
    with _backend_settings():
        server = AppServer()
        try:
            varnish = run_varnish(server.url, tmp_path_factory.mktemp("varnish"))
            yield varnish
            varnish.stop()
        finally:
            server.stop()


@pytest.fixture(autouse=True)
def _fresh(request, settings):
    pages.renders.clear()
    pages.failing.clear()
    if "engine" in request.fixturenames:
        engine = request.getfixturevalue("engine")
        settings.NEWSROOM_VARNISH_URLS = [engine.url]
        purge(ALL_KEYS)


@pytest.fixture
def backend():
    """An app server of this test's own, which it may stop."""
    with _backend_settings():
        server = AppServer()
        yield server
        server.stop()


@pytest.fixture
def own_engine(backend, start_varnish):
    return start_varnish(backend.url)


def test_a_second_get_is_a_hit(engine):
    first = engine.get("/page/article-1/")
    second = engine.get("/page/article-1/")

    assert (first.status, first.cache) == (200, "MISS")
    assert (second.status, second.cache) == (200, "HIT")
    assert second.body == first.body
    assert pages.renders["article-1"] == 1


def test_keys_and_the_age_are_not_shown_to_readers(engine):
    engine.get("/page/article-1/")
    hit = engine.get("/page/article-1/")

    assert "Surrogate-Key" not in hit.headers and "xkey" not in hit.headers
    assert hit.headers["Cache-Control"] == pages.PUBLIC
    # The browser's max-age counts from now: the copy is kept current by purges.
    assert hit.headers["Age"] == "0"


def test_a_purge_drops_exactly_the_pages_carrying_the_key(engine):
    for name in ("article-1", "article-2", "section-3"):
        engine.get(f"/page/{name}/")

    answer = engine.request("PURGE", "/", headers={"xkey-purge": "article-2"})

    assert (answer.status, answer.text) == (200, "Purged 1\n")
    assert engine.get("/page/article-2/").cache == "MISS"
    assert engine.get("/page/article-1/").cache == "HIT"
    assert engine.get("/page/section-3/").cache == "HIT"


def test_a_soft_purge_serves_the_old_copy_while_one_fetch_makes_the_page_again(engine):
    for name in ("article-1", "article-2"):
        engine.get(f"/page/{name}/")

    assert purge(["article-2"], soft=True) == {engine.url: 1}

    # The first reader after the purge is not kept waiting: the old copy, and a fetch in the background.
    first = engine.get("/page/article-2/")
    assert (first.cache, "rendering 1" in first.text) == ("STALE", True)
    _wait_for(lambda: "rendering 2" in engine.get("/page/article-2/").text)
    assert engine.get("/page/article-2/").cache == "HIT"
    assert pages.renders["article-2"] == 2
    assert engine.get("/page/article-1/").cache == "HIT"


def test_a_page_raced_by_a_purge_never_replaces_the_kept_copy(engine):
    engine.get("/page/article-1/")
    purge(["article-1"], soft=True)
    pages.raced.add("article-1")
    try:
        # The background fetch brings a page made while the purge was under way: the kept copy stays, marked stale,
        # and the next reader's request fetches again.
        assert "rendering 1" in engine.get("/page/article-1/").text
        _wait_for(lambda: engine.get("/page/article-1/").cache == "STALE" and pages.renders["article-1"] >= 3)
    finally:
        pages.raced.clear()
    _wait_for(lambda: engine.get("/page/article-1/").cache == "HIT")
    assert "rendering 1" not in engine.get("/page/article-1/").text


def test_a_purge_of_several_keys_drops_every_page_carrying_any(engine):
    for name in ("article-1", "article-2", "section-3", "feed"):
        engine.get(f"/page/{name}/")

    assert purge(["article-2", "section-3"]) == {engine.url: 3}

    assert [engine.get(f"/page/{name}/").cache for name in ("article-1", "article-2", "section-3", "feed")] == [
        "MISS",
        "MISS",
        "MISS",
        "HIT",
    ]


def test_a_purge_from_an_address_outside_the_acl_is_refused(engine):
    engine.get("/page/article-1/")

    refused = engine.request("PURGE", "/", headers={"xkey-purge": "article-1"}, source="127.0.0.2")

    assert refused.status == 403
    assert engine.get("/page/article-1/").cache == "HIT"


def test_a_purge_without_keys_is_refused(engine):
    assert engine.request("PURGE", "/").status == 400


@pytest.mark.parametrize("path", ["/cookie/", "/page/private/", "/page/no-store/", "/page/unmarked/", "/page/raced/"])
def test_responses_with_a_cookie_or_not_marked_public_are_not_kept(engine, path):
    first = engine.get(path)
    second = engine.get(path)

    assert first.status == second.status == 200
    assert (first.cache, second.cache) == ("MISS", "MISS")
    assert first.body != second.body


def test_a_server_error_is_not_kept(engine):
    assert engine.get("/broken/").status == 500
    assert engine.get("/broken/").status == 500
    assert pages.renders["broken"] == 2


@pytest.mark.parametrize("path", ["/preview/article-1/", "/newsletter/preferences/article-1/"])
def test_per_reader_urls_always_reach_the_app(engine, path):
    engine.get(path)

    assert engine.get(path).cache == "MISS"


def test_staff_and_readers_with_a_message_reach_the_app_with_their_cookies(engine):
    engine.get("/echo/")

    for cookie in ("sessionid=abc", "theme=dark; messages=xyz"):
        answer = engine.get("/echo/", Cookie=cookie)
        assert answer.cache == "MISS"
        assert f"cookie={cookie}\n" in answer.text


def test_other_cookies_are_dropped_and_share_the_cached_page(engine):
    first = engine.get("/echo/", Cookie="csrftoken=abc; _ga=GA1.2")
    second = engine.get("/echo/", Cookie="csrftoken=def")

    assert "cookie=\n" in first.text
    assert (first.cache, second.cache) == ("MISS", "HIT")


def test_query_strings_are_sorted_and_tracking_parameters_dropped(engine):
    first = engine.get("/echo/?page=2&q=idlib&utm_source=newsletter&utm_medium=email")
    second = engine.get("/echo/?fbclid=abc&q=idlib&gclid=def&page=2")
    third = engine.get("/echo/?utm_campaign=x")

    assert "query=page=2&q=idlib\n" in first.text
    assert second.cache == "HIT"
    assert "query=\n" in third.text
    assert pages.renders["echo"] == 2


def test_behind_varnish_alone_the_app_trusts_one_proxy_for_the_reader_address(engine, settings):
    settings.NEWSROOM_TRUSTED_PROXY_COUNT = 1

    answer = engine.request("GET", "/echo/?reader=3", headers={"X-Forwarded-For": "203.0.113.9"}, source="127.0.0.3")

    # Varnish appends the address it was reached from to what the client claimed.
    assert "client=127.0.0.3\n" in answer.text


def test_http_and_https_are_kept_apart_and_other_values_are_plain_http(engine):
    engine.get("/page/article-1/")

    https = engine.get("/page/article-1/", X_Forwarded_Proto="https")
    junk = engine.get("/page/article-1/", X_Forwarded_Proto="gopher")

    assert (https.cache, junk.cache) == ("MISS", "HIT")


@pytest.mark.parametrize(("name", "content_type"), [("article-1", "text/html"), ("feed", "application/rss+xml")])
def test_pages_and_feeds_are_gzipped_for_clients_that_accept_it(engine, name, content_type):
    engine.get(f"/page/{name}/")

    zipped = engine.get(f"/page/{name}/", Accept_Encoding="gzip, deflate, br")
    plain = engine.get(f"/page/{name}/")

    assert zipped.headers["Content-Type"].startswith(content_type)
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert len(zipped.body) < len(plain.body) / 5
    assert gzip.decompress(zipped.body) == plain.body
    assert "Content-Encoding" not in plain.headers
    assert (zipped.cache, plain.cache) == ("HIT", "HIT")


def test_head_is_answered_and_fills_the_cache(engine):
    head = engine.request("HEAD", "/page/article-1/")
    get = engine.get("/page/article-1/")
    again = engine.request("HEAD", "/page/article-1/")

    assert (head.status, head.cache, head.body) == (200, "MISS", b"")
    assert (get.status, get.cache) == (200, "HIT")
    assert (again.status, again.cache, again.body) == (200, "HIT", b"")
    assert int(again.headers["Content-Length"]) == len(get.body)


def test_an_expired_page_is_served_stale_within_stale_while_revalidate(engine):
    engine.get("/page/lingering/")
    time.sleep(1.5)

    stale = engine.get("/page/lingering/")

    assert (stale.cache, "rendering 1" in stale.text) == ("STALE", True)
    # Meanwhile refreshed in the background, once.
    _wait_for(lambda: "rendering 2" in engine.get("/page/lingering/").text)
    assert pages.renders["lingering"] == 2


def test_an_expired_page_past_stale_while_revalidate_is_fetched_again(engine):
    engine.get("/page/brief/")
    time.sleep(1.5)

    fresh = engine.get("/page/brief/")

    assert (fresh.cache, "rendering 2" in fresh.text) == ("MISS", True)


def test_when_the_app_answers_an_error_a_cached_page_is_served_stale(engine):
    engine.get("/page/brief/")
    pages.failing.update({"brief", "section-3"})
    time.sleep(1.5)  # the page expires; stale-while-revalidate is 0, stale-if-error an hour

    stale = engine.get("/page/brief/")
    never_cached = engine.get("/page/section-3/")

    assert (stale.status, stale.cache, "rendering 1" in stale.text) == (200, "STALE", True)
    assert (never_cached.status, never_cached.text) == (500, "the app failed")
    assert pages.renders["section-3"] == 1
    pages.failing.clear()
    _wait_for(lambda: f"rendering {pages.renders['brief']}<" in engine.get("/page/brief/").text)


def test_with_the_app_down_a_cached_page_is_served_stale(own_engine, backend):
    engine = own_engine
    engine.get("/page/brief/")
    backend.stop()
    time.sleep(1.5)  # the page expires; stale-while-revalidate is 0, stale-if-error an hour

    # At once, while the health probe may still find the app healthy: the failed fetch falls back to the copy.
    at_once = engine.get("/page/brief/")
    _wait_for(lambda: engine.backend_health() == "sick")
    once_sick = engine.get("/page/brief/")
    never_cached = engine.get("/page/section-3/")

    assert (at_once.status, at_once.cache, "rendering 1" in at_once.text) == (200, "STALE", True)
    assert (once_sick.status, once_sick.cache, "rendering 1" in once_sick.text) == (200, "STALE", True)
    assert never_cached.status == 503


def test_purge_sends_the_keys_to_every_varnish_and_counts_what_each_dropped(engine, backend, start_varnish, settings):
    other = start_varnish(backend.url)
    settings.NEWSROOM_VARNISH_URLS = [engine.url, other.url + "/"]
    purge(ALL_KEYS)
    pages.renders.clear()
    for varnish in (engine, other):
        varnish.get("/page/article-1/")
        varnish.get("/page/article-2/")

    assert purge(["home"]) == {engine.url: 2, other.url + "/": 2}
    assert purge([]) == {}
    assert [varnish.get("/page/article-2/").cache for varnish in (engine, other)] == ["MISS", "MISS"]


def test_the_purge_task_delivers_the_purge(engine):
    engine.get("/page/article-1/")

    result = purge_keys.enqueue(["article-1"])

    assert (result.status, result.return_value) == (TaskResultStatus.SUCCESSFUL, {engine.url: 1})
    assert engine.get("/page/article-1/").cache == "MISS"


def test_purge_raises_when_a_varnish_cannot_be_reached_after_purging_the_others(engine, settings):
    unreachable = _unreachable_url()
    settings.NEWSROOM_VARNISH_URLS = [unreachable, engine.url]
    engine.get("/page/article-1/")

    with pytest.raises(PurgeFailed) as failure:
        purge(["article-1"])

    assert list(failure.value.failures) == [unreachable]
    assert "refused" in str(failure.value).lower()
    assert engine.get("/page/article-1/").cache == "MISS"
    assert purge_keys.enqueue(["article-1"]).status == TaskResultStatus.FAILED


def test_purge_raises_when_the_url_is_not_a_varnish(backend):
    with pytest.raises(PurgeFailed, match="answered [45]0[0-9]"):
        purge(["article-1"], urls=[backend.url])


@pytest.mark.parametrize("key", ["two words", "a,b", "", "line\nbreak"])
def test_purge_refuses_a_key_that_would_name_other_keys(key):
    with pytest.raises(ValueError, match="Not a surrogate key"):
        purge(["home", key], urls=[])


def _wait_for(condition, seconds=15):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.mark.django_db
def test_a_failed_purge_is_tried_again_later_for_the_unreachable_varnish_only(engine, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    unreachable = _unreachable_url()
    settings.NEWSROOM_VARNISH_URLS = [engine.url, unreachable]
    engine.get("/page/article-1/")

    with pytest.raises(PurgeFailed):
        purge_keys.call(["article-1"])
    retry = DBTaskResult.objects.get()
    with pytest.raises(PurgeFailed):
        purge_keys.call(["article-1"], [unreachable], MAX_ATTEMPTS)

    assert engine.get("/page/article-1/").cache == "MISS"
    assert retry.task_path == "newsroom.varnish.purge_keys"
    assert retry.args_kwargs["args"] == [["article-1"], [unreachable], 2, False]
    assert retry.run_after > timezone.now()
    assert DBTaskResult.objects.count() == 1  # the last attempt gives up


def _unreachable_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"  # nothing listens once the socket is closed
