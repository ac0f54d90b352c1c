"""Changes to a live story scheduled by an editor replace the live text at their time with nothing but the app
running (website/middleware.py), and no cached page outlives that time."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from articles import pending

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(make_editor):
    return make_editor()


@pytest.fixture
def story(make_article, make_category, make_author):
    return make_article(
        headline="Talks open in Geneva",
        body="<p>The talks opened on Monday in Geneva.</p>",
        category=make_category(name="World", slug="world"),
        authors=[make_author(name="Lisa Schlein", slug="lisa")],
        published_at=timezone.now() - timedelta(hours=2),
    )


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def rewrite(article, **changes):
    return {**pending.live_content(article), **changes}


def s_maxage(response):
    return int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0])


def test_search_and_the_page_keep_the_live_text_while_changes_wait(client, story, editor):
    story.save_for_review(
        by=editor, content=rewrite(story, headline="Talks collapse in Geneva"), expected_version=story.version
    )
    assert "Talks open in Geneva" in client.get(story.get_absolute_url()).content.decode()
    assert "Talks open in Geneva" in client.get("/search/?q=talks").content.decode()
    assert story.get_absolute_url() not in client.get("/search/?q=collapse").content.decode()


def test_scheduled_changes_go_live_with_the_first_request_after_their_time(client, story, editor):
    at = timezone.now() + timedelta(hours=1)
    story.save_for_review(by=editor, content=rewrite(story, headline="Talks collapse"), expected_version=story.version)
    story.publish_changes(by=editor, at=at)
    assert "Talks open in Geneva" in client.get(story.get_absolute_url()).content.decode()
    with time_machine.travel(at + timedelta(seconds=1)):
        assert "Talks collapse" in client.get("/").content.decode()
        assert "Talks collapse" in client.get("/search/?q=collapse").content.decode()
    story.refresh_from_db()
    assert story.headline == "Talks collapse" and story.transitions.first().label == "Changes published"


def test_no_page_is_kept_past_the_scheduled_time(client, story, editor, settings, commit):
    settings.NEWSROOM_PAGE_CACHE = True
    pages = [story.get_absolute_url(), "/", "/category/world/", "/author/lisa/", "/feed/"]
    for path in pages:
        client.get(path)
        assert client.get(path)["X-Cache"] == "HIT", path
    at = timezone.now() + timedelta(minutes=30)
    with commit():
        story.save_for_review(
            by=editor, content=rewrite(story, headline="Talks collapse"), expected_version=story.version
        )
    assert client.get("/")["X-Cache"] == "HIT"  # changes waiting for review purge nothing
    with commit():
        story.publish_changes(by=editor, at=at)
    for path in pages:
        response = client.get(path)
        assert response["X-Cache"] == "MISS", path  # purged when scheduled, so the copies made now know the time
        assert s_maxage(response) <= 30 * 60, path
    with time_machine.travel(at + timedelta(seconds=1)):
        for path in pages:
            assert "Talks collapse" in client.get(path).content.decode(), path


def test_a_scheduled_move_to_another_section_reaches_its_listing(
    client, story, editor, make_category, settings, commit
):
    settings.NEWSROOM_PAGE_CACHE = True
    science = make_category(name="Science", slug="science")
    client.get("/category/science/")
    assert client.get("/category/science/")["X-Cache"] == "HIT"
    with commit():
        story.save_for_review(by=editor, content=rewrite(story, category_id=science.pk), expected_version=1)
        story.publish_changes(by=editor, at=timezone.now() + timedelta(minutes=5))
    assert client.get("/category/science/")["X-Cache"] == "MISS"


def test_health_checks_do_not_publish(client, story, editor):
    at = timezone.now() + timedelta(minutes=5)
    story.save_for_review(by=editor, content=rewrite(story, headline="Later"), expected_version=story.version)
    story.publish_changes(by=editor, at=at)
    with time_machine.travel(at + timedelta(seconds=1)):
        client.get("/healthz")
    story.refresh_from_db()
    assert story.headline == "Talks open in Geneva"
