"""The old site's addresses answer 301 to the new pages, and the page cache stays the same for every reader."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from tests.wpimport.wxr import Post
from wpimport.importer import import_export

pytestmark = pytest.mark.django_db

NEW = "/2020/01/17/cease-fire/"


def the_export(write_export):
    categories = [("world", "World", ""), ("mideast", "Middle East", "world")]
    return write_export(
        [
            Post(12, slug="cease-fire", categories=[("mideast", "Middle East")], tags=[("syria", "Syria")]),
            Post(13, slug="a-draft", status="draft"),
        ],
        categories=categories,
    )


@pytest.fixture
def imported(write_export, make_editor):
    import_export(the_export(write_export))
    return Article.objects.get(slug="cease-fire")


@pytest.mark.parametrize(
    "old",
    [
        "/?p=12",
        "/2020/01/17/cease-fire/",  # the same as the new address: answered by the story itself
        "/2020/01/cease-fire/",
        "/cease-fire/",
        "/archives/12",
    ],
)
def test_a_post_s_old_addresses_lead_to_the_story(client, imported, old):
    """Its permalink as exported, ``/?p=ID`` and the other permalink shapes WordPress offers."""
    response = client.get(old)
    if old == NEW:
        assert response.status_code == 200
    else:
        assert response.status_code == 301
        assert response["Location"] == NEW


def test_the_old_day_address_follows_the_story_when_the_new_one_differs(client, write_export):
    """The old site's permalink dates are its local time; here the story's date is the GMT time in New York."""
    import_export(write_export([Post(7, slug="late", date="2020-01-18 02:00:00", date_gmt="2020-01-18 02:00:00")]))
    article = Article.objects.get()
    assert article.get_absolute_url() == "/2020/01/17/late/"
    response = client.get("/2020/01/18/late/")
    assert (response.status_code, response["Location"]) == (301, "/2020/01/17/late/")


def test_section_tag_and_author_addresses(client, imported):
    assert client.get("/category/world/mideast/")["Location"] == "/category/mideast/"
    assert client.get("/author/lisa/")["Location"] == "/author/lisa-schlein/"
    assert client.get("/category/mideast/").status_code == 200
    assert client.get("/tag/syria/").status_code == 200


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/?cat=11", "/category/mideast/"),  # term ids as the export numbers them (tests/wpimport/wxr.py)
        ("/?cat=10", "/category/world/"),
        ("/?tag=syria", "/tag/syria/"),
        ("/?author=1", "/author/lisa-schlein/"),
        ("/?author=1&paged=2", "/author/lisa-schlein/"),
    ],
)
def test_query_string_addresses_of_a_site_without_pretty_permalinks(client, imported, old, new):
    response = client.get(old)
    assert (response.status_code, response["Location"]) == (301, new)


@pytest.mark.parametrize("query", ["?cat=99", "?cat=x", "?author=1%00", "?tag=a/b", "?tag=" + "x" * 300, "?p=%D9%A3"])
def test_other_query_strings_are_the_home_page(client, imported, query):
    assert client.get("/" + query).status_code == 200


def test_a_search_by_author_is_not_an_old_address(client, imported):
    response = client.get("/search/", {"q": "story", "author": "lisa-schlein"})
    assert response.status_code == 200
    assert "/2020/01/17/cease-fire/" in response.content.decode()


def test_the_cached_home_page_never_answers_an_old_query_address(client, imported, settings):
    settings.NEWSROOM_PAGE_CACHE = True
    assert client.get("/")["X-Cache"] in ("MISS", "HIT")
    for old in ("/?cat=11", "/?tag=syria", "/?author=1"):
        assert client.get(old).status_code == 301


def test_importing_again_adds_the_query_addresses_an_earlier_release_did_not_make(client, imported, write_export):
    from wpimport.models import OldAddress

    OldAddress.objects.filter(path__contains="?").exclude(path__startswith="/?p=").delete()
    assert client.get("/?cat=11").status_code == 200
    import_export(the_export(write_export))
    assert client.get("/?cat=11")["Location"] == "/category/mideast/"
    assert client.get("/?tag=syria")["Location"] == "/tag/syria/"
    assert client.get("/?author=1")["Location"] == "/author/lisa-schlein/"


def test_a_tag_merged_into_one_of_another_slug_keeps_its_old_address(client, write_export):
    from taggit.models import Tag

    Tag.objects.create(name="Syria", slug="syria-news")
    import_export(write_export([Post(1, slug="one", tags=[("syria", "Syria")])]))
    assert client.get("/tag/syria/")["Location"] == "/tag/syria-news/"


def test_a_draft_s_old_address_leads_nowhere_yet(client, imported):
    assert client.get("/?p=13").status_code == 200  # the home page, as for any unknown ?p=
    assert client.get("/a-draft/").status_code == 404


def test_a_withdrawn_story_s_old_address_leads_to_its_notice(client, imported, make_editor):
    imported.withdraw(by=make_editor(), comment="Legal", notice="Withdrawn.")
    response = client.get("/?p=12", follow=True)
    assert response.redirect_chain == [(NEW, 301)]
    assert response.status_code == 410


def test_a_moved_story_s_old_address_follows_it(client, imported):
    Article.objects.filter(pk=imported.pk).update(slug="cease-fire-collapses")
    assert client.get("/cease-fire/")["Location"] == "/2020/01/17/cease-fire-collapses/"


def test_an_unknown_address_is_still_a_404(client, imported):
    assert client.get("/no-such-page/").status_code == 404


def test_the_home_page_is_cached_alike_for_every_reader_and_a_redirect_is_never_stored(client, imported, settings):
    settings.NEWSROOM_PAGE_CACHE = True
    assert client.get("/?p=12").status_code == 301
    assert client.get("/?p=12").status_code == 301  # not a stored page: asked again, the answer is the same
    first = client.get("/?utm_source=x")
    assert first.status_code == 200 and first["X-Cache"] == "MISS"
    assert client.get("/")["X-Cache"] == "HIT"
    assert "Set-Cookie" not in first


def test_pages_that_answer_never_look_up_old_addresses(client, imported, make_article):
    article = make_article(published_at=timezone.now())
    with CaptureQueriesContext(connection) as queries:
        assert client.get(article.get_absolute_url()).status_code == 200
    assert not any("wpimport_oldaddress" in query["sql"] for query in queries.captured_queries)
