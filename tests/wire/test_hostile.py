"""Hostile or broken feeds: each leaves a clear error on the channel, stores nothing, and keeps the conditional-GET
state of the last good poll so the next poll asks for the whole document again."""

import pytest

from tests.wire.conftest import sample
from wire import fetch, polling
from wire.models import WireItem

pytestmark = pytest.mark.django_db

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>Laughs</title>
<item><title>&lol9;</title><guid>laugh-1</guid></item></channel></rss>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>XXE</title>
<item><title>&secret;</title><guid>xxe-1</guid></item></channel></rss>"""

NEWSML_XXE = b"""<?xml version="1.0"?>
<!DOCTYPE newsItem [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:x" version="1">
<contentMeta><headline>&secret;</headline></contentMeta></newsItem>"""


@pytest.fixture
def good_then(feed_server, make_channel):
    """A channel that polled once successfully (ETag "v1"), whose feed then turns into ``body`` (or another route)."""

    def make(**route):
        url = feed_server.serve("/feed.xml", sample("rss2.xml"), etag='"v1"')
        channel = make_channel(url=url)
        assert polling.poll(channel).ok
        WireItem.objects.all().delete()
        feed_server.serve("/feed.xml", **route)
        channel.etag = ""  # ask for the whole document, as a poll after a change would get it
        channel.save(update_fields=["etag"])
        return channel

    return make


def failed(channel, outcome):
    channel.refresh_from_db()
    assert not outcome.ok
    assert channel.last_error == outcome.error and channel.last_error_at is not None
    assert channel.failures == 1
    assert WireItem.objects.filter(channel=channel).count() == 0
    return outcome.error


def test_malformed_xml(good_then):
    channel = good_then(body=sample("rss2.xml").replace(b"</item>", b"</itme>", 1))
    error = failed(channel, polling.poll(channel))
    assert error.startswith("The document is not well-formed XML: mismatched tag")


def test_billion_laughs_is_refused_before_any_expansion(good_then):
    channel = good_then(body=BILLION_LAUGHS)
    error = failed(channel, polling.poll(channel))
    assert "declares entities or external references" in error and "billion laughs" in error


@pytest.mark.parametrize("document", [EXTERNAL_ENTITY, NEWSML_XXE], ids=["rss", "newsml"])
def test_external_entities_are_refused(make_channel, document):
    channel = make_channel(kind="push", url="")
    error = failed(channel, polling.receive(channel, document))
    assert "declares entities or external references" in error


def test_a_server_error(good_then):
    channel = good_then(body=b"<h1>Internal Server Error</h1>", status=500, content_type="text/html")
    assert failed(channel, polling.poll(channel)) == "The server answered 500 Internal Server Error."


def test_a_server_that_does_not_answer_in_time(settings, good_then):
    settings.NEWSROOM_WIRE_TIMEOUT = 0.5
    channel = good_then(body=sample("rss2.xml"), delay=2)
    assert failed(channel, polling.poll(channel)) == "No answer within 0.5 seconds."


def test_a_50_mb_response_without_a_length_is_cut_off_at_the_cap(good_then, feed_server):
    channel = good_then(stream=50 * 1024 * 1024)
    error = failed(channel, polling.poll(channel))
    assert error == "The response is larger than the limit of 10 MB; stopped reading."


def test_a_50_mb_response_that_says_so_is_refused_before_reading(feed_server, make_channel):
    url = feed_server.serve("/big.xml", b"<rss/>", headers={"Content-Length": str(50 * 1024 * 1024)})
    channel = make_channel(url=url)
    error = failed(channel, polling.poll(channel))
    assert error == "The response is 50 MB; the limit is 10 MB."


def test_not_a_feed(good_then):
    channel = good_then(body=b"<html><body>Moved</body></html>", content_type="text/html")
    error = failed(channel, polling.poll(channel))
    assert error == "The document is XML but not a feed, NewsML-G2 or ninjs (its root element is <html>)."


def test_a_failure_keeps_the_last_good_conditional_get_state_and_backs_off(feed_server, make_channel):
    url = feed_server.serve("/feed.xml", sample("rss2.xml"), etag='"v1"')
    channel = make_channel(url=url, poll_minutes=10)
    polling.poll(channel)
    feed_server.serve("/feed.xml", b"oops", status=503, content_type="text/plain")
    channel.etag = ""
    channel.save(update_fields=["etag"])
    polling.poll(channel)
    outcome = polling.poll(channel)
    channel.refresh_from_db()

    assert channel.failures == 2 and not outcome.ok
    assert channel.retry_delay().total_seconds() == 10 * 60 * 4
    assert channel.last_success_at is not None and channel.last_success_at < channel.last_error_at

    feed_server.serve("/feed.xml", sample("rss2.xml"), etag='"v2"')
    polling.poll(channel)
    channel.refresh_from_db()
    assert channel.failures == 0 and channel.etag == '"v2"'
    assert channel.retry_delay().total_seconds() == 10 * 60


def test_backoff_stops_at_the_maximum(settings, make_channel):
    settings.NEWSROOM_WIRE_MAX_BACKOFF = 3600
    channel = make_channel(poll_minutes=15)
    channel.failures = 10
    assert channel.retry_delay().total_seconds() == 3600


def test_private_addresses_are_refused_unless_allowed(settings, feed_server, make_channel):
    settings.NEWSROOM_WIRE_PRIVATE_ADDRESSES = False
    channel = make_channel(url=feed_server.serve("/feed.xml", sample("rss2.xml")))

    error = failed(channel, polling.poll(channel))

    assert error.startswith("127.0.0.1 is on a private or local network (127.0.0.1)")
    assert feed_server.requests == []  # refused on connecting, before a request was sent


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://feeds.example/voa.xml"])
def test_redirects_go_to_http_and_https_only(feed_server, make_channel, target):
    feed_server.serve("/moved.xml", status=302, headers={"Location": target})
    channel = make_channel(url=feed_server.base + "/moved.xml")

    error = failed(channel, polling.poll(channel))

    assert error == f"The server redirected to {target!r}; only http and https addresses are followed."


def test_redirects_to_another_feed_are_followed(feed_server, make_channel):
    feed_server.serve("/new.xml", sample("rss2.xml"))
    feed_server.serve("/old.xml", status=301, headers={"Location": feed_server.base + "/new.xml"})
    channel = make_channel(url=feed_server.base + "/old.xml")

    assert polling.poll(channel).ok
    assert WireItem.objects.count() == 2


def test_only_http_addresses_are_fetched():
    with pytest.raises(fetch.FetchError, match="is not an http or https address"):
        fetch.fetch_url("ftp://feeds.example/voa.xml")


def test_a_huge_ninjs_nesting_is_refused(make_channel):
    channel = make_channel(kind="push", url="")
    error = failed(channel, polling.receive(channel, b"[" * 100_000 + b"]" * 100_000))
    assert error.startswith("The document is not valid JSON")
