"""Reading a channel and recording what came of it: the one path for a scheduled poll, `manage.py wire_poll`, an
upload in the admin and an agency's push.

A failure of any kind (no answer, an error status, too large, not XML, hostile XML, not a feed) stores nothing from
that document: the channel keeps its last error, counts the failures in a row (the next poll waits longer) and keeps
its ETag and Last-Modified, so the next poll asks again for the whole document.
"""

import logging
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from wire import fetch, parsers, services
from wire.models import Channel

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    channel: Channel
    ingested: services.Ingested | None = None
    not_modified: bool = False
    error: str = ""
    warning: str = ""
    published: int = 0

    @property
    def ok(self):
        return not self.error

    def summary(self):
        if self.error:
            return f"Failed: {self.error}"
        if self.not_modified:
            return "Nothing new: the feed has not changed since the last poll."
        text = self.ingested.summary()
        if self.published:
            text += f"; {self.published} published automatically"
        return f"{text}. {self.warning}".strip()


def poll(channel):
    """Fetch the channel's feed and store what is new. Returns an ``Outcome``; never raises for the feed's faults."""
    try:
        if channel.kind == Channel.Kind.FILE:
            fetched = fetch.read_file(channel.url, last_modified=channel.last_modified)
        elif channel.kind == Channel.Kind.FEED:
            fetched = fetch.fetch_url(
                channel.url,
                etag=channel.etag,
                last_modified=channel.last_modified,
                accept="application/rss+xml, application/atom+xml, application/xml, text/xml;q=0.9, */*;q=0.5",
            )
        else:
            return _failed(channel, "This channel receives pushed items; it has nothing to poll.")
    except fetch.FetchError as exc:
        return _failed(channel, str(exc))
    if fetched.not_modified:
        return _succeeded(Outcome(channel, not_modified=True), etag=fetched.etag, last_modified=fetched.last_modified)
    return receive(channel, fetched.body, content_type=fetched.content_type, fetched=fetched)


def receive(channel, data, *, content_type="", fetched=None):
    """Parse a document (polled, uploaded or pushed) and store its items, all or nothing."""
    try:
        parsed = parsers.parse(data, content_type=content_type)
        ingested = services.ingest(channel=channel, items=parsed.items)
    except parsers.ParseError as exc:
        return _failed(channel, str(exc))
    except Exception as exc:
        # Whatever went wrong, the channel says so and its polling goes on; the details are in the log.
        log.exception("Storing the items of wire channel %s failed", channel.pk)
        return _failed(channel, f"The items could not be stored ({type(exc).__name__}); see the server log.")
    outcome = Outcome(channel, ingested=ingested, warning=parsed.warning)
    if channel.auto_publish:
        for item in ingested.new:
            if services.auto_publish(item=item) is not None:
                outcome.published += 1
    etag, last_modified = (fetched.etag, fetched.last_modified) if fetched else (channel.etag, channel.last_modified)
    return _succeeded(outcome, etag=etag, last_modified=last_modified)


def _succeeded(outcome, *, etag, last_modified):
    now = timezone.now()
    fields = {
        "last_polled_at": now,
        "last_success_at": now,
        "last_result": outcome.summary()[:500],
        "etag": etag or "",
        "last_modified": last_modified or "",
        "failures": 0,
    }
    # Only these columns: an editor may be saving the channel's settings meanwhile.
    Channel.objects.filter(pk=outcome.channel.pk).update(**fields)
    for name, value in fields.items():
        setattr(outcome.channel, name, value)
    return outcome


def _failed(channel, error):
    now = timezone.now()
    Channel.objects.filter(pk=channel.pk).update(
        last_polled_at=now, last_error=error, last_error_at=now, failures=F("failures") + 1
    )
    channel.refresh_from_db()
    return Outcome(channel, error=error)
