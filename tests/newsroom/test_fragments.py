"""Parts of pages kept per content version in each process: the site-wide chrome and rendered listing items.

These are what make a page cache miss cheap; each must still show an edit at once."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from mailinglist.models import MailingList

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    # Whole pages are cached in front of all this; turn that off to see the fragments themselves.
    settings.NEWSROOM_PAGE_CACHE = False


def _tables(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return " ".join(query["sql"] for query in captured.captured_queries)


def test_sections_banner_and_signup_lists_cost_no_query_after_the_first_page(client, make_article, make_banner):
    article = make_article()
    make_banner()
    MailingList.objects.create(name="Daily briefing", slug="daily")
    first = _tables(client, "/corrections/")
    sections = '"articles_category"."parent_id" IS NULL'
    assert "articles_promobanner" in first and "mailinglist_mailinglist" in first and sections in first
    second = _tables(client, article.get_absolute_url())
    assert "articles_promobanner" not in second
    assert "mailinglist_mailinglist" not in second
    assert sections not in second


def test_a_renamed_section_shows_at_once(client, make_category):
    section = make_category(name="Wolrd", slug="world", in_navigation=True)
    assert "Wolrd" in client.get("/").content.decode()
    section.name = "World"
    section.save()
    html = client.get("/").content.decode()
    assert "Wolrd" not in html and ">World<" in html


def test_a_banner_appears_when_it_starts_without_any_edit(client, make_banner):
    now = timezone.now()
    make_banner(text="Starts soon", active_from=now + timedelta(minutes=5))
    with time_machine.travel(now, tick=False):
        assert "Starts soon" not in client.get("/").content.decode()
    with time_machine.travel(now + timedelta(minutes=6), tick=False):
        assert "Starts soon" in client.get("/").content.decode()


def test_a_banner_goes_when_it_ends(client, make_banner):
    now = timezone.now()
    make_banner(text="Ends soon", active_until=now + timedelta(minutes=5))
    with time_machine.travel(now, tick=False):
        assert "Ends soon" in client.get("/").content.decode()
    with time_machine.travel(now + timedelta(minutes=6), tick=False):
        assert "Ends soon" not in client.get("/").content.decode()


def test_listing_items_are_rendered_once_and_renewed_by_an_edit(client, make_article, make_category):
    section = make_category(slug="world")
    article = make_article(headline="First headline", category=section)
    assert "First headline" in client.get("/category/world/").content.decode()
    assert "First headline" in client.get("/category/world/").content.decode()
    article.headline = "Second headline"
    article.save()
    html = client.get("/category/world/").content.decode()
    assert "Second headline" in html and "First headline" not in html


def test_an_author_renamed_shows_in_every_listing_at_once(client, make_article, make_author):
    author = make_author(name="Lisa Schlien", slug="lisa")
    make_article(headline="Story", authors=[author])
    assert "Lisa Schlien" in client.get("/").content.decode()
    author.name = "Lisa Schlein"
    author.save()
    html = client.get("/").content.decode()
    assert "Lisa Schlein" in html and "Lisa Schlien" not in html


def test_an_item_is_the_same_from_the_fragment_cache_as_freshly_rendered(client, make_article, make_author):
    make_article(headline="Same either way", authors=[make_author()])
    cold = client.get("/").content
    warm = client.get("/").content
    assert cold.replace(b"\n", b"") == warm.replace(b"\n", b"")


def test_an_article_page_costs_one_query_once_its_parts_are_made(client, make_article, make_author):
    article = make_article(authors=[make_author(), make_author()], tags=["Syria", "Idlib"])
    first = client.get(article.get_absolute_url()).content
    with CaptureQueriesContext(connection) as captured:
        second = client.get(article.get_absolute_url()).content
    assert len(captured.captured_queries) == 1  # the row itself: is it still live, at this address?
    assert second == first


def test_a_correction_shows_on_the_article_at_once(client, make_article):
    article = make_article()
    client.get(article.get_absolute_url())
    article.corrections.create(kind="correction", text="An earlier version misstated the date.")
    assert "misstated the date" in client.get(article.get_absolute_url()).content.decode()


def test_a_withdrawn_article_is_gone_at_once_whatever_is_kept(client, make_article):
    article = make_article()
    assert client.get(article.get_absolute_url()).status_code == 200
    # No signal on purpose: the page's parts are kept under a version nobody bumped, yet the row decides.
    Article.objects.filter(pk=article.pk).update(status=Article.Status.WITHDRAWN)
    assert client.get(article.get_absolute_url()).status_code == 410


def test_staff_see_the_story_as_the_database_holds_it(client, make_article, make_user):
    article = make_article(headline="Before")
    Client().get(article.get_absolute_url())  # a reader's visit keeps the story and its metadata
    Article.objects.filter(pk=article.pk).update(headline="After")  # no signal: what is kept is stale on purpose
    client.force_login(make_user(is_staff=True))
    html = client.get(article.get_absolute_url()).content.decode()
    assert "After" in html and "Before" not in html


def test_article_metadata_is_kept_per_host(client, make_article, settings):
    settings.ALLOWED_HOSTS = ["news.example", "mirror.example"]
    article = make_article()
    one = client.get(article.get_absolute_url(), HTTP_HOST="news.example").content.decode()
    two = client.get(article.get_absolute_url(), HTTP_HOST="mirror.example").content.decode()
    assert 'rel="canonical" href="http://news.example/' in one
    assert 'rel="canonical" href="http://mirror.example/' in two
