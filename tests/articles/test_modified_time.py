"""The modification time readers and crawlers are given (JSON-LD dateModified, article:modified_time, Atom
<updated>, sitemap <lastmod>, the page's "Updated" line) is the last change readers could see: the publication, a
correction or update, an edit of the live text. A save that changes nothing readers read does not move it."""

import importlib
import json
from datetime import UTC, datetime, timedelta

import lxml.html
import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone
from lxml import etree

from articles.models import Article

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
PUBLISHED = datetime(2020, 1, 17, 17, 0, tzinfo=UTC)


def date_modified(client, article):
    page = lxml.html.fromstring(client.get(article.get_absolute_url()).content)
    data = [json.loads(s.text) for s in page.cssselect('script[type="application/ld+json"]')]
    news = next(d for d in data if d["@type"] == "NewsArticle")
    meta = page.cssselect('meta[property="article:modified_time"]')[0].get("content")
    assert datetime.fromisoformat(meta) == datetime.fromisoformat(news["dateModified"])
    return datetime.fromisoformat(news["dateModified"])


def atom_updated(client, article):
    feed = etree.fromstring(client.get("/feed/atom/").content)
    entry = next(e for e in feed.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}title") == article.headline)
    return datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))


def sitemap_lastmod(client, article):
    month = f"{timezone.localtime(article.published_at):%Y-%m}"
    urlset = etree.fromstring(client.get(f"/sitemap-articles-{month}.xml").content)
    for url in urlset.iter(f"{SM}url"):
        if url.findtext(f"{SM}loc").endswith(article.get_absolute_url()):
            return url.findtext(f"{SM}lastmod")  # a date: Django's sitemaps give no time of day
    raise AssertionError("not in the sitemap")


def assert_modified_at(client, article, when):
    """JSON-LD, article:modified_time and Atom give ``when`` (to the second); the sitemap gives its date."""
    assert date_modified(client, article).replace(microsecond=0) == when.replace(microsecond=0)
    assert atom_updated(client, article).replace(microsecond=0) == when.replace(microsecond=0)
    assert sitemap_lastmod(client, article) == f"{timezone.localtime(when):%Y-%m-%d}"


@pytest.fixture
def editor(make_editor):
    return make_editor()


@pytest.fixture
def story(make_article):
    return make_article(headline="Civilian killings mount", published_at=PUBLISHED)


def test_saves_readers_cannot_see_leave_the_modification_time_at_publication(client, story, editor):
    story.save()  # what a dataset import, a demo loader or a denormalised counter does
    story.featured = True
    story.save_edit(by=editor, expected_version=story.version)
    assert Article.objects.get(pk=story.pk).updated_at > PUBLISHED
    assert_modified_at(client, story, PUBLISHED)
    assert b'class="updated"' not in client.get(story.get_absolute_url()).content


def test_a_correction_moves_the_modification_time_everywhere(client, story, editor):
    correction = story.add_correction(by=editor, kind="correction", text="An earlier version misstated the date.")
    assert_modified_at(client, story, correction.created_at)
    page = client.get(story.get_absolute_url()).content.decode()
    assert f'datetime="{timezone.localtime(correction.created_at):%Y-%m-%dT%H:%M:%S%z}"' in page


def test_an_edit_of_the_live_text_moves_it(client, story, editor):
    story.headline = "Civilian killings mount in Idlib"
    with time_machine.travel(datetime(2020, 1, 18, 9, 30, tzinfo=UTC), tick=False):
        story.save_edit(by=editor, expected_version=story.version)
    assert_modified_at(client, story, datetime(2020, 1, 18, 9, 30, tzinfo=UTC))


def test_an_edit_from_an_older_copy_does_not_undo_a_correction(story, editor):
    stale = Article.objects.get(pk=story.pk)
    correction = story.add_correction(by=editor, kind="update", text="Adds the U.N. figures.")
    stale.featured = True
    stale.save_edit(by=editor, expected_version=stale.version)
    assert Article.objects.get(pk=story.pk).modified_at == correction.created_at


def test_publication_sets_it_and_edits_before_going_live_do_not(make_article, editor):
    article = make_article(status=Article.Status.REVIEW)
    at = timezone.now() + timedelta(hours=3)
    article.publish(by=editor, at=at)
    article.refresh_from_db()
    article.body = "<p>Rewritten under embargo.</p>"
    article.save_edit(by=editor, expected_version=article.version)
    assert Article.objects.get(pk=article.pk).modified_at == article.published_at == at


def test_unattended_publication_sets_it_too(make_article):
    article = make_article(status=Article.Status.REVIEW)
    article.publish_unattended(comment="Published automatically from the wire.")
    stored = Article.objects.get(pk=article.pk)
    assert stored.content_modified_at == stored.published_at is not None


def test_the_data_migration_fills_it_from_publication_and_the_latest_correction(make_article, story, editor):
    later = story.add_correction(by=editor, kind="update", text="Adds the U.N. figures.")
    plain = make_article(published_at=PUBLISHED)
    draft = make_article(status=Article.Status.DRAFT)
    Article.objects.update(content_modified_at=None)
    migration = importlib.import_module("articles.migrations.0003_content_modified_at")
    migration.fill_from_publication_and_corrections(apps, None)
    assert Article.objects.get(pk=story.pk).content_modified_at == later.created_at
    assert Article.objects.get(pk=plain.pk).content_modified_at == PUBLISHED
    assert Article.objects.get(pk=draft.pk).content_modified_at is None


def test_the_demo_seed_story_says_it_was_last_changed_in_2020(client, settings):
    settings.DEBUG = False
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    seed = Article.objects.get(slug="civilian-killings-mount-in-idlib-as-cease-fire-breaks-down")
    assert_modified_at(client, seed, seed.published_at)
    assert timezone.localtime(seed.published_at).date().isoformat() == "2020-01-17"
