"""The SMTP server going away in the middle of an issue and coming back: a real aiosmtpd server stopped and
started again by the test. The outage is long compared with the backoff (the waits are compressed by settings:
seconds stand for the minutes of a real outage), so a sender that spent attempts would fail deliveries."""

import threading
import time
from collections import Counter

import pytest

from newsletters import sending
from newsletters.models import Delivery, Issue, MailServer

pytestmark = [pytest.mark.django_db, pytest.mark.faults]


def test_a_long_smtp_outage_mid_send_fails_nobody_and_everyone_gets_one_message_once_it_is_back(
    counting_smtp, settings, make_issue, add_subscribers
):
    settings.NEWSLETTER_OUTAGE_BACKOFF = 0.05  # 5 s in production
    settings.NEWSLETTER_OUTAGE_BACKOFF_MAX = 0.2  # 30 s in production: the outage lasts 15 of these
    settings.NEWSLETTER_MAX_ATTEMPTS = 2
    issue = make_issue()
    subscribers = add_subscribers(issue.mailing_list, 200)
    inbox = counting_smtp.inbox
    outage = {}

    def go_away(envelope):
        if len(inbox.envelopes) == 70 and "start" not in outage:
            outage["start"] = time.monotonic()
            threading.Thread(target=counting_smtp.stop).start()  # not from inside the server's own loop
            return "421 4.3.2 Shutting down"
        return None

    def come_back():
        while "start" not in outage:
            time.sleep(0.01)
        time.sleep(3)
        inbox.on_data = lambda envelope: outage.setdefault("resumed", time.monotonic()) and None
        counting_smtp.start()
        outage["end"] = time.monotonic()

    inbox.on_data = go_away
    threading.Thread(target=come_back, daemon=True).start()
    tries_while_away = []

    def watch(issue, batch):
        if batch.wait_until is not None and "end" not in outage:
            tries_while_away.append(batch)

    sending.start(issue)
    sending.drain(issue, size=25, on_batch=watch)
    issue.refresh_from_db()

    assert "end" in outage
    assert Counter(inbox.recipients()) == Counter({subscriber.email: 1 for subscriber in subscribers})
    assert not issue.deliveries.exclude(status=Delivery.Status.SENT).exists()  # nobody failed
    assert (issue.status, issue.sent_count, issue.failed_count) == (Issue.Status.SENT, 200, 0)
    # A backoff, not a busy loop: about one try per wait while the server was away (it grows to its cap).
    assert 5 <= len(tries_while_away) <= 3 / 0.2 + 10
    assert not MailServer.objects.current().is_down
    # Within one (compressed) maximum wait plus the sending; generous, since a loaded machine can take seconds to get
    # the restarted server's first message through (production's bound is a minute).
    assert outage["resumed"] - outage["end"] < 5
