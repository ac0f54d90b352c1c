import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django.utils.http import http_date

from articles.models import Article, Byline
from newsroom import pagecache

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def csrf_site(settings):
    settings.ROOT_URLCONF = "tests.newsroom.csrf_urls"


def test_repeat_visit_is_served_from_the_cache_without_a_query(client, make_article, django_assert_num_queries):
    make_article(headline="Cached story")
    first = client.get("/")
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get("/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert "Cached story" in second.content.decode()


@pytest.mark.parametrize(
    "url", ["/feed/", "/feed/atom/", "/sitemap.xml", "/news-sitemap.xml", "/robots.txt", "/search/?q=story"]
)
def test_feeds_sitemaps_and_search_are_cached_too(client, make_article, django_assert_num_queries, url):
    make_article(headline="A story")
    client.get(url)
    with django_assert_num_queries(0):
        assert client.get(url)["X-Page-Cache"] == "hit"


def test_anonymous_pages_carry_public_cache_headers(client, make_article):
    make_article()
    response = client.get("/")
    assert response["Cache-Control"].startswith("public, max-age=")
    assert "stale-while-revalidate=" in response["Cache-Control"]
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"].endswith("GMT")


def test_conditional_get_with_etag_answers_304(client, make_article, django_assert_num_queries):
    make_article()
    etag = client.get("/")["ETag"]
    with django_assert_num_queries(0):
        response = client.get("/", headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_conditional_get_with_last_modified_answers_304(client, make_article):
    make_article()
    last_modified = client.get("/")["Last-Modified"]
    assert client.get("/", headers={"if-modified-since": last_modified}).status_code == 304
    earlier = http_date(timezone.now().timestamp() - 3600)
    assert client.get("/", headers={"if-modified-since": earlier}).status_code == 200


def test_etag_changes_when_content_changes(client, make_article):
    make_article(headline="First")
    etag = client.get("/")["ETag"]
    make_article(headline="Second")
    response = client.get("/", headers={"if-none-match": etag})
    assert response.status_code == 200
    assert "Second" in response.content.decode()


def test_publishing_shows_at_once(client, make_article):
    draft = make_article(headline="Breaking news", status=Article.Status.DRAFT, published_at=None)
    assert "Breaking news" not in client.get("/").content.decode()
    draft.status = Article.Status.PUBLISHED
    draft.published_at = timezone.now()
    draft.save()
    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    assert "Breaking news" in response.content.decode()


def test_withdrawing_removes_at_once(client, make_article):
    article = make_article(headline="Mistaken story")
    assert "Mistaken story" in client.get("/").content.decode()
    article.status = Article.Status.WITHDRAWN
    article.save()
    assert "Mistaken story" not in client.get("/").content.decode()


@pytest.mark.parametrize(
    "change",
    [
        "byline",
        "category",
        "author",
        "source",
        "banner",
        "tag",
        "secondary_category",
        "delete",
    ],
)
def test_any_change_to_live_content_invalidates(client, make_article, make_author, make_category, make_banner, change):
    article = make_article(headline="Story")
    client.get("/")
    before = pagecache.current_version()
    if change == "byline":
        Byline.objects.create(article=article, author=make_author(name="New Writer"), order=5)
    elif change == "category":
        article.category.name = "Renamed"
        article.category.save()
    elif change == "author":
        author = article.bylines.first().author
        author.name = "Renamed Author"
        author.save()
    elif change == "source":
        from articles.models import Source

        Source.objects.create(name="Reuters", short_name="Reuters")
    elif change == "banner":
        make_banner(text="New promotion")
    elif change == "tag":
        article.tags.add("Syria")
    elif change == "secondary_category":
        article.secondary_categories.add(make_category())
    elif change == "delete":
        article.delete()
    assert pagecache.current_version() != before
    assert client.get("/")["X-Page-Cache"] == "miss"


def test_change_without_signals_needs_an_explicit_bump(client, make_article):
    article = make_article(headline="Before")
    client.get("/")
    Article.objects.filter(pk=article.pk).update(headline="After")
    assert "Before" in client.get("/").content.decode()
    pagecache.bump_content_version()
    assert "After" in client.get("/").content.decode()


def test_scheduled_story_appears_on_time(client, make_article):
    now = timezone.now()
    make_article(headline="Now")
    make_article(headline="Embargoed", published_at=now + timedelta(minutes=3))
    with time_machine.travel(now, tick=False):
        response = client.get("/")
        assert "Embargoed" not in response.content.decode()
        max_age = int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))
        assert max_age <= 60
        assert client.get("/")["X-Page-Cache"] == "hit"
    with time_machine.travel(now + timedelta(minutes=3, seconds=1), tick=False):
        response = client.get("/")
        assert response["X-Page-Cache"] == "miss"
        assert "Embargoed" in response.content.decode()


def test_lifetime_is_capped_by_the_next_scheduled_publication(client, make_article, settings):
    settings.NEWSROOM_PAGE_MAX_AGE = 3600
    now = timezone.now()
    make_article(headline="Later", published_at=now + timedelta(seconds=40))
    with time_machine.travel(now, tick=False):
        response = client.get("/")
    max_age = int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))
    assert 0 < max_age <= 40


def test_banner_start_caps_the_lifetime(client, make_banner, settings):
    settings.NEWSROOM_PAGE_MAX_AGE = 3600
    now = timezone.now()
    make_banner(text="Coming promo", active_from=now + timedelta(seconds=90))
    with time_machine.travel(now, tick=False):
        response = client.get("/")
    assert int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1)) <= 90


def test_staff_always_see_fresh_pages(client, make_article, make_user):
    article = make_article(headline="Before")
    Client().get("/")  # an anonymous reader fills the cache
    Article.objects.filter(pk=article.pk).update(headline="After")  # no signal: the cache is stale on purpose
    client.force_login(make_user(is_staff=True))
    response = client.get("/")
    assert "After" in response.content.decode()
    assert "X-Page-Cache" not in response
    assert response["Cache-Control"].startswith("private")


def test_post_is_never_cached(client, csrf_site):
    assert client.post("/signup-test/").status_code == 200
    assert "X-Page-Cache" not in client.post("/signup-test/")


def test_not_found_is_not_cached(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "X-Page-Cache" not in response


@pytest.mark.parametrize("url", ["/admin/login/", "/healthz"])
def test_excluded_paths_bypass_the_cache(client, url):
    client.get(url)
    assert "X-Page-Cache" not in client.get(url)


def test_request_with_a_flash_message_cookie_bypasses_the_cache(client, make_article):
    make_article()
    client.get("/")
    client.cookies["messages"] = "something"
    assert "X-Page-Cache" not in client.get("/")


def test_cached_page_stores_a_placeholder_not_a_token(csrf_site):
    Client().get("/form-test/")
    entries = [cache.get(key) for key in _page_keys()]
    assert entries
    for entry in entries:
        assert pagecache.CSRF_PLACEHOLDER.encode() in entry["body"]
        assert TOKEN.search(entry["body"].decode()) is None or TOKEN.search(entry["body"].decode()).group(1) == (
            pagecache.CSRF_PLACEHOLDER
        )


def _page_keys():
    # The file cache cannot list keys; find them by recomputing what the middleware would use.
    from django.test import RequestFactory

    request = RequestFactory().get("/form-test/")
    version, _ = pagecache.current_version()
    return [pagecache.PageCacheMiddleware(None)._key(request, version)]


def test_two_readers_each_get_their_own_working_csrf_token(csrf_site):
    alice, bob = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    alice_page = alice.get("/form-test/")
    bob_page = bob.get("/form-test/")
    assert (alice_page["X-Page-Cache"], bob_page["X-Page-Cache"]) == ("miss", "hit")
    alice_token = TOKEN.search(alice_page.content.decode()).group(1)
    bob_token = TOKEN.search(bob_page.content.decode()).group(1)
    assert pagecache.CSRF_PLACEHOLDER not in (alice_token, bob_token)
    assert alice.cookies["csrftoken"].value != bob.cookies["csrftoken"].value
    assert alice.post("/signup-test/", {"csrfmiddlewaretoken": alice_token}).status_code == 200
    assert bob.post("/signup-test/", {"csrfmiddlewaretoken": bob_token}).status_code == 200
    # One reader's token is worthless with the other's cookie: nothing was shared.
    assert bob.post("/signup-test/", {"csrfmiddlewaretoken": alice_token}).status_code == 403


def test_returning_reader_keeps_a_token_that_matches_their_cookie(csrf_site):
    reader = Client(enforce_csrf_checks=True)
    reader.get("/form-test/")
    second = reader.get("/form-test/")
    assert second["X-Page-Cache"] == "hit"
    token = TOKEN.search(second.content.decode()).group(1)
    assert reader.post("/signup-test/", {"csrfmiddlewaretoken": token}).status_code == 200


def test_page_with_a_token_varies_on_cookie(csrf_site):
    response = Client().get("/form-test/")
    assert "Cookie" in response["Vary"]


def test_hole_punching_handles_either_attribute_order():
    body = (
        '<input type="hidden" name="csrfmiddlewaretoken" value="abc">'
        '<input value="def" type="hidden" name="csrfmiddlewaretoken">'
        '<input name="q" value="keep">'
    )
    punched, count = pagecache._punch_holes(body)
    assert count == 2
    assert "abc" not in punched and "def" not in punched and 'value="keep"' in punched


def test_head_requests_share_the_cached_page(client, make_article, django_assert_num_queries):
    make_article()
    client.get("/")
    with django_assert_num_queries(0):
        response = client.head("/")
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "hit"
    assert response.content == b""


def test_a_stale_entry_is_not_served_after_its_expiry(client, make_article, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 30
    make_article()
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        client.get("/")
        assert client.get("/")["X-Page-Cache"] == "hit"
    with time_machine.travel(now + timedelta(seconds=31), tick=False):
        assert client.get("/")["X-Page-Cache"] == "miss"


def test_cache_can_be_turned_off(client, make_article, settings):
    settings.NEWSROOM_PAGE_CACHE = False
    make_article()
    client.get("/")
    assert "X-Page-Cache" not in client.get("/")


def test_content_models_can_be_named_one_by_one(settings, make_user, make_article):
    before = pagecache.current_version()
    make_user()
    assert pagecache.current_version() == before  # auth is not content
    settings.NEWSROOM_PAGE_CACHE_CONTENT_APPS = ["articles", "taggit", "auth.User"]
    make_user()
    assert pagecache.current_version() != before


def test_a_hot_page_is_served_from_the_workers_own_memory(client, make_article, monkeypatch):
    make_article(headline="Hot story")
    client.get("/")
    # Nothing reaches the shared cache for the second visit: the worker keeps the version and the page itself.
    monkeypatch.setattr(pagecache, "_cache", lambda: pytest.fail("the shared cache was read"))
    response = client.get("/")
    assert response["X-Page-Cache"] == "hit"
    assert "Hot story" in response.content.decode()


def test_an_edit_in_another_worker_is_seen_once_the_version_is_re_read(client, make_article, settings):
    make_article(headline="Before")
    client.get("/")
    # Another process bumps the shared version; this worker trusts its copy for NEWSROOM_PAGE_CACHE_VERSION_SECONDS.
    settings.NEWSROOM_PAGE_CACHE_VERSION_SECONDS = 60
    cache.set(pagecache.VERSION_KEY, ("from-another-worker", 0), timeout=None)
    assert client.get("/")["X-Page-Cache"] == "hit"
    settings.NEWSROOM_PAGE_CACHE_VERSION_SECONDS = 0
    assert client.get("/")["X-Page-Cache"] == "miss"
    assert pagecache.current_version()[0] == "from-another-worker"


def test_an_edit_in_this_worker_is_seen_at_once(client, make_article, settings):
    settings.NEWSROOM_PAGE_CACHE_VERSION_SECONDS = 60
    article = make_article(headline="Before")
    client.get(article.get_absolute_url())
    article.headline = "After"
    article.save()
    response = client.get(article.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert "After" in response.content.decode()


def test_the_workers_page_store_stays_within_its_size(settings):
    settings.NEWSROOM_PAGE_CACHE_LOCAL_BYTES = 10_000
    tier = pagecache._LocalTier()
    for number in range(50):
        tier.put(f"page-{number}", {"body": b"x" * 1_000})
    assert tier.size <= 10_000
    assert len(tier.pages) == 10
    assert tier.get("page-0") is None  # the oldest went first
    assert tier.get("page-49") is not None
    tier.put("huge", {"body": b"x" * 5_000})  # over a quarter of the store: left to the shared cache
    assert tier.get("huge") is None
