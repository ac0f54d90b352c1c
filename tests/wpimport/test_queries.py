"""The import's statements per post stay a fixed handful, so an export of thousands imports in minutes
(bench/wpimport measures the time; these guard the counts)."""

import pytest

from articles.models import Article
from tests.wpimport.wxr import SITE, Post, attachment
from wpimport.importer import import_export

pytestmark = pytest.mark.django_db

AUTHORS = [("lisa", "Lisa Schlein", "lisa@example.com"), ("omar", "Omar Haddad", "omar@example.com")]
CATEGORIES = [("news", "News", ""), ("world", "World", ""), ("europe", "Europe", "world")]
TAGS = [("syria", "Syria"), ("aid", "Aid"), ("un", "UN"), ("idlib", "Idlib")]
POSTS = 20
# A story with a byline, two sections, three tags, a featured image and a picture in its body. In a test each post's
# transaction is a savepoint (two of these statements); in production it is BEGIN and COMMIT.
PER_POST = 18
# What a run does whatever its size: reading what earlier runs imported, a savepoint for each author, section and tag.
FIXED = 25


def posts(first_id):
    return [
        Post(
            n,
            slug=f"story-{n}",
            author=AUTHORS[n % 2][0],
            categories=[("news", "News"), ("europe", "Europe")],
            tags=TAGS[n % 2 : n % 2 + 3],
            meta={"_thumbnail_id": "900"},
            content=(
                "The convoy crossed at dawn.\n\n"
                f'<img class="wp-image-900" src="{SITE}/wp-content/uploads/2020/01/convoy-300x200.jpg" alt="Trucks">'
                "\n\nIt reached Idlib by noon."
            ),
        )
        for n in range(first_id, first_id + POSTS)
    ]


@pytest.fixture
def export(write_export, uploads):
    uploads.add("2020/01/convoy.jpg")
    # The terms and the picture come in with a first post, so what is counted below is the posts' own work.
    import_export(
        write_export([attachment(900, "2020/01/convoy.jpg", alt="Trucks"), *posts(1)[:1]], **terms()),
        uploads=uploads.path,
    )

    def make(first_id=2):
        return write_export([attachment(900, "2020/01/convoy.jpg", alt="Trucks"), *posts(first_id)], **terms())

    return make


def terms():
    return {"authors": AUTHORS, "categories": CATEGORIES, "tags": TAGS}


def test_each_post_costs_a_fixed_handful_of_statements(export, uploads, django_assert_max_num_queries):
    path = export()
    with django_assert_max_num_queries(POSTS * PER_POST + FIXED):
        report = import_export(path, uploads=uploads.path)
    assert report.counts["post created"] == POSTS and not report.failures
    story = Article.objects.get(slug="story-2")
    assert story.lead_image_id and 'data-file="' in story.body
    assert story.tags.count() == 3 and story.secondary_categories.count() == 1 and story.bylines.count() == 1


def test_running_it_again_reads_posts_a_chunk_at_a_time(export, uploads, django_assert_max_num_queries):
    path = export()
    import_export(path, uploads=uploads.path)
    with django_assert_max_num_queries(FIXED):
        report = import_export(path, uploads=uploads.path)
    assert report.counts["post existing"] == POSTS and report.created == 0
