from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone

from articles.models import Article
from mailinglist.models import Issue

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

    # The page cache's lookup (2), the site's chrome (nav, banner, signup lists), the count and the page.
    with django_assert_max_num_queries(7):
        client.get("/newsletter/archive/")


def test_an_embargoed_article_is_not_shown_before_its_time(client, sent_issue, make_article):
    later = make_article(headline="Embargoed", published_at=timezone.now() + timedelta(hours=1))
    issue = sent_issue(articles=[later, make_article()])
    assert Article.objects.published().filter(pk=later.pk).count() == 0

    assert "Embargoed" not in client.get(issue.get_absolute_url()).content.decode()


def test_an_issue_that_finishes_sending_appears_in_the_cached_archive_at_once(client, make_issue, add_subscribers):
    from mailinglist import sending

    issue = make_issue(subject="Friday briefing")
    add_subscribers(issue.mailing_list, 2)
    assert "Friday briefing" not in client.get("/newsletter/archive/").content.decode()  # now cached

    sending.start(issue)
    sending.drain(issue)

    assert "Friday briefing" in client.get("/newsletter/archive/").content.decode()
