"""Parts of pages kept per content version in each process: the site-wide chrome and rendered listing items.

These are what make a page cache miss cheap; each must still show an edit at once."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

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
