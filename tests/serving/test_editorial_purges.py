"""The real site behind a real Varnish: the newsroom's work keeps pages cached, editorial events purge exactly the
pages they concern (articles/purges.py), and a scheduled story appears on time with nothing but the servers running."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from photos.tasks import make_renditions

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(make_article, make_author, make_category, make_editor):
    world = make_category(name="World", slug="world")
    sport = make_category(name="Sport", slug="sport")
    lisa = make_author(name="Lisa Schlein", slug="lisa-schlein")
    seed = make_article(headline="Civilian Killings Mount in Idlib", category=world, authors=[lisa], tags=["Idlib"])
    make_article(headline="Cup final goes to extra time", category=sport, tags=["Football"])
    return {"world": world, "sport": sport, "seed": seed, "editor": make_editor()}


def soon(varnish, path, condition, seconds=10):
    """The answer for `path` once `condition` holds: after a soft purge the first readers get the old copy while one
    background fetch makes the page again."""
    deadline = time.monotonic() + seconds
    while True:
        answer = varnish.get(path)
        if condition(answer):
            return answer
        assert answer.cache == "STALE", f"{path}: an out-of-date copy served as {answer.cache}"
        assert time.monotonic() < deadline, f"{path} still out of date"
        time.sleep(0.1)


def warm(varnish, *paths):
    for path in paths:
        first = varnish.get(path)
        assert first.status == 200, path
        assert "Set-Cookie" not in first.headers, path
        assert varnish.get(path).cache == "HIT", path


def test_the_newsrooms_work_keeps_every_page_cached(varnish, site, make_article, make_reporter):
    reporter = make_reporter()
    draft = make_article(status=Article.Status.DRAFT, published_at=None, category=site["world"], created_by=reporter)
    pages = ["/", "/category/world/", "/feed/", site["seed"].get_absolute_url()]
    warm(varnish, *pages)
    draft.headline = "Still a draft"
    draft.save_edit(by=reporter, expected_version=draft.version)
    draft.submit(by=reporter, comment="Ready")
    draft.refresh_from_db()
    draft.comment(by=site["editor"], text="Looks good")
    draft.create_preview_link(by=site["editor"])
    for path in pages:
        assert varnish.get(path).cache == "HIT", path


def test_publishing_reaches_its_listings_and_leaves_the_others(varnish, site, make_article):
    story = make_article(
        headline="Missile test over the sea", status=Article.Status.REVIEW, published_at=None, category=site["world"]
    )
    joined, unrelated = ["/", "/category/world/", "/feed/"], ["/category/sport/", "/tag/football/"]
    warm(varnish, *joined, *unrelated)
    story.publish(by=site["editor"])
    for path in joined:
        soon(varnish, path, lambda answer: "Missile test over the sea" in answer.text)
    for path in unrelated:
        assert varnish.get(path).cache == "HIT", path


def test_an_edit_and_a_withdrawal_reach_every_page_that_showed_the_story(varnish, site):
    seed, editor = site["seed"], site["editor"]
    url = seed.get_absolute_url()
    pages = ["/", "/category/world/", "/tag/idlib/", "/author/lisa-schlein/", "/feed/", url]
    warm(varnish, *pages)
    seed.headline = "Civilian Killings Mount in Idlib as Cease-fire Breaks Down"
    seed.save_edit(by=editor, expected_version=seed.version)
    for path in pages:
        soon(varnish, path, lambda answer: "as Cease-fire Breaks Down" in answer.text)
    warm(varnish, *pages)
    seed.refresh_from_db()
    seed.withdraw(by=editor, comment="Legal", notice="Withdrawn.")
    # Purged hard: not one reader more gets the withdrawn story, not even an old copy.
    for path in pages[:-1]:
        answer = varnish.get(path)
        assert answer.cache == "MISS", path
        assert "Civilian Killings" not in answer.text, path
    assert varnish.get(url).status == 410


def test_a_scheduled_story_appears_on_time_with_nothing_else_running(varnish, site, make_article):
    due = timezone.now() + timedelta(seconds=4)
    story = make_article(
        headline="Embargo lifts now", status=Article.Status.REVIEW, published_at=None, category=site["world"]
    )
    story.publish(by=site["editor"], at=due)
    for path in ("/", "/feed/"):
        answer = varnish.get(path)
        assert "Embargo lifts now" not in answer.text
        assert varnish.get(path).cache == "HIT"
    time.sleep(max(0.0, (due - timezone.now()).total_seconds()))
    deadline = time.monotonic() + 3
    for path in ("/", "/feed/"):
        while "Embargo lifts now" not in varnish.get(path).text:
            assert time.monotonic() < deadline, f"{path} still without the story"
            time.sleep(0.2)


def test_new_renditions_reach_the_cached_page(varnish, site, make_image):
    image = make_image()
    Article.objects.filter(pk=site["seed"].pk).update(lead_image=image)
    url = site["seed"].get_absolute_url()
    warm(varnish, url)
    before = f"-v{image.version}.webp"
    assert before in varnish.get(url).text
    image.refocus(0.2, 0.3)  # a new set of renditions, swapped in by the task
    make_renditions.enqueue(image.pk, image.version)
    answer = varnish.get(url)
    assert answer.cache == "MISS"
    assert f"-v{image.version}.webp" in answer.text
    assert before not in answer.text


def test_a_correction_reaches_the_story_and_the_feeds_and_leaves_the_listings(varnish, site):
    url = site["seed"].get_absolute_url()
    listings = ["/", "/category/world/", "/tag/idlib/", "/author/lisa-schlein/"]
    warm(varnish, url, "/corrections/", "/feed/atom/", *listings)
    site["seed"].add_correction(by=site["editor"], kind="correction", text="An earlier version misdated the attack.")
    for path in (url, "/corrections/"):
        soon(varnish, path, lambda answer: "misdated the attack" in answer.text)
    soon(varnish, "/feed/atom/", lambda answer: answer.cache != "STALE")
    for path in listings:
        assert varnish.get(path).cache == "HIT", path
