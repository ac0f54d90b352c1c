"""Nothing unpublished reaches a public page.

Draft, in-review, scheduled, unscheduled and withdrawn articles carry a unique marker in every text field (and in
the live updates of those covered live); no public URL may show it. Neither may a live story's changes awaiting
review, or scheduled for later, before they are published. Every public surface belongs in PUBLIC_URLS: add
archives, search, feeds and sitemaps (and anything newer) here as they arrive.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article

MARKER = "qx7-unpublished-marker"

# Every page a reader or a crawler can reach. Placeholders: {category}, {tag}, {author} (slugs shared by the
# hidden articles and one live article) and {article} (each hidden article's own address).
PUBLIC_URLS = [
    "/",
    "{article}",
    "/category/{category}/",
    "/category/{category}/?page=1",
    "/tag/{tag}/",
    "/author/{author}/",
    "/corrections/",
    "/archive/{year}/",
    "/archive/{year}/{month}/",
    "/archive/{year}/{month}/{day}/",
    "/search/?q=" + MARKER,
    "/search/?q=headline",
    "/search/?q=story&category={category}&author={author}",
    "/feed/",
    "/feed/atom/",
    "/category/{category}/feed/",
    "/tag/{tag}/feed/",
    "/author/{author}/feed/",
    "/sitemap.xml",
    "/news-sitemap.xml",
    "/robots.txt",
    "/newsletter/",
    "/newsletter/archive/",
    "/newsletter/archive/feed/",
    "/newsletter/archive/{issue}/",
    # A live story's updates: newer than an id, one update's address, the feed.
    "{article}updates/?after=0",
    "{article}updates/1/",
    "{article}feed/",
]


@pytest.fixture
def newsroom(make_article, make_author, make_category, make_editor):
    """One live article, and hidden ones in every unpublished state, all sharing category, tag and author."""
    editor = make_editor()
    category, author = make_category(name="World", slug="world"), make_author(name="Lisa Schlein", slug="lisa")
    shared = {"category": category, "authors": [author], "tags": ["Syria"]}
    make_article(headline="A live story", slug="live-story", **shared)

    def hidden(state, **fields):
        return make_article(
            headline=f"{MARKER} {state} headline",
            slug=f"{state}-story",
            dek=f"{MARKER} dek",
            body=f"<p>{MARKER} body</p>",
            dateline=MARKER,
            **shared,
            **fields,
        )

    draft = hidden("draft", status=Article.Status.DRAFT)
    review = hidden("review", status=Article.Status.REVIEW)
    scheduled = hidden("scheduled", status=Article.Status.REVIEW)
    for article in (draft, scheduled):
        article.change_coverage(by=editor, to=Article.Coverage.LIVE)
        article.post_update(by=editor, text=f"{MARKER} live update", key=True)
    scheduled.publish(by=editor, at=timezone.now() + timedelta(hours=2))
    unscheduled = hidden("unscheduled", status=Article.Status.REVIEW)
    unscheduled.publish(by=editor, at=timezone.now() + timedelta(hours=2))
    unscheduled.unschedule(by=editor)
    withdrawn = hidden("withdrawn")
    withdrawn.add_correction(by=editor, kind="correction", text=f"{MARKER} correction")
    withdrawn.withdraw(by=editor, comment=f"{MARKER} internal reason", notice="Withdrawn for legal reasons.")
    articles = [draft, review, scheduled, unscheduled, withdrawn]
    for article in articles:
        article.refresh_from_db()
    issue = _sent_issue_with(articles)
    changed = [_live_with_changes(editor, shared, "waiting"), _live_with_changes(editor, shared, "timed", later=True)]
    return {
        "category": category.slug,
        "tag": "syria",
        "author": author.slug,
        "articles": articles,
        "changed": changed,
        "issue": issue,
    }


def _live_with_changes(editor, shared, name, later=False):
    """A live story (covered live, with a public update) whose changes, marked, await review or are scheduled."""
    from articles import pending
    from articles.models import Byline, Category

    article = Article.objects.create(
        headline=f"Live story {name}",
        slug=f"live-{name}",
        body="<p>The live text.</p>",
        category=shared["category"],
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=3),
    )
    Byline.objects.create(article=article, author=shared["authors"][0])
    article.tags.add(*shared["tags"])
    article.change_coverage(by=editor, to=Article.Coverage.LIVE)
    article.post_update(by=editor, text="A public update.")
    elsewhere = Category.objects.create(
        name=f"{MARKER} section {name}", slug=f"marker-section-{name}", in_navigation=False
    )
    content = {
        **pending.live_content(article),
        "headline": f"{MARKER} pending headline",
        "dek": f"{MARKER} pending dek",
        "body": f"<p>{MARKER} pending body</p>",
        "dateline": MARKER,
        "tags": ["Syria", f"{MARKER} tag"],
        "secondary_category_ids": [elsewhere.pk],
    }
    article.save_for_review(by=editor, content=content, expected_version=article.version)
    if later:
        article.publish_changes(by=editor, at=timezone.now() + timedelta(hours=2))
    article.refresh_from_db()
    return article


def _sent_issue_with(articles):
    """A sent newsletter issue that (as no admin form allows) lists the hidden articles too."""
    from mailinglist.models import MailingList
    from newsletters.models import Issue, IssueArticle

    mailing_list = MailingList.objects.create(name="Daily", slug="daily")
    issue = Issue.objects.create(
        mailing_list=mailing_list, subject="Briefing", status=Issue.Status.SENT, sent_at=timezone.now()
    )
    IssueArticle.objects.bulk_create(
        [IssueArticle(issue=issue, article=article, order=n) for n, article in enumerate(articles)]
    )
    return issue.pk


@pytest.mark.django_db
@pytest.mark.parametrize("template", PUBLIC_URLS)
def test_unpublished_marker_appears_on_no_public_url(client, newsroom, template):
    today = timezone.localdate()
    slugs = {key: newsroom[key] for key in ("category", "tag", "author", "issue")}
    slugs |= {"year": today.year, "month": f"{today:%m}", "day": f"{today:%d}"}
    urls = {template.format(article=article.get_absolute_url(), **slugs) for article in newsroom["articles"]}
    for url in sorted(urls):
        response = client.get(url)
        assert response.status_code in (200, 404, 410), url
        body = response.content.decode()
        if url.startswith("/search/"):
            # The search page repeats the reader's query; what must not appear is a hidden article.
            for article in newsroom["articles"]:
                state = article.slug.removesuffix("-story")
                assert article.slug not in body and f"{state} headline" not in body, url
        else:
            assert MARKER not in body, url
        assert not any(MARKER in value for value in response.headers.values()), url
        if template == "{article}":
            assert response.status_code in (404, 410), url


@pytest.mark.django_db
@pytest.mark.parametrize("template", PUBLIC_URLS)
def test_changes_awaiting_review_appear_on_no_public_url(client, newsroom, template):
    today = timezone.localdate()
    slugs = {key: newsroom[key] for key in ("category", "tag", "author", "issue")}
    slugs |= {"year": today.year, "month": f"{today:%m}", "day": f"{today:%d}"}
    for url in sorted({template.format(article=a.get_absolute_url(), **slugs) for a in newsroom["changed"]}):
        response = client.get(url, follow=url.endswith("updates/1/"))
        assert response.status_code in (200, 404), url
        body = response.content.decode()
        if url.startswith("/search/"):
            assert "pending headline" not in body and "pending body" not in body, url
        else:
            assert MARKER not in body, url
        assert not any(MARKER in value for value in response.headers.values()), url


@pytest.mark.django_db
def test_the_live_stories_with_changes_show_their_live_text(client, newsroom):
    """The test above is only meaningful if those stories' pages really answer."""
    for article in newsroom["changed"]:
        body = client.get(article.get_absolute_url()).content.decode()
        assert "The live text." in body and "A public update." in body
        assert "A public update." in client.get(article.get_absolute_url() + "updates/?after=0").content.decode()


@pytest.mark.django_db
def test_the_live_story_is_on_the_listings(client, newsroom):
    """The leak test is only meaningful if the pages it reads really list articles."""
    for url in [
        "/",
        f"/category/{newsroom['category']}/",
        f"/tag/{newsroom['tag']}/",
        f"/author/{newsroom['author']}/",
    ]:
        assert "A live story" in client.get(url).content.decode(), url


@pytest.mark.django_db
def test_unpublished_marker_appears_in_no_sitemap_section(client, newsroom):
    from lxml import etree

    index = etree.fromstring(client.get("/sitemap.xml").content)
    sections = [loc.text for loc in index.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert sections
    for section in sections:
        response = client.get(section.removeprefix("http://testserver"))
        assert response.status_code == 200, section
        body = response.content.decode()
        assert MARKER not in body and "draft-story" not in body and "scheduled-story" not in body, section
