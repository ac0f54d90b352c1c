from datetime import UTC, datetime, timedelta

import lxml.html
import pytest
from django.core.management import call_command
from django.utils import timezone

from articles.models import Article
from website.demo.content import read_seed

pytestmark = pytest.mark.django_db

SEED_URL = "/2020/01/17/civilian-killings-mount-in-idlib-as-cease-fire-breaks-down/"


@pytest.fixture
def demo(settings):
    settings.DEBUG = False
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_seed_article_page_shows_every_element_of_the_seed(client, demo):
    seed = read_seed()
    response = client.get(SEED_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert seed.banner in html
    assert "Weapons of Mass Destruction (WMD)" in html
    assert f'<h1 class="headline">{seed.headline}</h1>' in html
    assert '<a href="/author/lisa-schlein/" rel="author">Lisa Schlein</a>' in html
    assert "VOA" in html
    assert "January 17, 2020" in html
    body = lxml.html.fromstring(html).cssselect(".story-body p")
    assert [p.text_content() for p in body] == seed.paragraphs
    assert 'rel="tag"' in html
    assert "<footer" in html


def test_seed_paragraphs_are_stored_verbatim(demo):
    seed = read_seed()
    article = Article.objects.get(headline=seed.headline)
    assert article.byline_text == "By Lisa Schlein"
    assert article.source.short_name == "VOA"
    assert article.category.name == "Weapons of Mass Destruction (WMD)"
    assert timezone.localtime(article.published_at).date().isoformat() == "2020-01-17"
    assert article.body.count("<p>") == len(seed.paragraphs) == 8


def test_banner_is_hidden_when_none_is_active(client, make_article, make_banner):
    article = make_article()
    make_banner(text="Expired promo", active_until=timezone.now() - timedelta(minutes=1))
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Expired promo" not in html
    assert 'class="promo"' not in html


# A withdrawn article answers 410 instead: tests/articles/test_withdrawals.py.
@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.REVIEW])
def test_unpublished_article_answers_404(client, make_article, status):
    article = make_article(status=status, published_at=timezone.now() - timedelta(days=1))
    assert client.get(article.get_absolute_url()).status_code == 404


def test_embargoed_article_answers_404(client, make_article):
    article = make_article(published_at=timezone.now() + timedelta(hours=1))
    assert client.get(article.get_absolute_url()).status_code == 404


def test_unknown_article_answers_404(client):
    assert client.get("/2020/01/17/no-such-story/").status_code == 404


def test_wrong_date_answers_404(client, make_article):
    article = make_article()
    assert client.get(f"/1999/01/01/{article.slug}/").status_code == 404


def test_article_date_is_in_the_site_time_zone(settings, make_article):
    settings.TIME_ZONE = "America/New_York"
    article = make_article(published_at=datetime(2020, 1, 18, 2, 0, tzinfo=UTC))
    assert article.get_absolute_url().startswith("/2020/01/17/")


def test_healthz_answers_200(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_home_lists_published_articles(client, make_article):
    make_article(headline="Visible story")
    make_article(headline="Hidden draft", status=Article.Status.DRAFT)
    html = client.get("/").content.decode()
    assert "Visible story" in html
    assert "Hidden draft" not in html


def test_category_page_includes_subcategory_articles(client, make_article, make_category):
    parent = make_category(name="World", slug="world")
    child = make_category(name="Middle East", slug="middle-east", parent=parent)
    make_article(headline="From the child", category=child)
    assert "From the child" in client.get("/category/world/").content.decode()


@pytest.mark.parametrize("page", ["0", "999", "abc", "-1", "9" * 40])
def test_bad_page_numbers_answer_404(client, make_article, make_category, page):
    category = make_category(slug="world")
    make_article(category=category)
    assert client.get(f"/category/world/?page={page}").status_code == 404


def test_tag_and_author_pages(client, make_article, make_author):
    author = make_author(
        name="Lisa Schlein", slug="lisa-schlein", bio="Reports from Geneva.", job_title="Correspondent"
    )
    make_article(headline="Tagged story", authors=[author], tags=["Syria"])
    assert "Tagged story" in client.get("/tag/syria/").content.decode()
    html = client.get("/author/lisa-schlein/").content.decode()
    assert "Tagged story" in html and "Reports from Geneva." in html and "Correspondent" in html


def test_article_page_query_count_does_not_grow_with_tags_and_bylines(
    client, make_article, make_author, django_assert_max_num_queries
):
    small = make_article(authors=[make_author()], tags=["one"])
    big = make_article(authors=[make_author() for _ in range(8)], tags=[f"tag {i}" for i in range(20)])
    # The sections, banner and signup lists are kept per content version after the first page: load one so that both
    # counts are of the article alone (its relations, and 2 for the page cache on a miss).
    client.get("/corrections/")
    with django_assert_max_num_queries(11) as small_queries:
        client.get(small.get_absolute_url())
    with django_assert_max_num_queries(11) as big_queries:
        client.get(big.get_absolute_url())
    assert len(big_queries) == len(small_queries)


def test_listing_query_count_does_not_grow_with_items(client, make_article, make_author, django_assert_max_num_queries):
    for _ in range(15):
        make_article(authors=[make_author(), make_author()], tags=["a", "b"])
    with django_assert_max_num_queries(11):  # 9 for the page, 2 for the page cache's next-change lookup
        client.get("/")


@pytest.mark.parametrize("kind", ["tag", "author", "section"])
def test_a_name_known_only_from_an_embargoed_story_is_not_public(
    client, make_article, make_author, make_category, kind
):
    """Issue 16 item 6: during an embargo, its new tag, author or section answered 200 with the name."""
    secret_section = make_category(name="Operation Nightfall", slug="operation-nightfall", in_navigation=False)
    secret_author = make_author(name="Embedded Correspondent", slug="embedded-correspondent")
    make_article(
        published_at=timezone.now() + timedelta(hours=2),
        tags=["nightfall"],
        authors=[secret_author],
        category=secret_section,
    )
    path = {
        "tag": "/tag/nightfall/",
        "author": "/author/embedded-correspondent/",
        "section": "/category/operation-nightfall/",
    }[kind]
    for url in (path, f"{path}feed/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "ightfall" not in response.content.decode() and "Embedded Correspondent" not in response.content.decode()


def test_a_navigation_section_answers_before_its_first_story(client, make_category):
    make_category(name="Space", slug="space", in_navigation=True)
    assert client.get("/category/space/").status_code == 200


def test_the_home_page_has_one_page(client, make_article):
    make_article()
    assert client.get("/?page=1").status_code == 200
    assert client.get("/?page=99").status_code == 404


def test_a_phrase_search_is_not_quoted_twice(client, make_article):
    make_article(headline="Cease-fire breaks down")
    html = client.get('/search/?q="cease-fire"').content.decode()
    assert "“cease-fire”" in html
    assert "“&quot;cease-fire&quot;”" not in html
