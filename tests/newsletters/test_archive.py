from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone

from articles.models import Article
from newsletters import sending
from newsletters.models import Issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_issue(make_issue):
    def make(**fields):
        issue = make_issue(**fields)
        Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENT, sent_at=timezone.now())
        issue.refresh_from_db()
        return issue

    return make


def test_the_archive_lists_sent_issues_of_public_lists_only(client, sent_issue, make_issue, make_mailing_list):
    sent = sent_issue(subject="Tuesday briefing")
    make_issue(subject="Draft briefing")
    sent_issue(subject="Staff-only briefing", mailing_list=make_mailing_list(is_public=False))

    page = client.get("/newsletter/archive/").content.decode()

    assert "Tuesday briefing" in page
    assert sent.get_absolute_url() in page
    assert "Draft briefing" not in page and "Staff-only briefing" not in page


def test_an_issue_page_shows_its_live_articles_in_order(client, sent_issue, make_article):
    older, newer = make_article(headline="Older story"), make_article(headline="Newer story")
    issue = sent_issue(articles=[newer, older], intro="Good morning.")

    body = client.get(issue.get_absolute_url()).content.decode()

    assert body.index("Newer story") < body.index("Older story")
    assert "Good morning." in body


def test_an_article_withdrawn_after_sending_leaves_the_archive(client, sent_issue, make_article, make_editor):
    article = make_article(headline="Retracted story")
    issue = sent_issue(articles=[article])
    article.withdraw(by=make_editor(), comment="legal", notice="Withdrawn.")

    assert "Retracted story" not in client.get(issue.get_absolute_url()).content.decode()


def test_unsent_and_unknown_issues_are_not_found(client, make_issue):
    draft = make_issue()

    assert client.get(f"/newsletter/archive/{draft.pk}/").status_code == 404
    assert client.get("/newsletter/archive/99999/").status_code == 404
    assert client.get("/newsletter/archive/?page=nine").status_code == 404


def test_the_archive_feed_lists_sent_issues(client, sent_issue, make_article):
    issue = sent_issue(subject="Wednesday briefing", articles=[make_article(headline="Talks resume")])

    feed = feedparser.parse(client.get("/newsletter/archive/feed/").content)

    assert feed.feed.title.endswith("newsletters")
    [entry] = feed.entries
    assert entry.title == "Wednesday briefing"
    assert entry.link.endswith(issue.get_absolute_url())
    assert "Talks resume" in entry.summary


def test_a_newly_sent_issue_appears_in_the_cached_archive_at_once(client, sent_issue, make_issue):
    assert "Thursday briefing" not in client.get("/newsletter/archive/").content.decode()  # now cached
    issue = make_issue(subject="Thursday briefing")

    issue.status, issue.sent_at = Issue.Status.SENT, timezone.now()
    issue.save()

    assert "Thursday briefing" in client.get("/newsletter/archive/").content.decode()


def test_the_archive_costs_a_constant_number_of_queries(client, sent_issue, django_assert_max_num_queries):
    for n in range(12):
        sent_issue(subject=f"Issue {n}")

    # The page cache's lookup (2), the site's chrome (nav, banner, signup lists), the count, the page and the stories
    # of the page's issues no longer online.
    with django_assert_max_num_queries(8):
        client.get("/newsletter/archive/")


def test_an_embargoed_article_is_not_shown_before_its_time(client, sent_issue, make_article):
    later = make_article(headline="Embargoed", published_at=timezone.now() + timedelta(hours=1))
    issue = sent_issue(articles=[later, make_article()])
    assert Article.objects.published().filter(pk=later.pk).count() == 0

    assert "Embargoed" not in client.get(issue.get_absolute_url()).content.decode()


def test_an_issue_that_finishes_sending_appears_in_the_cached_archive_at_once(client, make_issue, add_subscribers):
    issue = make_issue(subject="Friday briefing")
    add_subscribers(issue.mailing_list, 2)
    assert "Friday briefing" not in client.get("/newsletter/archive/").content.decode()  # now cached

    sending.start(issue)
    sending.drain(issue)

    assert "Friday briefing" in client.get("/newsletter/archive/").content.decode()


@pytest.fixture
def withdrawn_alert(sent_issue, make_article, make_editor):
    """A breaking alert about a story withdrawn after it went out."""
    story = make_article(headline="Minister resigns over arms deal", dek="The defence minister quit on Tuesday.")
    alert = sent_issue(
        kind=Issue.Kind.ALERT,
        subject="Breaking: Minister resigns over arms deal",
        preheader=story.dek,
        articles=[story],
    )
    story.withdraw(by=make_editor(), comment="Legal", notice="Removed pending review.")
    return alert


def test_a_withdrawn_alert_keeps_nothing_of_its_story_in_the_archive(client, withdrawn_alert):
    listing = client.get("/newsletter/archive/").content.decode()
    page = client.get(withdrawn_alert.get_absolute_url()).content.decode()
    feed = client.get("/newsletter/archive/feed/").content.decode()

    for shown in (listing, page, feed):
        assert "Minister resigns" not in shown and "defence minister" not in shown
        assert "This story has been withdrawn." in shown
    assert withdrawn_alert.get_absolute_url() in listing  # the issue itself stays on record


def test_a_withdrawn_story_leaves_a_digest_with_a_notice_in_its_place(client, sent_issue, make_article, make_editor):
    first, gone, last = (
        make_article(headline="Talks resume in Geneva"),
        make_article(headline="Minister resigns over arms deal", dek="The defence minister quit."),
        make_article(headline="Aid convoy reaches Idlib"),
    )
    digest = sent_issue(
        subject="Morning briefing: Minister resigns over arms deal",
        preheader="Also: talks resume",
        intro="Good morning.\nThe minister resigns over arms deal, and more.",
        articles=[first, gone, last],
    )
    gone.withdraw(by=make_editor(), comment="Legal")

    page = client.get(digest.get_absolute_url()).content.decode()
    [entry] = feedparser.parse(client.get("/newsletter/archive/feed/").content).entries

    assert "Minister resigns" not in page and "minister resigns" not in page and "defence minister" not in page
    assert page.index("Talks resume in Geneva") < page.index("This story has been withdrawn.")
    assert page.index("This story has been withdrawn.") < page.index("Aid convoy reaches Idlib")
    assert "Good morning." in page and "Also: talks resume" in page
    assert "Minister resigns" not in entry.title and "Minister resigns" not in entry.summary
    assert entry.summary == (
        "Also: talks resume — Talks resume in Geneva; This story has been withdrawn.; Aid convoy reaches Idlib"
    )


def test_a_withdrawal_reaches_the_cached_archive_at_once(client, sent_issue, make_article, make_editor):
    story = make_article(headline="Minister resigns over arms deal")
    alert = sent_issue(kind=Issue.Kind.ALERT, subject="Breaking: Minister resigns over arms deal", articles=[story])
    assert "Minister resigns" in client.get("/newsletter/archive/").content.decode()  # now cached

    story.withdraw(by=make_editor(), comment="Legal")

    assert "Minister resigns" not in client.get("/newsletter/archive/").content.decode()
    assert "Minister resigns" not in client.get(alert.get_absolute_url()).content.decode()


def test_the_archive_costs_a_constant_number_of_queries_with_withdrawn_stories(
    client, sent_issue, make_article, make_editor, django_assert_max_num_queries
):
    editor = make_editor()
    for n in range(6):
        story = make_article(headline=f"Story {n}")
        sent_issue(subject=f"Breaking: Story {n}", kind=Issue.Kind.ALERT, articles=[story])
        story.withdraw(by=editor, comment="Legal")

    # As for the archive without withdrawals, plus the one query for the stories no longer online.
    with django_assert_max_num_queries(8):
        client.get("/newsletter/archive/")
