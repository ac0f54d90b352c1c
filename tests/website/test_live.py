"""A live story on the public site: its updates newest first with their own addresses, the cached endpoint its open
pages poll, its feed, structured data and place in the news sitemap; each cached and purged like any page."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from lxml import etree

from articles.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(make_editor):
    return make_editor()


@pytest.fixture
def reporter(make_reporter):
    return make_reporter(first_name="Rita", last_name="Reporter")


@pytest.fixture
def story(make_article, make_category, editor):
    article = make_article(
        headline="Ceasefire talks in Geneva",
        slug="ceasefire-talks",
        category=make_category(name="World", slug="world"),
        published_at=timezone.now() - timedelta(days=3),
    )
    article.change_coverage(by=editor, to=Article.Coverage.LIVE)
    article.refresh_from_db()
    return article


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def structured(response):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S)
    return [json.loads(block) for block in blocks]


def test_the_page_shows_updates_newest_first_each_with_its_anchor(client, story, reporter):
    first = story.post_update(by=reporter, text="Delegates arrive.")
    key = story.post_update(by=reporter, text="Both sides agree to a truce.", key=True)
    body = client.get(story.get_absolute_url()).content.decode()
    assert body.index("Both sides agree") < body.index("Delegates arrive.")
    assert f'id="update-{first.pk}"' in body and f'href="#update-{first.pk}"' in body
    summary = body[body.index('class="live-summary"') : body.index("</section>", body.index('class="live-summary"'))]
    assert f'href="#update-{key.pk}"' in summary and "Delegates" not in summary
    assert f'data-live-url="{story.get_absolute_url()}updates/"' in body
    assert f'data-latest="{key.pk}"' in body
    assert "js/live.js" in body
    assert 'class="live-badge">Live' in body


def test_without_javascript_a_button_reloads_the_page_at_the_updates(client, story):
    body = client.get(story.get_absolute_url()).content.decode()
    assert f'<form class="live-refresh" method="get" action="{story.get_absolute_url()}#updates">' in body
    assert "Newer updates</button>" in body


def test_an_ended_story_is_no_longer_polled(client, story, editor, reporter):
    story.post_update(by=reporter, text="Talks end.")
    story.change_coverage(by=editor, to="ended")
    body = client.get(story.get_absolute_url()).content.decode()
    assert "data-live-feed" not in body and "live-refresh" not in body and "js/live.js" not in body
    assert "Talks end." in body and "coverage has ended" in body


def test_older_updates_are_on_later_pages_and_each_update_has_an_address(client, story, reporter, settings):
    from website import live

    live.UPDATES_PER_PAGE, saved = 2, live.UPDATES_PER_PAGE
    try:
        updates = [story.post_update(by=reporter, text=f"Update number {n}") for n in range(5)]
        first_page = client.get(story.get_absolute_url()).content.decode()
        assert "Update number 4" in first_page and "Update number 2" not in first_page
        assert 'href="?page=2#updates">Older updates' in first_page
        second = client.get(story.get_absolute_url() + "?page=2").content.decode()
        assert "Update number 2" in second and "data-live-feed" not in second
        assert client.get(story.get_absolute_url() + "?page=9").status_code == 404
        answer = client.get(f"{story.get_absolute_url()}updates/{updates[0].pk}/")
        assert answer.status_code == 302
        assert answer["Location"] == f"{story.get_absolute_url()}?page=3#update-{updates[0].pk}"
        answer = client.get(f"{story.get_absolute_url()}updates/{updates[4].pk}/")
        assert answer["Location"] == f"{story.get_absolute_url()}#update-{updates[4].pk}"
    finally:
        live.UPDATES_PER_PAGE = saved


def test_the_endpoint_answers_the_updates_newer_than_the_one_shown(client, story, reporter):
    older = story.post_update(by=reporter, text="Older")
    newer = story.post_update(by=reporter, text="Newer", key=True)
    response = client.get(f"{story.get_absolute_url()}updates/?after={older.pk}")
    body = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert f'id="update-{newer.pk}"' in body and "Older" not in body
    assert 'data-coverage="live"' in body
    assert response["X-Robots-Tag"] == "noindex"
    assert {f"live-{story.pk}", f"article-{story.pk}"} <= set(response["Surrogate-Key"].split())
    assert "<ol>" not in client.get(f"{story.get_absolute_url()}updates/?after={newer.pk}").content.decode()


@pytest.mark.parametrize("after", ["x", "-1", "1.5"])
def test_the_endpoint_refuses_a_malformed_after(client, story, after):
    assert client.get(f"{story.get_absolute_url()}updates/?after={after}").status_code == 404


def test_the_endpoint_answers_only_for_live_stories(client, make_article, story):
    plain = make_article()
    assert client.get(f"{plain.get_absolute_url()}updates/?after=0").status_code == 404
    assert client.get(f"{plain.get_absolute_url()}feed/").status_code == 404
    moved = story.get_absolute_url().replace(f"/{story.published_at:%Y}/", "/1999/")
    assert client.get(f"{moved}updates/?after=0").status_code == 404


def test_the_endpoint_is_cached_until_an_update_is_posted(client, story, reporter, settings, commit):
    settings.NEWSROOM_PAGE_CACHE = True
    url = f"{story.get_absolute_url()}updates/?after=0"
    page = story.get_absolute_url()
    home = "/"
    for path in (url, page, home):
        client.get(path)
        assert client.get(path)["X-Cache"] == "HIT", path
    with commit():
        story.post_update(by=reporter, text="Shelling resumes")
    answer = client.get(url)
    assert answer["X-Cache"] == "MISS" and "Shelling resumes" in answer.content.decode()
    assert "Shelling resumes" in client.get(page).content.decode()
    assert client.get(home)["X-Cache"] == "HIT"  # listings name the story, not its updates


def test_an_edited_or_deleted_update_leaves_the_cached_pages(client, story, reporter, settings, commit):
    settings.NEWSROOM_PAGE_CACHE = True
    with commit():
        update = story.post_update(by=reporter, text="Casualties: 12")
    page = story.get_absolute_url()
    client.get(page)
    update.body = "<p>Casualties: 14</p>"
    with commit():
        update.save_edit(by=reporter)
    assert "Casualties: 14" in client.get(page).content.decode()
    with commit():
        update.remove(by=reporter)
    assert "Casualties" not in client.get(page).content.decode()


def test_ending_coverage_reaches_the_listings_and_the_news_sitemap(client, story, editor, settings, commit):
    settings.NEWSROOM_PAGE_CACHE = True
    for path in ("/", "/news-sitemap.xml"):
        client.get(path)
    assert 'class="live-badge">Live' in client.get("/").content.decode()
    assert "ceasefire-talks" in client.get("/news-sitemap.xml").content.decode()
    with commit():
        story.change_coverage(by=editor, to="ended")
    assert "live-badge" not in client.get("/").content.decode()
    assert "ceasefire-talks" not in client.get("/news-sitemap.xml").content.decode()


def test_live_blog_posting_structured_data(client, story, editor, reporter):
    update = story.post_update(by=reporter, text="Both sides agree to a truce.", key=True)
    data = structured(client.get(story.get_absolute_url()))[0]
    assert data["@type"] == "LiveBlogPosting"
    assert data["coverageStartTime"] and "coverageEndTime" not in data
    assert data["liveBlogUpdate"] == [
        {
            "@type": "BlogPosting",
            "headline": "Both sides agree to a truce.",
            "url": f"http://testserver{story.get_absolute_url()}#update-{update.pk}",
            "datePublished": timezone.localtime(update.published_at).isoformat(),
            "articleBody": "Both sides agree to a truce.",
            "author": {"@type": "Person", "name": "Rita Reporter"},
        }
    ]
    story.change_coverage(by=editor, to="ended")
    assert "coverageEndTime" in structured(client.get(story.get_absolute_url()))[0]


def test_a_story_that_is_not_live_stays_a_news_article(client, make_article):
    assert structured(client.get(make_article().get_absolute_url()))[0]["@type"] == "NewsArticle"


def test_the_feed_of_updates(client, story, reporter):
    story.post_update(by=reporter, text="Delegates arrive.")
    key = story.post_update(by=reporter, text="Both sides agree to a truce.", key=True)
    page = client.get(story.get_absolute_url()).content.decode()
    assert f'href="http://testserver{story.get_absolute_url()}feed/"' in page
    response = client.get(f"{story.get_absolute_url()}feed/")
    assert response.status_code == 200
    assert f"live-{story.pk}" in response["Surrogate-Key"].split()
    items = etree.fromstring(response.content).findall("channel/item")
    assert [item.findtext("title") for item in items] == [
        "Key update: Both sides agree to a truce.",
        "Delegates arrive.",
    ]
    assert items[0].findtext("link") == f"http://testserver{story.get_absolute_url()}updates/{key.pk}/"
    assert "<p>Both sides agree to a truce.</p>" in items[0].findtext("description")


def test_the_news_sitemap_lists_a_live_story_however_old(client, story, make_article):
    make_article(slug="old-news", published_at=timezone.now() - timedelta(days=3))
    body = client.get("/news-sitemap.xml").content.decode()
    assert "ceasefire-talks" in body and "old-news" not in body


def test_the_live_page_costs_a_constant_number_of_queries(
    client, story, reporter, make_author, make_image, django_assert_max_num_queries
):
    def post(n):
        for i in range(n):
            story.post_update(by=reporter, text=f"Update {i}", key=i % 2 == 0, author=make_author(), image=make_image())

    post(1)
    with django_assert_max_num_queries(13) as few:
        client.get(story.get_absolute_url())
    post(6)
    with django_assert_max_num_queries(13) as many:
        client.get(story.get_absolute_url())
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_endpoint_costs_a_constant_number_of_queries(
    client, story, reporter, make_author, make_image, django_assert_max_num_queries
):
    url = f"{story.get_absolute_url()}updates/?after=0"

    def post(n):
        for i in range(n):
            story.post_update(by=reporter, text=f"Update {i}", author=make_author(), image=make_image())

    post(1)
    with django_assert_max_num_queries(4) as few:
        client.get(url)
    post(6)
    with django_assert_max_num_queries(4) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
