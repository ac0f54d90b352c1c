"""From an item to a story: Use this story, an agency's new version reaching the story, automatic publishing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from articles.models import Article, Author, Correction, Transition
from articles.workflow import EditConflict
from photos.models import Image
from tests.wire.conftest import sample
from wire import polling, services
from wire.models import WireItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsml_channel(feed_server, make_channel, jpeg):
    feed_server.serve("/pictures/idlib.jpg", jpeg, content_type="image/jpeg")

    def make(**fields):
        fields.setdefault("url", feed_server.serve("/g2.xml", sample("newsml.xml", feed_server.base)))
        return make_channel(**fields)

    return make


def send_version(feed_server, version, replacements=()):
    document = sample("newsml.xml", feed_server.base).replace(
        b'idlib-text" version="1"', f'idlib-text" version="{version}"'.encode()
    )
    for old, new in replacements:
        document = document.replace(old.encode(), new.encode())
    feed_server.serve("/g2.xml", document)


def test_use_this_story_makes_a_credited_draft_with_its_picture(newsml_channel, make_editor, make_category):
    world = make_category(name="World", slug="world")
    channel = newsml_channel(
        canonical_is_original=True,
        rules=[{"keyword": "Idlib", "section": world, "tag": "Syria war"}, {"keyword": "Geneva", "tag": "U.N."}],
    )
    polling.poll(channel)
    item = WireItem.objects.get()
    editor = make_editor()

    article, problems = services.use_item(item=item, by=editor)

    assert problems == []
    assert article.status == Article.Status.DRAFT and article.created_by == editor
    assert article.headline == "U.N.: Civilians Flee Idlib as Shelling Intensifies"
    assert article.slug == "un-civilians-flee-idlib-as-shelling-intensifies"
    assert article.dek == "Hundreds of thousands have fled in the past month, the U.N. says."
    assert article.dateline == "GENEVA"
    assert "<strong>it says</strong>" in article.body
    assert article.source == channel.source
    assert article.original_url == "https://www.voanews.com/middle-east/idlib-newsml"
    assert article.canonical_is_original is True
    assert article.category == world
    assert sorted(article.tags.names()) == ["Syria war", "U.N."]
    (byline,) = article.bylines.select_related("author")
    assert byline.author.name == "Lisa Schlein" and byline.author.user is None
    assert byline.author.affiliation == channel.source
    picture = article.lead_image
    assert picture.caption == "Families fleeing the fighting wait on a road north of Idlib, Syria."
    assert picture.credit == "VOA/Reuters" and picture.alt_text == "Families on a road north of Idlib"
    assert picture.source == channel.source and picture.width == 800
    item.refresh_from_db()
    assert (item.state, item.article, item.used_version, item.used_by) == ("used", article, 1, editor)


def test_the_same_reporter_is_the_same_author_next_time(feed_server, make_channel, make_editor, make_author):
    staff_namesake = make_author(name="Lisa Schlein", slug="lisa-schlein-staff", user=make_editor())
    channel = make_channel(url=feed_server.serve("/a.xml", sample("rss2.xml")))
    polling.poll(channel)
    feed_server.serve("/a.xml", sample("rss_media.xml"))
    polling.poll(channel)
    editor = make_editor()

    first, _ = services.use_item(item=WireItem.objects.get(guid="voa-5249911"), by=editor)
    second, _ = services.use_item(item=WireItem.objects.get(guid="voa-5250001"), by=editor)

    lisa = first.bylines.get().author
    assert lisa != staff_namesake and lisa.user is None  # a wire reporter, not the staff account of the same name
    assert [b.author for b in second.bylines.order_by("order")] == [lisa, Author.objects.get(name="Henry Ridgwell")]


def test_an_item_without_a_reporter_is_bylined_to_its_source(feed_server, make_channel, make_editor):
    channel = make_channel(url=feed_server.serve("/a.xml", sample("rss2.xml")))
    polling.poll(channel)

    article, _ = services.use_item(item=WireItem.objects.get(guid__contains="geneva-talks"), by=make_editor())

    assert article.byline_text == "By Voice of America"
    assert article.missing_for_publication() == []


def test_a_picture_the_library_refuses_is_left_out_with_the_reason(settings, newsml_channel, make_editor):
    settings.NEWSROOM_IMAGE_MAX_PIXELS = 10_000  # the 800 × 450 picture is now a "bomb"
    polling.poll(newsml_channel())

    article, problems = services.use_item(item=WireItem.objects.get(), by=make_editor())

    assert article.lead_image is None and Image.objects.count() == 0
    assert (
        problems
        == [
            "Picture 1 was refused by the photo library: The image is 800 × 450 pixels (0.4 megapixels); the limit is "
            "0 megapixels. Resize it and upload it again."
        ]
        or "refused by the photo library" in problems[0]
    )


def test_a_picture_that_is_not_an_image_or_not_there(feed_server, make_channel, make_editor):
    channel = make_channel(url=feed_server.serve("/m.xml", sample("rss_media.xml", feed_server.base)))
    polling.poll(channel)
    feed_server.serve("/pictures/measles.jpg", b"<html>not a picture</html>", content_type="image/jpeg")

    article, problems = services.use_item(item=WireItem.objects.get(), by=make_editor())

    assert article.pk and article.lead_image is None
    assert problems[0].startswith("Picture 1 was refused by the photo library: This file is not a JPEG, PNG")


def test_an_item_is_used_once(newsml_channel, make_editor):
    polling.poll(newsml_channel())
    item = WireItem.objects.get()
    services.use_item(item=item, by=make_editor())

    with pytest.raises(ValidationError, match="already the story"):
        services.use_item(item=item, by=make_editor())
    assert Article.objects.count() == 1


def test_only_the_desk_may_use_items(newsml_channel, make_user):
    polling.poll(newsml_channel())
    with pytest.raises(PermissionDenied):
        services.use_item(item=WireItem.objects.get(), by=make_user(is_staff=True))
    assert Article.objects.count() == 0


def test_a_reporter_may_use_an_item_as_their_own_draft(newsml_channel, make_reporter):
    polling.poll(newsml_channel())
    reporter = make_reporter()

    article, _ = services.use_item(item=WireItem.objects.get(), by=reporter)

    assert article.can_edit(reporter) and article.can_submit(reporter)


# ---- updates


def test_a_new_version_marks_the_item_and_reaches_the_draft(client, feed_server, newsml_channel, make_editor):
    channel = newsml_channel()
    polling.poll(channel)
    editor = make_editor()
    article, _ = services.use_item(item=WireItem.objects.get(), by=editor)
    send_version(feed_server, 2, [("hundreds of thousands of people have fled", "half a million people have fled")])

    outcome = polling.poll(channel)

    assert outcome.ingested.summary() == "0 new, 1 updated, 0 unchanged"
    item = WireItem.objects.get()
    assert (item.state, item.version, item.used_version) == (WireItem.State.UPDATED, 2, 1)
    article.refresh_from_db()
    assert "hundreds of thousands of people" in article.body  # nothing is overwritten silently
    client.force_login(editor)
    story_page = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert "Wire update waiting: version 2" in story_page
    item_page = client.get(reverse("admin:wire_wireitem_change", args=[item.pk])).content.decode()
    assert "<del>hundreds of thousands of</del> <ins>half a million</ins>" in item_page
    assert "Take version 2" in item_page

    response = client.post(reverse("admin:wire_wireitem_take", args=[item.pk]), {"expected_version": article.version})

    assert response.status_code == 302
    article.refresh_from_db()
    assert "half a million people have fled" in article.body
    assert article.version == 2 and article.status == Article.Status.DRAFT
    assert not article.corrections.exists()  # a draft has no readers to tell
    item.refresh_from_db()
    assert (item.state, item.used_version) == (WireItem.State.USED, 2)
    assert (
        "Wire update waiting"
        not in client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    )


def test_taking_an_update_into_a_live_story_tells_readers(client, feed_server, newsml_channel, make_editor):
    channel = newsml_channel()
    polling.poll(channel)
    editor = make_editor()
    article, _ = services.use_item(item=WireItem.objects.get(), by=editor)
    article.submit(by=editor)
    article.publish(by=editor)
    send_version(feed_server, 3, [("Shelling Intensifies", "Shelling Intensifies Again")])
    polling.poll(channel)
    item = WireItem.objects.get()
    article.refresh_from_db()

    services.take_update(item=item, by=editor, expected_version=article.version, note="Adds the U.N.'s new figures.")

    article.refresh_from_db()
    assert article.headline.endswith("Shelling Intensifies Again") and article.is_live
    correction = article.corrections.get()
    assert (correction.kind, correction.text) == (Correction.Kind.UPDATE, "Adds the U.N.'s new figures.")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Adds the U.N.&#x27;s new figures." in page or "Adds the U.N.'s new figures." in page


def test_an_update_taken_from_a_stale_comparison_is_refused(feed_server, newsml_channel, make_editor):
    channel = newsml_channel()
    polling.poll(channel)
    editor = make_editor()
    article, _ = services.use_item(item=WireItem.objects.get(), by=editor)
    send_version(feed_server, 2, [("Shelling Intensifies", "Shelling Goes On")])
    polling.poll(channel)
    opened_at = article.version
    article.dek = "Edited by the desk meanwhile."
    article.save_edit(by=editor, expected_version=opened_at)

    with pytest.raises(EditConflict):
        services.take_update(item=WireItem.objects.get(), by=editor, expected_version=opened_at)

    article.refresh_from_db()
    assert article.dek == "Edited by the desk meanwhile."
    assert WireItem.objects.get().state == WireItem.State.UPDATED


def test_keeping_our_version_until_the_agency_sends_another(feed_server, newsml_channel, make_editor):
    channel = newsml_channel()
    polling.poll(channel)
    editor = make_editor()
    services.use_item(item=WireItem.objects.get(), by=editor)
    send_version(feed_server, 2)
    polling.poll(channel)

    WireItem.objects.get().keep_our_version(by=editor)
    kept = WireItem.objects.get()
    assert (kept.state, kept.note) == (WireItem.State.USED, "Version 2 was not taken.")
    send_version(feed_server, 3)
    polling.poll(channel)

    assert WireItem.objects.get().state == WireItem.State.UPDATED


def test_ignoring_and_restoring_an_item(newsml_channel, make_editor):
    polling.poll(newsml_channel())
    editor = make_editor()
    item = WireItem.objects.get()
    item.ignore(by=editor)
    assert item.state == WireItem.State.IGNORED and not WireItem.objects.waiting().exists()
    item.back_to_queue(by=editor)
    assert WireItem.objects.get().state == WireItem.State.NEW
    with pytest.raises(ValidationError, match="Only an ignored item"):
        item.back_to_queue(by=editor)


# ---- automatic publishing


def test_a_trusted_channel_publishes_matching_items_with_no_person_as_actor(client, newsml_channel, make_editor):
    channel = newsml_channel(name="VOA trusted", auto_publish=True, rules=[{"keyword": "Idlib", "tag": "Syria"}])

    outcome = polling.poll(channel)

    assert outcome.published == 1
    article = Article.objects.get()
    assert article.is_live and article.created_by is None
    transition = Transition.objects.get(article=article)
    assert (transition.from_status, transition.to_status, transition.actor) == ("review", "published", None)
    assert transition.comment == "Published automatically from the wire channel “VOA trusted”."
    assert WireItem.objects.get().state == WireItem.State.USED
    assert client.get(article.get_absolute_url()).status_code == 200
    client.force_login(make_editor())
    history = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert history.status_code == 200
    assert "Published automatically from the wire channel “VOA trusted”." in history.content.decode()


def test_items_matching_no_rule_wait_for_an_editor(newsml_channel):
    channel = newsml_channel(auto_publish=True, rules=[{"keyword": "Pentagon"}])

    assert polling.poll(channel).published == 0
    assert Article.objects.count() == 0 and WireItem.objects.get().state == WireItem.State.NEW


def test_automatic_publishing_is_off_unless_switched_on(newsml_channel):
    channel = newsml_channel(rules=[{"keyword": "*"}])
    assert channel.auto_publish is False
    assert polling.poll(channel).published == 0
    assert Article.objects.count() == 0


def test_an_item_that_cannot_be_published_waits_in_review_with_the_reason(newsml_channel):
    channel = newsml_channel(auto_publish=True, section=None, rules=[{"keyword": "*"}])

    polling.poll(channel)

    article = Article.objects.get()
    assert article.status == Article.Status.REVIEW
    assert WireItem.objects.get().note == (
        "Not published automatically: This article cannot be published yet. It needs a primary category. "
        "It waits in review."
    )
