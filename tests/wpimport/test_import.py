"""What each WordPress thing becomes: authors, sections, tags, stories with their status, times, slugs, deks and
pictures; what is skipped and why; and a second run that changes nothing."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Author, Category
from photos.models import Image
from tests.wpimport.wxr import Post, attachment, guest_author
from wpimport.importer import import_export
from wpimport.models import ImportedItem

pytestmark = pytest.mark.django_db


def run(path, **options):
    return import_export(path, **options)


def test_authors_become_bylines_without_staff_accounts(write_export, django_user_model):
    run(write_export([Post(1, slug="one")], authors=[("lisa", "Lisa Schlein", "lisa@example.com")]))
    article = Article.objects.get()
    author = Author.objects.get()
    assert (author.name, author.slug, author.user) == ("Lisa Schlein", "lisa-schlein", None)
    assert article.byline_text == "By Lisa Schlein"
    assert not django_user_model.objects.exists()


def test_an_author_the_newsroom_already_has_is_reused(write_export, make_author):
    mine = make_author(name="Lisa Schlein", slug="lisa")
    report = run(write_export([Post(1, slug="one")]))
    assert Author.objects.get() == mine
    assert report.counts["author merged"] == 1


CO_AUTHORS = [("lisa", "Lisa Schlein", "lisa@example.com"), ("sam", "Sam Doe", "sam@example.com")]


def test_co_authors_plus_bylines_come_with_the_post_s_own_author_first(write_export, client):
    """Co-Authors Plus keeps a post's bylines as terms of the ``author`` taxonomy (by login) and the writers without
    an account as ``guest-author`` items; the export lists the terms by name, so only the post's author is known
    to come first."""
    items = [
        Post(1, slug="one", author="sam", coauthors=["jane", "lisa", "sam"]),
        guest_author(50, "jane", "Jane Roe"),  # after the post that names her, as an export may list it
    ]
    report = run(write_export(items, authors=CO_AUTHORS, terms=[("author", "cap-jane", "jane")]))
    assert Article.objects.get().byline_text == "By Sam Doe, Jane Roe and Lisa Schlein"
    jane = Author.objects.get(name="Jane Roe")
    assert (jane.slug, jane.user) == ("jane-roe", None)
    assert report.counts["author created"] == 3
    assert not any("guest-author" in reason or "(author)" in reason for reason in report.skipped)
    assert client.get("/author/jane/")["Location"] == "/author/jane-roe/"

    again = run(write_export(items, authors=CO_AUTHORS, terms=[("author", "cap-jane", "jane")]))
    assert again.counts["post existing"] == 1 and again.counts["author existing"] == 3
    assert Author.objects.count() == 3


def test_a_post_by_guest_authors_only_is_not_bylined_to_who_filed_it(write_export):
    run(write_export([Post(1, slug="one", author="lisa", coauthors=["jane"]), guest_author(50, "jane", "Jane Roe")]))
    article = Article.objects.get()
    assert article.byline_text == "By Jane Roe"
    assert article.status == Article.Status.PUBLISHED


def test_a_co_author_the_export_does_not_describe_is_named_by_login_and_the_story_still_imported(write_export):
    report = run(write_export([Post(1, slug="one", coauthors=["lisa", "ghost-writer"])]))
    assert Article.objects.get().byline_text == "By Lisa Schlein and ghost-writer"
    assert ["author “ghost-writer”", "known by the login only: give the byline its real name"] in report.notes


def test_categories_become_sections_one_level_deep_and_out_of_the_navigation(write_export):
    categories = [("world", "World", ""), ("mideast", "Middle East", "world"), ("syria-c", "Syria", "mideast")]
    report = run(
        write_export(
            [Post(1, slug="one", categories=[("syria-c", "Syria"), ("world", "World")])], categories=categories
        )
    )
    world, mideast, syria = (Category.objects.get(slug=s) for s in ("world", "mideast", "syria-c"))
    assert world.parent is None
    assert mideast.parent == world
    assert syria.parent == world  # three levels in WordPress: joins its top-level section
    assert not any(c.in_navigation for c in (world, mideast, syria))
    article = Article.objects.get()
    assert article.category == syria
    assert list(article.secondary_categories.all()) == [world]
    assert any("nested 2 levels deep" in note for _label, note in report.notes)


def test_a_section_of_the_same_name_is_reused_and_two_wordpress_namesakes_stay_apart(write_export, make_category):
    mine = make_category(name="World", slug="world-news")
    categories = [("world", "World", ""), ("sport", "Sport", ""), ("politics", "Politics", "")]
    categories += [("sport-news", "News", "sport"), ("politics-news", "News", "politics")]
    run(write_export([Post(1, slug="one", categories=[("world", "World")])], categories=categories))
    assert Article.objects.get().category == mine
    names = set(Category.objects.filter(slug__in=["sport-news", "politics-news"]).values_list("name", flat=True))
    assert names == {"News", "News (Politics)"}


def test_tags_are_taggit_tags_reused_by_name(write_export):
    Tag.objects.create(name="Syria", slug="syria-tag")
    run(write_export([Post(1, slug="one", tags=[("syria", "Syria"), ("idlib", "Idlib")])], tags=[("syria", "Syria")]))
    assert sorted(Article.objects.get().tags.names()) == ["Idlib", "Syria"]
    assert Tag.objects.count() == 2


@pytest.mark.parametrize(
    ("wordpress", "status"),
    [("publish", "published"), ("draft", "draft"), ("pending", "review")],
)
def test_statuses(write_export, wordpress, status):
    run(write_export([Post(1, slug="one", status=wordpress)]))
    article = Article.objects.get()
    assert article.status == status
    assert (article.published_at is not None) == (status == "published")


def test_a_future_post_is_scheduled_at_its_time(write_export):
    later = timezone.now().astimezone(UTC) + timedelta(days=2)
    run(write_export([Post(1, slug="later", status="future", date_gmt=f"{later:%Y-%m-%d %H:%M:%S}")]))
    article = Article.objects.get()
    assert article.is_scheduled
    assert article.published_at == later.replace(microsecond=0)
    assert not Article.objects.published().exists()


@pytest.mark.parametrize("wordpress", ["private", "trash"])
def test_private_and_trashed_posts_are_not_imported_and_are_reported(write_export, wordpress):
    report = run(write_export([Post(1, slug="one", status=wordpress, title="Hidden")]))
    assert not Article.objects.exists()
    assert sum(report.skipped.values()) == 1
    assert any("Hidden" in label for label, _note in report.notes)


def test_pages_menus_comments_revisions_and_custom_types_are_counted_not_imported(write_export):
    items = [
        Post(1, slug="one", comments=3),
        Post(2, type="page", slug="about"),
        Post(3, type="nav_menu_item", slug="3"),
        Post(4, type="revision", slug="1-revision-v1", status="inherit"),
        Post(5, type="product", slug="mug"),
    ]
    report = run(write_export(items, terms=[("nav_menu", "main", "Main menu")]))
    assert Article.objects.count() == 1
    assert report.skipped == {
        "comments": 3,
        "pages": 1,
        "menu items": 1,
        "revisions": 1,
        "items of the custom type “product”": 1,
        "terms of other kinds (nav_menu)": 1,
    }


def test_times_come_from_the_gmt_fields(write_export):
    run(
        write_export(
            [
                Post(
                    1,
                    slug="one",
                    date="2020-01-17 09:30:00",
                    date_gmt="2020-01-17 14:30:00",
                    modified_gmt="2020-02-01 08:00:00",
                )
            ]
        )
    )
    article = Article.objects.get()
    assert article.published_at == datetime(2020, 1, 17, 14, 30, tzinfo=UTC)
    assert article.updated_at == datetime(2020, 2, 1, 8, 0, tzinfo=UTC)
    assert article.get_absolute_url() == "/2020/01/17/one/"


def test_slug_excerpt_and_sticky(write_export, make_article):
    make_article(slug="taken")
    run(
        write_export(
            [
                Post(1, slug="taken", excerpt="<p>The <b>summary</b> &amp; more.</p>", sticky=True),
                Post(2, slug="%d1%81%d0%b8%d1%80%d0%b8%d1%8f", title="Cease-fire in Idlib"),
            ]
        )
    )
    first, second = Article.objects.filter(headline__in=["A story", "Cease-fire in Idlib"]).order_by("headline")
    assert first.slug == "taken-2"
    assert first.dek == "The summary & more."
    assert first.featured
    assert second.slug == "cease-fire-in-idlib"  # a slug in Cyrillic: the address takes the headline's ASCII


def test_a_post_without_a_title_or_date_fails_alone(write_export):
    report = run(
        write_export(
            [Post(1, slug="fine"), Post(2, slug="untitled", title=""), Post(3, slug="undated", date="", date_gmt="")]
        )
    )
    assert list(Article.objects.values_list("slug", flat=True)) == ["fine"]
    reasons = dict(report.failures)
    assert "no title" in reasons["post 2"]
    assert "no publication date" in reasons["post 3, “A story”"]
    assert not ImportedItem.objects.filter(kind="post", key__in=["2", "3"]).exists()


def test_a_published_post_that_cannot_be_published_here_waits_for_review(write_export):
    report = run(write_export([Post(1, slug="empty", content='[gallery ids="1,2"]')]))
    article = Article.objects.get()
    assert article.status == "review"
    assert "it needs a body" in dict(report.notes)["post 1, “A story”"]


def test_classic_content_gets_paragraphs_and_loses_shortcodes_and_what_the_body_may_not_hold(write_export):
    content = (
        'Para one\nline two\n\n[foo bar="1"]kept[/foo] and [sic] [gallery ids="1,2"]\n\n'
        '<script>alert(1)</script><a href="javascript:x()">link</a>'
    )
    run(write_export([Post(1, slug="one", content=content)]))
    body = Article.objects.get().body
    assert body.startswith("<p>Para one<br>\nline two</p>\n<p>kept and [sic]</p>")
    assert "[foo" not in body and "gallery" not in body
    assert "script" not in body and "javascript" not in body


def test_a_dropped_shortcode_leaves_one_space_and_embedded_addresses_become_links(write_export):
    content = (
        'Before [gallery ids="1,2"] [tweet id=3] after.\n\n'
        "[embed]https://www.youtube.com/watch?v=abc&t=1[/embed]\n\n"
        "https://twitter.com/voanews/status/1\n\n"
        "Read https://example.org/report in the text."
    )
    run(write_export([Post(1, slug="one", content=content)]))
    body = Article.objects.get().body
    assert "<p>Before after.</p>" in body
    assert '<a href="https://www.youtube.com/watch?v=abc&amp;t=1">' in body
    assert '<p><a href="https://twitter.com/voanews/status/1">https://twitter.com/voanews/status/1</a></p>' in body
    assert "<p>Read https://example.org/report in the text.</p>" in body  # as WordPress leaves it


def test_block_editor_content_loses_its_block_comments(write_export):
    content = (
        "<!-- wp:paragraph -->\n<p>One</p>\n<!-- /wp:paragraph -->\n\n"
        "<!-- wp:heading -->\n<h2>Two</h2>\n<!-- /wp:heading -->"
    )
    run(write_export([Post(1, slug="one", content=content)]))
    body = Article.objects.get().body
    assert "<p>One</p>" in body and "<h2>Two</h2>" in body
    assert "wp:" not in body and "<!--" not in body


def test_text_typed_between_blocks_gets_paragraphs_and_the_blocks_are_left_as_written(write_export):
    content = (
        "Officials met on Monday.\n\nThey spoke\nfor an hour.\n\n"
        "<!-- wp:list -->\n<ul>\n<li>One</li>\n<li>Two</li>\n</ul>\n<!-- /wp:list -->\n\n"
        "<!-- wp:separator /-->\n\nAfter the list."
    )
    run(write_export([Post(1, slug="one", content=content)]))
    body = Article.objects.get().body
    assert body.startswith("<p>Officials met on Monday.</p>\n<p>They spoke<br>\nfor an hour.</p>")
    assert "<ul>\n<li>One</li>\n<li>Two</li>\n</ul>" in body  # no <br> or <p> put into the block's own HTML
    assert body.rstrip().endswith("<p>After the list.</p>")
    assert "wp:" not in body


def test_attachments_become_library_pictures_lead_images_and_figures(
    write_export, uploads, django_capture_on_commit_callbacks
):
    uploads.add("2020/01/smoke.jpg")
    src = "https://oldnews.example.com/wp-content/uploads/2020/01/smoke-300x169.jpg"
    content = (
        f'[caption id="attachment_5" width="300"]<a href="{src}"><img class="wp-image-5" src="{src}" alt="" /></a>'
        " Smoke over Idlib[/caption]\n\nAfter."
    )
    items = [
        Post(1, slug="one", content=content, meta={"_thumbnail_id": "5"}),
        attachment(5, "2020/01/smoke.jpg", alt="Smoke rises over a market", caption="Smoke over Idlib"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        report = run(write_export(items), uploads=uploads.path)
    image = Image.objects.get()
    article = Article.objects.get()
    assert article.lead_image == image
    assert (image.alt_text, image.caption) == ("Smoke rises over a market", "Smoke over Idlib")
    assert image.renditions_ready  # through photos.services.add_image, renditions and all
    assert (
        f'<figure class="figure"><img src="{image.file.url}" alt="Smoke rises over a market" data-file="{image.pk}">'
        in article.body
    )
    assert "<figcaption>Smoke over Idlib</figcaption>" in article.body
    assert report.counts["attachment created"] == 1


def test_a_picture_that_fails_the_library_checks_is_reported(write_export, uploads):
    (uploads.path / "2020").mkdir()
    (uploads.path / "2020" / "fake.jpg").write_bytes(b"<?php echo 'not a picture';")
    report = run(write_export([Post(1, slug="one"), attachment(5, "2020/fake.jpg")]), uploads=uploads.path)
    assert not Image.objects.exists()
    assert "not a JPEG, PNG, WebP or GIF" in dict(report.failures)["attachment 5, “photo”"]
    assert Article.objects.count() == 1


def test_an_attachment_path_cannot_leave_the_uploads_folder(write_export, uploads, tmp_path):
    outside = tmp_path / "outside.jpg"
    outside.write_bytes((uploads.add("x.jpg")).read_bytes())
    report = run(write_export([attachment(5, "../outside.jpg")]), uploads=uploads.path)
    assert not Image.objects.exists()
    assert report.skipped["pictures whose file is not in the uploads folder"] == 1


def test_pictures_from_elsewhere_stay_where_they_are_and_get_an_alt(write_export):
    run(write_export([Post(1, slug="one", content='See <img src="https://cdn.example.org/a.jpg">.')]))
    assert '<img src="https://cdn.example.org/a.jpg" alt="">' in Article.objects.get().body


def test_a_second_run_changes_nothing(write_export, uploads):
    uploads.add("2020/01/smoke.jpg")
    path = write_export(
        [
            Post(1, slug="one", tags=[("syria", "Syria")], meta={"_thumbnail_id": "5"}),
            attachment(5, "2020/01/smoke.jpg", alt="Smoke"),
        ]
    )
    run(path, uploads=uploads.path)
    before = {model: list(model.objects.values()) for model in (Article, Author, Category, Tag, Image, ImportedItem)}
    report = run(path, uploads=uploads.path)
    after = {model: list(model.objects.values()) for model in (Article, Author, Category, Tag, Image, ImportedItem)}
    assert after == before
    assert all(key.endswith(" existing") for key in report.counts)


def test_an_item_listed_twice_is_imported_once(write_export, uploads):
    uploads.add("2020/01/smoke.jpg")
    picture = attachment(5, "2020/01/smoke.jpg", alt="Smoke")
    report = run(write_export([picture, Post(1, slug="one"), picture, Post(1, slug="one")]), uploads=uploads.path)
    assert (Article.objects.count(), Image.objects.count()) == (1, 1)
    assert (report.counts["post created"], report.counts["post existing"]) == (1, 1)
    assert (report.counts["attachment created"], report.counts["attachment existing"]) == (1, 1)
    assert not report.failures


def test_an_interrupted_import_finishes_on_the_next_run(write_export, monkeypatch):
    from wpimport import importer

    path = write_export([Post(n, slug=f"post-{n}") for n in range(1, 6)])
    real = importer.Importer.post

    def crash_on_the_third(self, item, *args):
        if item.post_id == "3":
            raise KeyboardInterrupt  # the process stops here
        return real(self, item, *args)

    monkeypatch.setattr(importer.Importer, "post", crash_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        run(path)
    assert Article.objects.count() == 2
    monkeypatch.setattr(importer.Importer, "post", real)
    report = run(path)
    assert Article.objects.count() == 5
    assert (report.counts["post existing"], report.counts["post created"]) == (2, 3)


def test_a_dry_run_saves_nothing(write_export, uploads):
    uploads.add("2020/01/smoke.jpg")
    report = run(
        write_export([Post(1, slug="one"), attachment(5, "2020/01/smoke.jpg")]), uploads=uploads.path, dry_run=True
    )
    assert report.counts["post created"] == 1
    assert report.counts["attachment created"] == 1
    assert not (Article.objects.exists() or Image.objects.exists() or ImportedItem.objects.exists())
    assert not any(uploads.path.parent.joinpath("media").rglob("*.jpg"))


def test_an_import_purges_every_page_once(write_export, monkeypatch, django_capture_on_commit_callbacks):
    """Not one purge (and, with Varnish, one task) per tag, section and picture saved: one, at the end."""
    from newsroom import pagecache

    purged = []
    monkeypatch.setattr(pagecache, "_purge_now", lambda keys, hard: purged.append((keys, hard)))
    with django_capture_on_commit_callbacks(execute=True):
        run(write_export([Post(n, slug=f"post-{n}", tags=[(f"t{n}", f"Tag {n}")]) for n in range(1, 6)]))
    assert purged == [([pagecache.EVERY_PAGE], False)]  # soft: new stories, nothing that must vanish
    assert Tag.objects.count() == 6  # the export lists one, the posts name five


def test_headings_start_at_h2_under_the_headline(write_export):
    content = "<h3>First</h3>\n\nText.\n\n<h4>Detail</h4>\n\nMore.\n\n<h6>Fine print</h6>"
    run(write_export([Post(1, slug="one", content=content)]))
    body = Article.objects.get().body
    assert "<h2>First</h2>" in body and "<h3>Detail</h3>" in body and "<h4>Fine print</h4>" in body
