"""Feeds and agency formats read from a real HTTP server on 127.0.0.1, polled as the task worker polls them."""

import json
from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from tests.wire.conftest import sample
from wire import polling
from wire.models import WireItem

pytestmark = pytest.mark.django_db


def test_rss_items_land_in_the_queue_with_their_credits(feed_server, make_channel):
    channel = make_channel(url=feed_server.serve("/voa.xml", sample("rss2.xml")))

    outcome = polling.poll(channel)

    assert outcome.ok, outcome.error
    first = WireItem.objects.get(guid="voa-5249911")
    second = WireItem.objects.get(guid="https://www.voanews.com/europe/geneva-talks-resume")
    assert first.headline == "Civilian Killings Mount in Idlib as Cease-fire Breaks Down"
    assert first.authors == ["Lisa Schlein"]
    assert first.subjects == ["Syria", "Weapons"]
    assert first.original_url.endswith("/civilian-killings-mount-idlib-cease-fire-breaks-down")
    assert first.sent_at == datetime(2020, 1, 17, 12, 0, tzinfo=UTC)
    assert first.format == WireItem.Format.RSS and first.state == WireItem.State.NEW
    assert "<script" not in second.body and "Aid agencies are waiting." in second.body
    channel.refresh_from_db()
    assert channel.last_success_at is not None and channel.last_result.startswith("2 new, 0 updated, 0 unchanged")
    assert channel.failures == 0 and channel.last_error == ""


def test_atom_entries_keep_their_summary_and_lose_their_event_handlers(feed_server, make_channel):
    channel = make_channel(
        url=feed_server.serve("/releases.atom", sample("atom.xml"), content_type="application/atom+xml")
    )

    assert polling.poll(channel).ok

    radars = WireItem.objects.get(guid="tag:defense.example,2020:release-2058114")
    assert radars.format == WireItem.Format.ATOM
    assert radars.dek == "The contract covers six radars for the Pacific."
    assert radars.body == (
        "<p>WASHINGTON — The Defense Department awarded a contract on Friday for six radars.</p>"
        "<p>Delivery starts in 2022.</p>"
    )
    assert radars.authors == ["Jim Garamone"]
    kuwait = WireItem.objects.get(guid="tag:defense.example,2020:release-2058120")
    assert kuwait.headline == "Secretary Visits Troops in Kuwait"
    assert kuwait.body == "<p>The secretary met service members at Camp Arifjan.</p>"


def test_rss_with_content_encoded_and_media_content(feed_server, make_channel):
    channel = make_channel(url=feed_server.serve("/science.xml", sample("rss_media.xml", feed_server.base)))

    assert polling.poll(channel).ok

    item = WireItem.objects.get()
    assert item.body.startswith("<p>GENEVA — Measles cases rose sharply last year")
    assert "iframe" not in item.body and "javascript" not in item.body
    assert item.dek == "Measles cases rose sharply in 2019, the WHO says."
    assert item.authors == ["Lisa Schlein", "Henry Ridgwell"]
    assert item.pictures == [
        {
            "url": f"{feed_server.base}/pictures/measles.jpg",
            "caption": "A nurse prepares a measles vaccine in Geneva.",
            "credit": "VOA/Lisa Schlein",
            "alt": "",
        }
    ]


def test_newsml_g2_text_item_with_its_picture(feed_server, make_channel):
    channel = make_channel(
        url=feed_server.serve(
            "/g2.xml", sample("newsml.xml", feed_server.base), content_type="application/vnd.iptc.g2.newsmessage+xml"
        )
    )

    assert polling.poll(channel).ok

    item = WireItem.objects.get()  # the picture item travels with its story, not as a story of its own
    assert item.guid == "urn:newsml:voanews.com:20200117:idlib-text"
    assert item.version == 1 and item.format == WireItem.Format.NEWSML
    assert item.headline == "U.N.: Civilians Flee Idlib as Shelling Intensifies"
    assert item.dateline == "GENEVA"
    assert item.dek == "Hundreds of thousands have fled in the past month, the U.N. says."
    assert item.authors == ["Lisa Schlein"]
    assert item.subjects == ["conflict, war and peace", "Idlib", "Syria"]
    assert item.original_url == "https://www.voanews.com/middle-east/idlib-newsml"
    assert "<strong>it says</strong>" in item.body and "script" not in item.body and "xmlns" not in item.body
    assert item.pictures == [
        {
            "url": f"{feed_server.base}/pictures/idlib.jpg",
            "caption": "Families fleeing the fighting wait on a road north of Idlib, Syria.",
            "credit": "VOA/Reuters",
            "alt": "Families on a road north of Idlib",
        }
    ]


def test_ninjs_item(feed_server, make_channel):
    channel = make_channel(
        url=feed_server.serve("/ninjs.json", sample("ninjs.json", feed_server.base), content_type="application/json")
    )

    assert polling.poll(channel).ok

    item = WireItem.objects.get()
    assert item.guid == "http://www.voanews.com/ninjs/2020/01/17/sanctions"
    assert item.format == WireItem.Format.NINJS and item.version == 1
    assert item.authors == ["Cindy Saine"] and item.dateline == "WASHINGTON"
    assert item.subjects == ["Sanctions", "Syria"]
    assert item.original_url == "https://www.voanews.com/usa/us-widens-sanctions-syrian-officials"
    assert "onerror" not in item.body and "style" not in item.body
    assert item.pictures[0]["url"] == f"{feed_server.base}/pictures/treasury.jpg"
    assert item.pictures[0]["credit"] == "VOA/Cindy Saine"


def test_ninjs_2_field_names(make_channel):
    channel = make_channel(kind="push", url="")
    document = {
        "uri": "urn:example:ninjs2:1",
        "version": "3",
        "headlines": [{"value": "Ceasefire talks resume", "role": "main"}],
        "descriptions": [{"value": "Talks resume in Geneva.", "role": "summary"}],
        "bodies": [{"value": "Plain text.\n\nSecond paragraph & more.", "contenttype": "text/plain"}],
        "by": "Henry Ridgwell",
    }

    assert polling.receive(channel, json.dumps(document).encode()).ok

    item = WireItem.objects.get()
    assert (item.headline, item.dek, item.version) == ("Ceasefire talks resume", "Talks resume in Geneva.", 3)
    assert item.body == "<p>Plain text.</p><p>Second paragraph &amp; more.</p>"
    assert item.authors == ["Henry Ridgwell"]


def test_polling_the_same_feed_again_creates_nothing(feed_server, make_channel):
    url = feed_server.serve("/voa.xml", sample("rss2.xml"), etag='"v1"', last_modified="Fri, 17 Jan 2020 12:00:00 GMT")
    channel = make_channel(url=url)
    polling.poll(channel)
    channel.refresh_from_db()

    outcome = polling.poll(channel)

    assert outcome.not_modified
    assert WireItem.objects.count() == 2
    _path, headers = feed_server.requests[-1]
    assert headers["If-None-Match"] == '"v1"'
    assert headers["If-Modified-Since"] == "Fri, 17 Jan 2020 12:00:00 GMT"


def test_a_server_without_conditional_get_gets_the_items_deduplicated(feed_server, make_channel):
    channel = make_channel(url=feed_server.serve("/voa.xml", sample("rss2.xml")))
    polling.poll(channel)

    outcome = polling.poll(channel)

    assert outcome.ingested.summary() == "0 new, 0 updated, 2 unchanged"
    assert WireItem.objects.count() == 2


def test_a_feed_item_whose_text_changed_is_a_new_version(feed_server, make_channel):
    channel = make_channel(url=feed_server.serve("/voa.xml", sample("rss2.xml")))
    polling.poll(channel)
    changed = sample("rss2.xml").replace(b"apparently has broken down", b"has broken down, officials say")
    feed_server.serve("/voa.xml", changed)

    outcome = polling.poll(channel)

    assert outcome.ingested.summary() == "0 new, 1 updated, 1 unchanged"
    item = WireItem.objects.get(guid="voa-5249911")
    assert item.version == 2 and "officials say" in item.body
    assert item.state == WireItem.State.NEW  # nobody used it yet: it is simply newer


def test_an_older_or_equal_newsml_version_changes_nothing(feed_server, make_channel):
    channel = make_channel(kind="push", url="")
    v2 = sample("newsml.xml").replace(b'idlib-text" version="1"', b'idlib-text" version="2"')
    polling.receive(channel, v2)

    outcome = polling.receive(channel, sample("newsml.xml").replace(b"Shelling Intensifies", b"Old headline"))

    assert outcome.ingested.summary() == "0 new, 0 updated, 1 unchanged"
    assert WireItem.objects.get().headline == "U.N.: Civilians Flee Idlib as Shelling Intensifies"


def test_a_feed_declared_as_windows_1252_reads_right(feed_server, make_channel):
    text = sample("rss2.xml").decode().replace('encoding="UTF-8"', 'encoding="windows-1252"')
    text = text.replace("Cease-fire Breaks Down", "“Cease-fire” Breaks Down – Again")
    channel = make_channel(url=feed_server.serve("/1252.xml", text.encode("cp1252")))

    outcome = polling.poll(channel)

    assert outcome.ok and outcome.warning == ""
    assert WireItem.objects.get(guid="voa-5249911").headline.endswith("“Cease-fire” Breaks Down – Again")


def test_a_windows_1252_feed_that_claims_utf_8_is_read_with_a_warning(feed_server, make_channel):
    text = sample("rss2.xml").decode().replace("Cease-fire Breaks Down", "“Cease-fire” Breaks Down")
    channel = make_channel(url=feed_server.serve("/mislabelled.xml", text.encode("cp1252")))

    outcome = polling.poll(channel)

    assert outcome.ok
    assert WireItem.objects.get(guid="voa-5249911").headline.endswith("“Cease-fire” Breaks Down")
    channel.refresh_from_db()
    assert "says it is UTF-8 but is not" in channel.last_result
    assert "read as Windows-1252" in channel.last_result


def test_a_file_channel_reads_from_the_wire_folder_only(settings, tmp_path, make_channel):
    settings.NEWSROOM_WIRE_FILES_DIR = tmp_path
    (tmp_path / "drop.xml").write_bytes(sample("rss2.xml"))
    (tmp_path.parent / "secret.xml").write_bytes(sample("atom.xml"))
    channel = make_channel(kind="file", url="drop.xml")
    outside = make_channel(kind="file", url="../secret.xml")

    assert polling.poll(channel).ok
    assert polling.poll(channel).not_modified  # the file's time is its Last-Modified
    failed = polling.poll(outside)

    assert "not a file inside the wire folder" in failed.error
    assert WireItem.objects.filter(channel=outside).count() == 0
    assert WireItem.objects.filter(channel=channel).count() == 2


def test_wire_poll_prints_what_it_found(feed_server, make_channel, capsys):
    channel = make_channel(url=feed_server.serve("/voa.xml", sample("rss2.xml")))

    call_command("wire_poll", channel=channel.pk)

    out = capsys.readouterr().out
    assert f"{channel.pk} {channel}: 2 new, 0 updated, 0 unchanged" in out
    assert "  new: Civilian Killings Mount in Idlib as Cease-fire Breaks Down" in out


def test_a_utf_16_feed_with_its_byte_order_mark(make_channel):
    channel = make_channel(kind="push", url="")
    document = sample("rss2.xml").decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').replace("Idlib", "Idlib “")

    assert polling.receive(channel, document.encode("utf-16")).ok

    assert WireItem.objects.get(guid="voa-5249911").headline.startswith("Civilian Killings Mount in Idlib “")
