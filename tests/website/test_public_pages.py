import io
import json
from datetime import UTC, datetime, timedelta

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from articles.models import Article

pytestmark = pytest.mark.django_db


def doc(response):
    return lxml.html.fromstring(response.content)


def headlines(page, selector):
    return [h.text_content().strip() for h in doc(page).cssselect(f"{selector} .item-headline")]


def json_ld(response):
    return [json.loads(s.text) for s in doc(response).cssselect('script[type="application/ld+json"]')]


# Home


def test_home_leads_with_the_newest_featured_story(client, make_article):
    make_article(headline="Newest")
    make_article(headline="Featured older", featured=True)
    make_article(headline="Featured oldest", featured=True)
    page = client.get("/")
    assert headlines(page, ".lead") == ["Featured older"]
    assert headlines(page, ".top-stories") == ["Newest", "Featured oldest"]


def test_home_without_a_featured_story_leads_with_the_newest(client, make_article):
    for n in range(8):
        make_article(headline=f"Story {n}")
    page = client.get("/")
    assert headlines(page, ".lead") == ["Story 0"]
    assert headlines(page, ".top-stories") == ["Story 1", "Story 2", "Story 3", "Story 4"]
    assert headlines(page, ".latest") == ["Story 5", "Story 6", "Story 7"]


def test_home_items_show_headline_dek_byline_time_and_category(client, make_article, make_author, make_category):
    make_article(
        headline="Talks resume",
        dek="Envoys met in Geneva.",
        authors=[make_author(name="Lisa Schlein", slug="lisa-schlein")],
        category=make_category(name="World", short_name="World"),
    )
    item = doc(client.get("/")).cssselect(".lead .item")[0]
    assert item.cssselect(".item-headline a")[0].text == "Talks resume"
    assert item.cssselect(".dek")[0].text == "Envoys met in Geneva."
    assert item.cssselect('.meta a[rel="author"]')[0].text == "Lisa Schlein"
    assert item.cssselect(".meta time")[0].get("datetime")
    assert item.cssselect(".kicker a")[0].text == "World"


def test_home_has_a_rail_per_navigation_category(client, make_article, make_category):
    world = make_category(name="World", slug="world", nav_order=1)
    mideast = make_category(name="Middle East", slug="middle-east", parent=world)
    science = make_category(name="Science", slug="science", nav_order=2)
    hidden = make_category(name="Hidden", slug="hidden", in_navigation=False)
    for n in range(5):
        make_article(headline=f"Filler {n}", category=hidden)  # fills the lead and top stories
    make_article(headline="Sub story", category=mideast, published_at=timezone.now() - timedelta(days=1))
    for n in range(6):
        make_article(headline=f"World {n}", category=world, published_at=timezone.now() - timedelta(days=2, hours=n))
    make_article(headline="Science story", category=science, published_at=timezone.now() - timedelta(days=3))
    page = doc(client.get("/"))
    rails = page.cssselect(".rail")
    assert [r.cssselect("h2")[0].text_content() for r in rails] == ["World", "Science"]
    world_rail = [h.text_content().strip() for h in rails[0].cssselect(".item-headline")]
    assert world_rail == ["Sub story", "World 0", "World 1", "World 2"]
    assert [h.text_content().strip() for h in rails[1].cssselect(".item-headline")] == ["Science story"]


def test_home_shows_nothing_unpublished(client, make_article):
    make_article(headline="Draft", status=Article.Status.DRAFT, featured=True)
    make_article(headline="Embargoed", published_at=timezone.now() + timedelta(hours=1), featured=True)
    make_article(headline="Live")
    html = client.get("/").content.decode()
    assert "Draft" not in html and "Embargoed" not in html
    assert headlines(client.get("/"), ".lead") == ["Live"]


# Listings


def test_category_pages_paginate(client, make_article, make_category, settings):
    settings.NEWSROOM_PAGE_SIZE = 3
    category = make_category(slug="world")
    for n in range(7):
        make_article(headline=f"Story {n}", category=category)
    first, third = client.get("/category/world/"), client.get("/category/world/?page=3")
    assert headlines(first, ".list") == ["Story 0", "Story 1", "Story 2"]
    assert headlines(third, ".list") == ["Story 6"]
    assert doc(first).cssselect('.pagination a[rel="next"]')[0].get("href") == "?page=2"
    assert doc(third).cssselect('link[rel="canonical"]')[0].get("href") == "http://testserver/category/world/?page=3"
    assert client.get("/category/world/?page=4").status_code == 404


def test_category_page_links_its_subcategories(client, make_category, make_article):
    world = make_category(name="World", slug="world")
    make_category(name="Africa", slug="africa", parent=world)
    page = doc(client.get("/category/world/"))
    assert [a.text for a in page.cssselect(".subsections a")] == ["Africa"]


def test_a_section_page_names_only_the_subsections_of_its_stories(client, make_category, make_article):
    science = make_category(name="Science")
    for n in range(5):  # newer: the lead and the top stories, which the section rails leave out
        make_article(headline=f"Discovery {n}", category=science)
    world = make_category(name="World", slug="world")
    make_article(headline="Envoys meet", category=world)
    make_article(headline="Aid arrives", category=make_category(name="Middle East", parent=world))
    page = doc(client.get("/category/world/"))
    assert [k.text_content() for k in page.cssselect(".list .kicker")] == ["Middle East"]
    rail = doc(client.get("/")).cssselect("#rail-world")[0].getparent()
    assert [k.text_content() for k in rail.cssselect(".kicker")] == ["Middle East"]


def test_author_page_shows_bio_photo_and_job_title(client, make_author, make_article):
    buffer = io.BytesIO()
    Image.new("RGB", (96, 96), "gray").save(buffer, "PNG")
    author = make_author(
        name="Lisa Schlein",
        slug="lisa-schlein",
        job_title="Geneva correspondent",
        bio="Covers the UN in Geneva.",
        photo=SimpleUploadedFile("lisa.png", buffer.getvalue(), content_type="image/png"),
    )
    make_article(headline="Her story", authors=[author])
    page = doc(client.get("/author/lisa-schlein/"))
    assert page.cssselect("h1")[0].text == "Lisa Schlein"
    assert page.cssselect(".job-title")[0].text == "Geneva correspondent"
    assert page.cssselect(".bio")[0].text == "Covers the UN in Geneva."
    photo = page.cssselect("img.author-photo")[0]
    assert photo.get("alt") == "Portrait of Lisa Schlein"
    assert photo.get("src").endswith(".png")
    assert [h.text_content().strip() for h in page.cssselect(".item-headline")] == ["Her story"]


# Archives


@pytest.fixture
def dated(make_article, settings):
    settings.TIME_ZONE = "America/New_York"
    make_article(headline="Jan 17", published_at=datetime(2020, 1, 17, 15, tzinfo=UTC))
    make_article(headline="Jan 18 local", published_at=datetime(2020, 1, 19, 2, tzinfo=UTC))  # 21:00 on the 18th
    make_article(headline="March", published_at=datetime(2020, 3, 2, 15, tzinfo=UTC))
    make_article(headline="2018", published_at=datetime(2018, 6, 1, 15, tzinfo=UTC))


def test_year_archive_lists_the_year_with_its_months(client, dated):
    page = client.get("/archive/2020/")
    assert headlines(page, ".list") == ["March", "Jan 18 local", "Jan 17"]
    assert [a.text for a in doc(page).cssselect(".archive-periods a")] == ["January", "March"]
    links = {a.get("rel"): a.get("href") for a in doc(page).cssselect(".period-nav a")}
    assert links == {"prev": "/archive/2018/"}


def test_month_archive_links_days_and_neighbouring_months(client, dated):
    page = client.get("/archive/2020/01/")
    assert headlines(page, ".list") == ["Jan 18 local", "Jan 17"]
    assert [a.get("href") for a in doc(page).cssselect(".archive-periods a")] == [
        "/archive/2020/01/17/",
        "/archive/2020/01/18/",
    ]
    links = {a.get("rel"): a.get("href") for a in doc(page).cssselect(".period-nav a")}
    assert links == {"prev": "/archive/2018/06/", "next": "/archive/2020/03/"}


def test_day_archive_uses_the_site_time_zone(client, dated):
    page = client.get("/archive/2020/01/18/")
    assert headlines(page, ".list") == ["Jan 18 local"]
    links = {a.get("rel"): a.get("href") for a in doc(page).cssselect(".period-nav a")}
    assert links == {"prev": "/archive/2020/01/17/", "next": "/archive/2020/03/02/"}


@pytest.mark.parametrize("url", ["/archive/2019/", "/archive/2020/02/", "/archive/2020/13/", "/archive/2020/02/31/"])
def test_empty_or_impossible_periods_answer_404(client, dated, url):
    assert client.get(url).status_code == 404


def test_this_years_archive_answers_even_when_empty(client, dated):
    response = client.get(f"/archive/{timezone.localdate().year}/")
    assert response.status_code == 200
    links = {a.get("rel"): a.get("href") for a in doc(response).cssselect(".period-nav a")}
    assert links == {"prev": "/archive/2020/"}


def test_archive_pages_paginate(client, make_article, settings):
    settings.NEWSROOM_PAGE_SIZE = 2
    for day in range(1, 6):
        make_article(published_at=datetime(2021, 5, day, 15, tzinfo=UTC))
    assert len(headlines(client.get("/archive/2021/05/?page=3"), ".list")) == 1
    assert client.get("/archive/2021/05/?page=4").status_code == 404
    assert client.get("/archive/2021/05/?page=x").status_code == 404


def test_archive_refuses_post(client, dated):
    assert client.post("/archive/2020/").status_code == 405


# Metadata


def test_article_page_carries_news_article_json_ld(client, make_article, make_author, make_category, make_source):
    article = make_article(
        headline="Civilian killings mount",
        dek="The cease-fire broke down.",
        category=make_category(name="Weapons of Mass Destruction (WMD)"),
        authors=[make_author(name="Lisa Schlein", slug="lisa-schlein"), make_author(name="Sam Doe", slug="sam")],
        source=make_source(url="https://www.voanews.com/"),
        original_url="https://www.voanews.com/a/idlib",
        tags=["Syria", "Idlib"],
    )
    data = {d["@type"]: d for d in json_ld(client.get(article.get_absolute_url()))}
    news = data["NewsArticle"]
    assert news["@context"] == "https://schema.org"
    assert news["headline"] == "Civilian killings mount"
    assert news["description"] == "The cease-fire broke down."
    assert datetime.fromisoformat(news["datePublished"]) == article.published_at.replace(microsecond=0) or (
        abs(datetime.fromisoformat(news["datePublished"]) - article.published_at) < timedelta(seconds=1)
    )
    assert datetime.fromisoformat(news["dateModified"]) >= datetime.fromisoformat(news["datePublished"])
    assert news["author"] == [
        {"@type": "Person", "name": "Lisa Schlein", "url": "http://testserver/author/lisa-schlein/"},
        {"@type": "Person", "name": "Sam Doe", "url": "http://testserver/author/sam/"},
    ]
    assert news["publisher"]["@type"] == "NewsMediaOrganization"
    assert news["publisher"]["name"] == "Newsroom"
    assert news["articleSection"] == "Weapons of Mass Destruction (WMD)"
    assert news["keywords"] == ["Idlib", "Syria"] or sorted(news["keywords"]) == ["Idlib", "Syria"]
    assert news["isBasedOn"] == "https://www.voanews.com/a/idlib"
    assert news["mainEntityOfPage"]["@id"] == "http://testserver" + article.get_absolute_url()
    crumbs = data["BreadcrumbList"]["itemListElement"]
    assert [c["name"] for c in crumbs] == ["Newsroom", "Weapons of Mass Destruction (WMD)", "Civilian killings mount"]


def test_json_ld_cannot_break_out_of_its_script(client, make_article):
    article = make_article(headline="</script><script>alert(1)</script>", dek="a & b")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "</script><script>alert(1)" not in html
    data = {d["@type"]: d for d in json_ld(client.get(article.get_absolute_url()))}
    assert data["NewsArticle"]["headline"] == "</script><script>alert(1)</script>"


def test_article_page_has_social_and_feed_metadata(client, make_article, make_category):
    article = make_article(headline="Talks", dek="Envoys met.", category=make_category(slug="world"), tags=["Syria"])
    page = doc(client.get(article.get_absolute_url()))
    meta = {m.get("property") or m.get("name"): m.get("content") for m in page.cssselect("meta[content]")}
    url = "http://testserver" + article.get_absolute_url()
    assert page.cssselect("title")[0].text == "Talks | Newsroom"
    assert meta["description"] == "Envoys met."
    assert meta["og:type"] == "article"
    assert meta["og:title"] == "Talks"
    assert meta["og:description"] == "Envoys met."
    assert meta["og:url"] == url
    assert meta["og:site_name"] == "Newsroom"
    assert meta["article:tag"] == "Syria"
    assert meta["twitter:card"] == "summary"
    assert page.cssselect('link[rel="canonical"]')[0].get("href") == url
    feeds = {link.get("href") for link in page.cssselect('link[rel="alternate"]')}
    assert {"http://testserver/category/world/feed/", "http://testserver/feed/", "http://testserver/feed/atom/"} <= (
        feeds
    )


def test_wire_copy_can_point_canonical_at_the_original(client, make_article, make_source):
    article = make_article(
        source=make_source(), original_url="https://www.voanews.com/a/idlib", canonical_is_original=True
    )
    page = doc(client.get(article.get_absolute_url()))
    assert page.cssselect('link[rel="canonical"]')[0].get("href") == "https://www.voanews.com/a/idlib"


@pytest.mark.parametrize(
    "url,title,feed",
    [
        ("/", "Newsroom", "/feed/"),
        ("/category/world/", "World | Newsroom", "/category/world/feed/"),
        ("/tag/syria/", "Syria | Newsroom", "/tag/syria/feed/"),
        ("/author/lisa-schlein/", "Lisa Schlein | Newsroom", "/author/lisa-schlein/feed/"),
        ("/archive/2020/", "Archive: 2020 | Newsroom", "/feed/"),
        ("/search/?q=talks", "Search: talks | Newsroom", "/feed/"),
    ],
)
def test_every_page_has_title_description_canonical_and_feeds(
    client, make_article, make_author, make_category, url, title, feed
):
    make_article(
        headline="Talks",
        category=make_category(name="World", slug="world"),
        authors=[make_author(name="Lisa Schlein", slug="lisa-schlein")],
        tags=["Syria"],
        published_at=datetime(2020, 1, 17, 15, tzinfo=UTC),
    )
    response = client.get(url)
    assert response.status_code == 200
    page = doc(response)
    assert page.cssselect("title")[0].text == title
    assert page.cssselect('meta[name="description"]')[0].get("content")
    assert page.cssselect('link[rel="canonical"]')[0].get("href").startswith("http://testserver/")
    assert page.cssselect('meta[property="og:title"]')[0].get("content")
    assert "http://testserver" + feed in {link.get("href") for link in page.cssselect('link[rel="alternate"]')}
    assert len(page.cssselect("h1")) == 1
    if url != "/":
        types = [d["@type"] for d in json_ld(response)]
        assert "BreadcrumbList" in types


def test_search_page_is_not_indexed(client):
    page = doc(client.get("/search/?q=x"))
    assert page.cssselect('meta[name="robots"]')[0].get("content") == "noindex, follow"


# Error pages


def test_404_page_is_in_the_site_design(client, settings):
    settings.DEBUG = False
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = doc(response)
    assert page.cssselect("h1")[0].text == "We can’t find that page"
    assert page.cssselect(".masthead .site-name")
    assert page.cssselect('form[role="search"]')
    assert page.cssselect('meta[name="robots"]')[0].get("content") == "noindex"


# Query budgets: the same number of queries however many items, bylines and tags a page shows.


def _count(client, url, django_assert_max_num_queries, budget):
    with django_assert_max_num_queries(budget) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize(
    "url,budget",
    [
        ("/", 11),
        ("/category/world/", 11),
        ("/tag/common/", 11),
        ("/author/lisa-schlein/", 11),
        ("/archive/2020/", 12),
        ("/archive/2020/01/", 12),
        ("/search/?q=talks", 12),
        ("/feed/", 8),
        ("/sitemap.xml", 10),
        ("/sitemap-articles-2020-01.xml", 8),
    ],
)
def test_query_count_is_constant_per_page_type(
    client, make_article, make_author, make_category, django_assert_max_num_queries, url, budget
):
    world = make_category(name="World", slug="world")
    lisa = make_author(name="Lisa Schlein", slug="lisa-schlein")
    counts = []
    for batch in (8, 20):  # enough that every part of every page has items both times
        for n in range(batch):
            make_article(
                headline=f"Talks {batch}-{n}",
                category=world,
                authors=[lisa, make_author(), make_author()],
                tags=["common", f"t{batch}-{n}-a", f"t{batch}-{n}-b"],
                published_at=datetime(2020, 1, 1 + n, 15, tzinfo=UTC),
            )
        counts.append(_count(client, url, django_assert_max_num_queries, budget))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    "url,budget",
    [
        ("/category/world/?page=2", 11),
        ("/tag/common/?page=2", 11),
        ("/search/?q=talks&page=2", 12),
        # the section and author are looked up, then the author's story keys (see ArticleQuerySet.by_author); and
        # every request past the page cache asks whether changes to a live story are due (website/middleware.py)
        ("/search/?q=talks&category=world&author=lisa-schlein", 15),
        ("/feed/atom/", 8),
        ("/category/world/feed/", 8),
        ("/tag/common/feed/", 8),
        ("/author/lisa-schlein/feed/", 8),
        ("/news-sitemap.xml", 8),
        ("/sitemap-categories.xml", 8),
        ("/sitemap-tags.xml", 8),
        ("/sitemap-authors.xml", 8),
        ("/corrections/", 11),
    ],
)
def test_query_count_does_not_grow_with_page_size_or_relations(
    client, make_article, make_author, make_category, django_assert_max_num_queries, settings, url, budget
):
    """Second pages, filtered searches, every feed and sitemap section: the same count with 3 or 12 items a page,
    one or three bylines, and two or six tags each."""
    world = make_category(name="World", slug="world")
    lisa = make_author(name="Lisa Schlein", slug="lisa-schlein")
    recent = timezone.now() - timedelta(hours=2)
    counts = []
    for page_size, extra in ((3, 0), (12, 2)):
        settings.NEWSROOM_PAGE_SIZE = page_size
        for n in range(2 * page_size + 1):
            article = make_article(
                headline=f"Talks {page_size}-{n}",
                category=world,
                authors=[lisa, *(make_author() for _ in range(extra))],
                tags=["common", *(f"t{page_size}-{n}-{i}" for i in range(1 + 2 * extra))],
                published_at=recent - timedelta(minutes=n),
            )
            article.corrections.create(text=f"An earlier version misspelt a name ({n}).")
        counts.append(_count(client, url, django_assert_max_num_queries, budget))
    assert counts[0] == counts[1]
