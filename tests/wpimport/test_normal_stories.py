"""An imported story is a story like any other: its page, feeds, sitemaps, search, revisions and workflow."""

import pytest

from articles import revisions
from articles.models import Article
from tests.wpimport.wxr import Post
from wpimport.importer import import_export

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(write_export):
    import_export(
        write_export(
            [
                Post(
                    1,
                    slug="convoy",
                    title="Aid convoy reaches Idlib",
                    content="Trucks carrying flour crossed the border.",
                    date_gmt="2020-01-17 14:30:00",
                )
            ]
        )
    )
    return Article.objects.get()


def test_its_page_feeds_and_sitemaps_show_it(client, story):
    page = client.get(story.get_absolute_url())
    assert page.status_code == 200
    assert "Trucks carrying flour crossed the border." in page.content.decode()
    assert story.get_absolute_url() in client.get("/feed/").content.decode()
    assert story.get_absolute_url() in client.get("/category/news/feed/").content.decode()
    assert "/sitemap-articles-2020-01.xml" in client.get("/sitemap.xml").content.decode()
    sitemap = client.get("/sitemap-articles-2020-01.xml").content.decode()
    assert story.get_absolute_url() in sitemap
    assert "<lastmod>2020-01-18" in sitemap  # the old site's modification time


def test_search_finds_it(client, story):
    assert "Aid convoy reaches Idlib" in client.get("/search/?q=flour").content.decode()


def test_it_has_a_first_revision_and_a_line_in_its_log(story):
    version = revisions.versions_of(story).get()
    assert version.revision.comment == "Imported from https://oldnews.example.com."
    assert revisions.snapshot(version).bylines
    assert "WordPress post 1" in story.transitions.get().comment


def test_an_editor_can_withdraw_and_restore_it(client, story, make_editor):
    editor = make_editor()
    story.withdraw(by=editor, comment="Checking", notice="Under review.")
    assert client.get(story.get_absolute_url()).status_code == 410
    story.restore(by=editor)
    assert story.status == "draft"
