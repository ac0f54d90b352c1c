from datetime import UTC, datetime

import pytest
import time_machine

from articles.models import Article

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
AT_THREE = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def scheduled(make_article, make_author, make_category, make_editor):
    """At noon an editor schedules a story for three o'clock."""
    with time_machine.travel(NOON, tick=False):
        article = make_article(
            status=Article.Status.REVIEW,
            headline="Embargoed report",
            category=make_category(slug="world"),
            authors=[make_author(slug="lisa")],
            tags=["Syria"],
        )
        article.publish(by=make_editor(), at=AT_THREE)
    article.refresh_from_db()
    return article


PAGES = ["/", "/category/world/", "/tag/syria/", "/author/lisa/"]


def visible(client, article):
    detail = client.get(article.get_absolute_url()).status_code == 200
    listed = ["Embargoed report" in client.get(url).content.decode() for url in PAGES]
    return detail, listed


def test_invisible_until_its_time(client, scheduled):
    with time_machine.travel(datetime(2026, 3, 2, 14, 59, 59, 999000, tzinfo=UTC), tick=False):
        assert visible(client, scheduled) == (False, [False] * len(PAGES))
        assert scheduled.is_scheduled


def test_visible_at_its_time_with_no_job_run(client, scheduled):
    with time_machine.travel(AT_THREE, tick=False):
        assert visible(client, scheduled) == (True, [True] * len(PAGES))
        assert scheduled.is_live and not scheduled.is_scheduled


def test_unscheduled_before_its_time_never_appears(client, scheduled, make_editor):
    with time_machine.travel(datetime(2026, 3, 2, 14, 0, tzinfo=UTC), tick=False):
        scheduled.unschedule(by=make_editor())
    with time_machine.travel(datetime(2026, 3, 2, 16, 0, tzinfo=UTC), tick=False):
        assert visible(client, scheduled) == (False, [False] * len(PAGES))


def test_scheduled_url_uses_the_publication_date_in_the_site_time_zone(scheduled, settings):
    # 15:00 UTC on 2 March is 10:00 in New York, the same day.
    assert scheduled.get_absolute_url() == "/2026/03/02/cease-fire-breaks-down-1/"
