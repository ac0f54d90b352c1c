import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from lxml import etree

from articles.models import Article
from website import sitemaps

pytestmark = pytest.mark.django_db

SM = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
NS = {"sm": SM, "news": NEWS}
W3C_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$")


def xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    return etree.fromstring(response.content)


@pytest.fixture
def archive(make_article, make_author, make_category):
    author = make_author(name="Lisa Schlein", slug="lisa-schlein")
    category = make_category(name="World", slug="world")
    make_category(name="Empty", slug="empty")
    old = make_article(
        slug="old", published_at=datetime(2020, 1, 17, 15, tzinfo=UTC), authors=[author], category=category
    )
    new = make_article(slug="new", published_at=timezone.now() - timedelta(hours=2), tags=["Syria"])
    make_article(slug="draft", status=Article.Status.DRAFT)
    make_article(slug="embargoed", published_at=timezone.now() + timedelta(hours=2))
    return old, new


def test_index_lists_a_section_per_month_and_per_listing_type(client, archive):
    root = xml(client, "/sitemap.xml")
    assert root.tag == f"{{{SM}}}sitemapindex"
    locs = root.xpath("//sm:sitemap/sm:loc/text()", namespaces=NS)
    this_month = timezone.localtime(archive[1].published_at).strftime("%Y-%m")
    assert locs == [
        f"http://testserver/sitemap-articles-{this_month}.xml",
        "http://testserver/sitemap-articles-2020-01.xml",
        "http://testserver/sitemap-categories.xml",
        "http://testserver/sitemap-tags.xml",
        "http://testserver/sitemap-authors.xml",
    ]
    for lastmod in root.xpath("//sm:sitemap/sm:lastmod/text()", namespaces=NS):
        assert W3C_DATETIME.match(lastmod), lastmod
    for child in root.iterchildren():
        assert {c.tag for c in child} <= {f"{{{SM}}}loc", f"{{{SM}}}lastmod"}


def test_month_section_lists_that_months_live_articles(client, archive):
    old, _ = archive
    root = xml(client, "/sitemap-articles-2020-01.xml")
    assert root.tag == f"{{{SM}}}urlset"
    urls = root.findall(f"{{{SM}}}url")
    assert [u.findtext(f"{{{SM}}}loc") for u in urls] == ["http://testserver" + old.get_absolute_url()]
    assert W3C_DATETIME.match(urls[0].findtext(f"{{{SM}}}lastmod"))
    assert len(urls[0].findtext(f"{{{SM}}}loc")) < 2048


def test_listing_sections_hold_only_pages_with_live_articles(client, archive):
    _, new = archive
    categories = xml(client, "/sitemap-categories.xml").xpath("//sm:loc/text()", namespaces=NS)
    assert categories == ["http://testserver/category/world/", "http://testserver" + new.category.get_absolute_url()]
    tags = xml(client, "/sitemap-tags.xml").xpath("//sm:loc/text()", namespaces=NS)
    assert tags == ["http://testserver/tag/syria/"]
    authors = xml(client, "/sitemap-authors.xml").xpath("//sm:loc/text()", namespaces=NS)
    assert authors[0] == "http://testserver/author/lisa-schlein/"
    assert len(authors) == 2  # the draft's and the embargoed story's authors are not listed


def test_large_sections_are_split_into_pages_listed_in_the_index(client, make_article, monkeypatch):
    monkeypatch.setattr(sitemaps.ArticleMonthSitemap, "limit", 2)
    for day in range(1, 6):
        make_article(published_at=datetime(2021, 3, day, 12, tzinfo=UTC))
    locs = xml(client, "/sitemap.xml").xpath("//sm:loc/text()", namespaces=NS)
    month = [loc for loc in locs if "2021-03" in loc]
    assert month == [
        "http://testserver/sitemap-articles-2021-03.xml",
        "http://testserver/sitemap-articles-2021-03.xml?p=2",
        "http://testserver/sitemap-articles-2021-03.xml?p=3",
    ]
    assert len(xml(client, "/sitemap-articles-2021-03.xml?p=3").findall(f"{{{SM}}}url")) == 1
    assert client.get("/sitemap-articles-2021-03.xml?p=4").status_code == 404


def test_sitemap_limits_are_the_protocols():
    assert sitemaps.ArticleMonthSitemap.limit <= 50_000
    assert sitemaps.NEWS_LIMIT <= 1_000


def test_unknown_section_answers_404(client):
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_news_sitemap_has_articles_of_the_last_48_hours(client, make_article):
    now = timezone.now()
    recent = make_article(headline="Fresh & new <story>", published_at=now - timedelta(hours=3))
    make_article(headline="Too old", published_at=now - timedelta(hours=49))
    make_article(headline="Embargoed", published_at=now + timedelta(hours=1))
    root = xml(client, "/news-sitemap.xml")
    assert root.tag == f"{{{SM}}}urlset"
    assert root.nsmap == {None: SM, "news": NEWS}
    urls = root.findall(f"{{{SM}}}url")
    assert len(urls) == 1
    url = urls[0]
    assert url.findtext(f"{{{SM}}}loc") == "http://testserver" + recent.get_absolute_url()
    news = url.find("news:news", NS)
    assert news.findtext("news:publication/news:name", namespaces=NS) == "Newsroom"
    assert news.findtext("news:publication/news:language", namespaces=NS) == "en"
    assert W3C_DATETIME.match(news.findtext("news:publication_date", namespaces=NS))
    assert news.findtext("news:title", namespaces=NS) == "Fresh & new <story>"


def test_robots_txt_names_both_sitemaps(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Sitemap: http://testserver/news-sitemap.xml" in lines
    assert "Disallow: /admin/" in lines
    assert lines[0] == "User-agent: *"


def test_index_query_count_does_not_grow_with_months(client, make_article, django_assert_max_num_queries):
    for month in range(1, 13):
        make_article(published_at=datetime(2019, month, 10, tzinfo=UTC), tags=[f"t{month}"])
    with django_assert_max_num_queries(10):
        client.get("/sitemap.xml")
