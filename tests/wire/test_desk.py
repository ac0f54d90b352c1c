"""The desk in the admin (queue, item page, channels, upload), the push endpoint, the polling chain and the commands."""

import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.wire.conftest import sample
from wire import polling, tasks
from wire.models import Channel, WireItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, feed_server, make_channel, make_editor):
    channel = make_channel(name="VOA Middle East", url=feed_server.serve("/voa.xml", sample("rss2.xml")))
    polling.poll(channel)
    client.force_login(make_editor())
    return channel


def test_the_queue_lists_items_newest_first_and_filters_by_channel_and_state(client, desk, make_channel):
    other = make_channel(kind="push", url="")
    polling.receive(other, sample("ninjs.json"))
    WireItem.objects.filter(guid="voa-5249911").update(state=WireItem.State.IGNORED)

    everything = client.get(reverse("admin:wire_wireitem_changelist")).content.decode()
    waiting = client.get(reverse("admin:wire_wireitem_changelist") + f"?channel__id__exact={desk.pk}&state=new,updated")

    assert everything.index("U.S. Widens Sanctions") < everything.index("Civilian Killings Mount")
    assert "Geneva Talks Resume" in waiting.content.decode()
    assert "Civilian Killings Mount" not in waiting.content.decode()
    assert "U.S. Widens Sanctions" not in waiting.content.decode()


def test_the_queue_is_searchable(client, desk):
    page = client.get(reverse("admin:wire_wireitem_changelist") + "?q=cease-fire").content.decode()
    assert "Civilian Killings Mount" in page and "Geneva Talks Resume" not in page


def test_the_queue_costs_the_same_queries_however_many_items(client, desk, feed_server, django_assert_max_num_queries):
    url = reverse("admin:wire_wireitem_changelist")
    client.get(url)
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    for n in range(30):
        feed_server.serve("/more.xml", sample("rss2.xml").replace(b"voa-5249911", f"more-{n}".encode()))
        desk.url = feed_server.base + "/more.xml"
        polling.poll(desk)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_use_this_story_from_the_item_page(client, desk):
    item = WireItem.objects.get(guid="voa-5249911")
    page = client.get(reverse("admin:wire_wireitem_change", args=[item.pk])).content.decode()
    assert "Use this story" in page and "bylined to Lisa Schlein" in page

    response = client.post(reverse("admin:wire_wireitem_use", args=[item.pk]))

    article = Article.objects.get()
    assert response["Location"] == reverse("admin:articles_article_change", args=[article.pk])
    story = client.get(response["Location"]).content.decode()
    assert "Draft made from the wire" in story


def test_the_item_page_shows_the_body_sanitised(client, desk):
    item = WireItem.objects.get(guid__contains="geneva-talks")
    page = client.get(reverse("admin:wire_wireitem_change", args=[item.pk])).content.decode()
    assert "Aid agencies are waiting." in page and "alert(1)" not in page


def test_using_several_items_at_once(client, desk):
    client.post(
        reverse("admin:wire_wireitem_changelist"),
        {"action": "use_selected", "_selected_action": list(WireItem.objects.values_list("pk", flat=True))},
    )
    assert Article.objects.count() == 2
    assert not WireItem.objects.waiting().exists()


def test_someone_outside_the_desk_cannot_open_or_use_items(client, desk, make_user):
    client.force_login(make_user(is_staff=True))
    item = WireItem.objects.first()
    assert client.get(reverse("admin:wire_wireitem_changelist")).status_code == 403
    assert client.post(reverse("admin:wire_wireitem_use", args=[item.pk])).status_code == 403
    assert Article.objects.count() == 0


def test_a_reporter_reads_the_queue_but_cannot_ignore_items(client, desk, make_reporter):
    client.force_login(make_reporter())
    item = WireItem.objects.get(guid="voa-5249911")
    assert client.get(reverse("admin:wire_wireitem_changelist")).status_code == 200
    client.post(reverse("admin:wire_wireitem_ignore", args=[item.pk]))
    assert WireItem.objects.get(pk=item.pk).state == WireItem.State.NEW


def test_the_channel_list_shows_last_success_last_error_and_counts(client, desk, feed_server):
    feed_server.serve("/voa.xml", b"broken", status=500, content_type="text/plain")
    desk.etag = ""
    desk.save()
    polling.poll(desk)

    page = client.get(reverse("admin:wire_channel_changelist")).content.decode()

    assert "VOA Middle East" in page
    assert "The server answered 500 Internal Server Error." in page
    assert f'?channel__id__exact={desk.pk}&amp;state=new,updated">2</a>' in page


def test_adding_a_channel_in_the_admin(client, make_editor, make_source, django_capture_on_commit_callbacks):
    client.force_login(make_editor())
    source = make_source()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(
            reverse("admin:wire_channel_add"),
            {
                "name": "DoD releases",
                "kind": "feed",
                "url": "https://www.defense.example/releases.atom",
                "source": source.pk,
                "enabled": "on",
                "poll_minutes": 30,
                "rules-TOTAL_FORMS": 1,
                "rules-INITIAL_FORMS": 0,
                "rules-0-keyword": "Pentagon",
                "rules-0-tag": "Pentagon",
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    channel = Channel.objects.get()
    assert channel.rules.get().tag == "Pentagon"
    assert channel.next_poll_at is not None and len(queued) == 1  # the first poll, queued once committed
    assert channel.auto_publish is False


@pytest.mark.parametrize(
    ("kind", "url", "error"),
    [
        ("feed", "file:///etc/passwd", "starts with http:// or https://"),
        ("file", "../../etc/passwd", "inside the wire folder"),
        ("push", "https://x.example/", "need no address"),
    ],
)
def test_a_channel_address_must_fit_its_kind(client, make_editor, make_source, kind, url, error):
    client.force_login(make_editor())
    response = client.post(
        reverse("admin:wire_channel_add"),
        {
            "name": "Bad",
            "kind": kind,
            "url": url,
            "source": make_source().pk,
            "poll_minutes": 15,
            "rules-TOTAL_FORMS": 0,
            "rules-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200 and error in response.content.decode()
    assert not Channel.objects.exists()


def test_uploading_a_newsml_file_to_a_push_channel(client, make_editor, make_channel):
    client.force_login(make_editor())
    channel = make_channel(kind="push", url="")
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("item.xml", sample("newsml.xml"), "application/xml")
    response = client.post(reverse("admin:wire_channel_upload", args=[channel.pk]), {"document": upload})

    assert response.status_code == 302
    assert WireItem.objects.get().format == WireItem.Format.NEWSML
    bad = SimpleUploadedFile("item.xml", b"<newsItem", "application/xml")
    refused = client.post(reverse("admin:wire_channel_upload", args=[channel.pk]), {"document": bad})
    assert refused.status_code == 400 and "not well-formed XML" in refused.content.decode()


# ---- the push endpoint


def push(client, channel, body, token=None, content_type="application/json"):
    return client.post(
        reverse("wire:push", args=[channel.pk]),
        body,
        content_type=content_type,
        headers={"Authorization": f"Bearer {token if token is not None else channel.push_token}"},
    )


def test_an_agency_pushes_ninjs_and_newsml(client, make_channel):
    channel = make_channel(kind="push", url="")

    first = push(client, channel, sample("ninjs.json"))
    second = push(client, channel, sample("newsml.xml"), content_type="application/xml")
    again = push(client, channel, sample("newsml.xml"), content_type="application/xml")

    assert first.json() == {"new": 1, "updated": 0, "unchanged": 0, "published": 0}
    assert second.json()["new"] == 1 and again.json() == {"new": 0, "updated": 0, "unchanged": 1, "published": 0}
    assert WireItem.objects.count() == 2


def test_a_push_needs_the_channels_token(client, make_channel):
    channel = make_channel(kind="push", url="")
    feed = make_channel()
    assert push(client, channel, sample("ninjs.json"), token="wrong").status_code == 403
    assert push(client, channel, sample("ninjs.json"), token="").status_code == 403
    assert push(client, feed, sample("ninjs.json"), token=feed.push_token).status_code == 403
    assert not WireItem.objects.exists()


def test_a_push_that_is_too_large_or_broken(settings, client, make_channel):
    settings.NEWSROOM_WIRE_MAX_BYTES = 1000
    channel = make_channel(kind="push", url="")
    assert push(client, channel, json.dumps({"uri": "x", "body_text": "a" * 2000})).status_code == 413
    broken = push(client, channel, b"{not json")
    assert broken.status_code == 400 and broken.json()["error"].startswith("The document is not valid JSON")
    channel.refresh_from_db()
    assert channel.last_error.startswith("The document is not valid JSON")


def test_a_push_to_a_channel_that_is_off(client, make_channel):
    channel = make_channel(kind="push", url="", enabled=False)
    assert push(client, channel, sample("ninjs.json")).status_code == 409


# ---- the polling chain


def test_a_poll_schedules_the_next_one(settings, feed_server, make_channel):
    channel = make_channel(url=feed_server.serve("/voa.xml", sample("rss2.xml")), poll_minutes=20)
    ticket = timezone.now()
    Channel.objects.filter(pk=channel.pk).update(next_poll_at=ticket)

    result = tasks.poll_channel.call(channel.pk, ticket.isoformat())

    assert result.startswith("2 new")
    channel.refresh_from_db()
    assert timedelta(minutes=19) < channel.next_poll_at - timezone.now() <= timedelta(minutes=20)


def test_a_stale_ticket_ends_its_chain(feed_server, make_channel):
    channel = make_channel(url=feed_server.serve("/voa.xml", sample("rss2.xml")))
    Channel.objects.filter(pk=channel.pk).update(next_poll_at=timezone.now())

    result = tasks.poll_channel.call(channel.pk, (timezone.now() - timedelta(hours=1)).isoformat())

    assert result.startswith("stale") and feed_server.requests == []


def test_a_channel_switched_off_is_not_polled(feed_server, make_channel):
    channel = make_channel(url=feed_server.serve("/voa.xml", sample("rss2.xml")), enabled=False)
    ticket = timezone.now()
    Channel.objects.filter(pk=channel.pk).update(next_poll_at=ticket)
    assert tasks.poll_channel.call(channel.pk, ticket.isoformat()).startswith("stale")


def test_a_failed_poll_is_scheduled_later(feed_server, make_channel):
    channel = make_channel(url=feed_server.serve("/voa.xml", b"nope", status=500), poll_minutes=10)
    ticket = timezone.now()
    Channel.objects.filter(pk=channel.pk).update(next_poll_at=ticket)

    tasks.poll_channel.call(channel.pk, ticket.isoformat())

    channel.refresh_from_db()
    assert channel.failures == 1
    assert channel.next_poll_at - timezone.now() > timedelta(minutes=19)


def test_stalled_chains_are_restarted(make_channel, django_capture_on_commit_callbacks):
    stalled = make_channel(next_poll_at=timezone.now() - timedelta(hours=2))
    never = make_channel()
    running = make_channel(next_poll_at=timezone.now() + timedelta(minutes=1))
    make_channel(enabled=False)
    make_channel(kind="push", url="")

    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert tasks.resume_stalled() == 2

    assert len(queued) == 2
    assert Channel.objects.get(pk=running.pk).next_poll_at == running.next_poll_at
    assert {stalled.pk, never.pk} == set(
        Channel.objects.filter(next_poll_at__gte=timezone.now() - timedelta(minutes=1)).values_list("pk", flat=True)
    ) - {running.pk}


# ---- commands


def test_wire_add(make_source, make_category, capsys):
    make_source(name="Voice of America", short_name="VOA")
    make_category(slug="world")

    call_command("wire_add", "https://www.voanews.com/api/zq$omekvi_", source="VOA", section="world")

    channel = Channel.objects.get()
    assert (channel.kind, channel.section.slug, channel.source.short_name) == ("feed", "world", "VOA")
    assert channel.next_poll_at is not None
    assert f"Channel {channel.pk}" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "options", "message"),
    [
        (["https://x.example/feed"], {"source": "Nobody"}, "No source named 'Nobody'"),
        (["https://x.example/feed"], {"source": "VOA", "section": "nowhere"}, "No section with the slug"),
        (["ftp://x.example/feed"], {"source": "VOA"}, "starts with http:// or https://"),
    ],
)
def test_wire_add_refuses(make_source, args, options, message):
    make_source(name="Voice of America", short_name="VOA")
    with pytest.raises(CommandError, match=message):
        call_command("wire_add", *args, **options)
    assert not Channel.objects.exists()


def test_wire_poll_fails_loudly_when_a_channel_fails(feed_server, make_channel):
    channel = make_channel(url=feed_server.serve("/voa.xml", b"x", status=500))
    with pytest.raises(CommandError, match="1 channel failed"):
        call_command("wire_poll")
    channel.refresh_from_db()
    assert channel.failures == 1
