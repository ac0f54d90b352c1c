from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from django.utils import timezone
from lxml import etree

from articles.models import Article

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"


@pytest.fixture
def story(make_article, make_author, make_category, make_source):
    world = make_category(name="World", slug="world")
    return make_article(
        headline="Civilian killings mount in Idlib",
        slug="civilian-killings",
        dek="The cease-fire broke down.",
        category=make_category(name="Middle East", slug="middle-east", parent=world),
        source=make_source(),
        authors=[make_author(name="Lisa Schlein", slug="lisa-schlein"), make_author(name="Sam Doe", slug="sam-doe")],
        tags=["Syria", "Idlib"],
    )


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return response, parsed


def test_rss_feed_has_every_required_element(client, story):
    response, parsed = parse(client, "/feed/")
    assert response["Content-Type"].startswith("application/rss+xml")
    assert parsed.version == "rss20"
    root = etree.fromstring(response.content)
    channel = root.find("channel")
    for required in ("title", "link", "description"):
        assert channel.findtext(required)
    assert channel.find(f"{ATOM}link").get("rel") == "self"
    item = channel.find("item")
    assert item.findtext("title") == "Civilian killings mount in Idlib"
    assert item.findtext("link") == "http://testserver" + story.get_absolute_url()
    assert item.findtext("guid") == "http://testserver" + story.get_absolute_url()
    assert item.findtext("description") == "The cease-fire broke down."
    assert item.findtext("pubDate")
    assert [c.text for c in item.findall(f"{DC}creator")] == ["Lisa Schlein", "Sam Doe"]
    assert {c.text for c in item.findall("category")} == {"Middle East", "Syria", "Idlib"}


def test_an_item_without_a_dek_is_described_by_its_first_words_not_its_headline(client, make_article):
    make_article(
        headline="Quake hits the coast",
        dek="",
        body='<figure><img src="/x.jpg" alt=""><figcaption>Rubble</figcaption></figure>'
        "<p>A strong earthquake struck the coast on Monday &amp; shook buildings.</p>",
    )
    for url in ("/feed/", "/feed/atom/"):
        _, parsed = parse(client, url)
        assert parsed.entries[0].summary == "A strong earthquake struck the coast on Monday & shook buildings."


def test_atom_feed_has_every_required_element(client, story):
    response, parsed = parse(client, "/feed/atom/")
    assert response["Content-Type"].startswith("application/atom+xml")
    assert parsed.version == "atom10"
    root = etree.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.findtext(f"{ATOM}{required}")
    assert root.find(f"{ATOM}author/{ATOM}name").text == "Newsroom"
    entry = root.find(f"{ATOM}entry")
    for required in ("id", "title", "updated", "published", "summary"):
        assert entry.findtext(f"{ATOM}{required}"), required
    assert entry.find(f"{ATOM}link").get("href") == "http://testserver" + story.get_absolute_url()
    authors = [(a.findtext(f"{ATOM}name"), a.findtext(f"{ATOM}uri")) for a in entry.findall(f"{ATOM}author")]
    assert authors == [
        ("Lisa Schlein", "http://testserver/author/lisa-schlein/"),
        ("Sam Doe", "http://testserver/author/sam-doe/"),
    ]
    assert [a.name for a in parsed.entries[0].authors] == ["Lisa Schlein", "Sam Doe"]
    assert {c.get("term") for c in entry.findall(f"{ATOM}category")} == {"Middle East", "Syria", "Idlib"}


def test_feed_dates_are_publication_and_update_times(client, story):
    _, parsed = parse(client, "/feed/atom/")
    entry = parsed.entries[0]
    published = datetime(*entry.published_parsed[:6], tzinfo=UTC)
    assert abs(published - story.published_at) < timedelta(seconds=1)
    assert entry.updated_parsed >= entry.published_parsed


def test_feeds_hold_the_latest_30_published_articles(client, make_article, make_category):
    category = make_category()
    for _ in range(32):
        make_article(category=category)
    make_article(headline="Draft", status=Article.Status.DRAFT)
    make_article(headline="Embargoed", published_at=timezone.now() + timedelta(hours=1))
    for url in ("/feed/", "/feed/atom/"):
        _, parsed = parse(client, url)
        titles = [e.title for e in parsed.entries]
        assert len(titles) == 30
        assert "Draft" not in titles and "Embargoed" not in titles
        assert titles[0] == "Cease-fire breaks down 1"


@pytest.mark.parametrize(
    "url", ["/category/world/feed/", "/category/middle-east/feed/", "/tag/syria/feed/", "/author/sam-doe/feed/"]
)
def test_section_feeds_hold_only_their_articles(client, story, make_article, url):
    make_article(headline="Unrelated story")
    response, parsed = parse(client, url)
    assert [e.title for e in parsed.entries] == ["Civilian killings mount in Idlib"]
    assert parsed.feed.title.startswith("Newsroom: ")


@pytest.mark.parametrize("url", ["/category/nope/feed/", "/tag/nope/feed/", "/author/nope/feed/"])
def test_unknown_section_feed_answers_404(client, url):
    assert client.get(url).status_code == 404


def test_empty_feed_is_still_valid(client):
    for url in ("/feed/", "/feed/atom/"):
        _, parsed = parse(client, url)
        assert parsed.entries == []


def test_hostile_text_is_escaped_in_feeds(client, make_article):
    make_article(headline='<script>alert(1)</script> & "quotes"', dek="Less < more & ]]>")
    for url in ("/feed/", "/feed/atom/"):
        response, parsed = parse(client, url)
        assert parsed.entries[0].title == '<script>alert(1)</script> & "quotes"'
        assert b"<script>" not in response.content


def test_feed_query_count_does_not_grow_with_items(client, make_article, make_author, django_assert_max_num_queries):
    client.get("/feed/")  # warm up nothing in particular; each request below is a cache miss after a change
    for _ in range(20):
        make_article(authors=[make_author(), make_author()], tags=["a", "b", "c"])
    with django_assert_max_num_queries(7):
        client.get("/feed/atom/")
    with django_assert_max_num_queries(8):
        client.get("/tag/a/feed/")
