"""The demo's wire desk: a VOA channel reading the feed file shipped in wire/demo/, nothing downloaded."""

import io

import pytest
from django.core.management import call_command

from articles.models import Article
from wire import services
from wire.models import Channel, WireItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.NEWSROOM_WIRE_PRIVATE_ADDRESSES = False  # the demo needs no network at all
    call_command("load_demo", stdout=io.StringIO())
    return Channel.objects.get(name="VOA (demo feed)")


def test_load_demo_fills_the_wire_queue_from_the_shipped_feed(demo):
    assert demo.kind == Channel.Kind.FILE and demo.source.short_name == "VOA"
    assert demo.last_error == "" and demo.last_success_at is not None
    seed_item = WireItem.objects.get(guid="voa-demo-idlib-2020-01-17")
    seed = Article.objects.get(slug="civilian-killings-mount-in-idlib-as-cease-fire-breaks-down")
    assert (seed_item.state, seed_item.article, seed_item.used_version) == (WireItem.State.USED, seed, 1)
    assert seed_item.authors == ["Lisa Schlein"] and seed_item.headline == seed.headline
    assert WireItem.objects.waiting().count() == 3


def test_loading_the_demo_again_adds_nothing(demo):
    call_command("load_demo", stdout=io.StringIO())
    assert Channel.objects.count() == 1 and WireItem.objects.count() == 4


def test_a_demo_item_becomes_a_story_with_its_picture_from_the_wire_folder(demo, make_editor):
    item = WireItem.objects.get(guid="voa-demo-aid-convoys")

    article, problems = services.use_item(item=item, by=make_editor())

    assert problems == []
    assert article.lead_image.credit == "Newsroom demo illustration"
    assert article.category.slug == "wmd" and list(article.tags.names()) == ["Syria"]  # the "Idlib" rule
    assert article.byline_text == "By VOA News" and article.source.short_name == "VOA"
