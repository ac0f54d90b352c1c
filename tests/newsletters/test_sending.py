"""Sending issues through a real SMTP server (aiosmtpd) that counts what it accepts."""

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from mailinglist import tokens
from mailinglist.consent import Consent
from mailinglist.models import Subscriber
from newsletters import sending, services, tasks
from newsletters.models import Delivery, Issue, IssueStateError, MailServer
from tests.mailinglist.conftest import links_in, path_of
from tests.ports import free_port

pytestmark = pytest.mark.django_db


def send_all(issue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.send_now(issue=issue)
    issue.refresh_from_db()
    return issue


def test_a_send_to_2000_subscribers_delivers_exactly_2000_one_each_in_batches(
    counting_smtp, make_issue, add_subscribers, django_capture_on_commit_callbacks
):
    issue = make_issue()
    subscribers = add_subscribers(issue.mailing_list, 2000)

    send_all(issue, django_capture_on_commit_callbacks)

    received = Counter(counting_smtp.inbox.recipients())
    errors = set(Delivery.objects.exclude(last_error="").values_list("last_error", flat=True))
    assert not errors
    assert len(counting_smtp.inbox.envelopes) == 2000
    assert set(received) == {subscriber.email for subscriber in subscribers}
    assert set(received.values()) == {1}
    assert counting_smtp.inbox.connections == 4  # 500 a batch, one connection each
    assert issue.status == Issue.Status.SENT
    assert (issue.recipients, issue.sent_count, issue.failed_count) == (2000, 2000, 0)
    assert Delivery.objects.filter(issue=issue, status=Delivery.Status.SENT).count() == 2000


def test_only_active_subscribers_of_the_list_get_the_issue(
    counting_smtp, make_issue, make_mailing_list, make_subscriber, django_capture_on_commit_callbacks
):
    issue = make_issue()
    other = make_mailing_list()
    make_subscriber(email="active@example.com", lists=[issue.mailing_list])
    make_subscriber(email="other-list@example.com", lists=[other])
    make_subscriber(email="left@example.com", lists=[issue.mailing_list], status=Subscriber.Status.UNSUBSCRIBED)
    make_subscriber(email="bounced@example.com", lists=[issue.mailing_list], status=Subscriber.Status.BOUNCED)
    make_subscriber(email="pending@example.com", lists=[issue.mailing_list], status=Subscriber.Status.PENDING)

    send_all(issue, django_capture_on_commit_callbacks)

    assert counting_smtp.inbox.recipients() == ["active@example.com"]


def test_the_message_carries_the_issue_and_per_recipient_links_and_headers(
    counting_smtp, settings, make_issue, make_article, make_subscriber, make_image, django_capture_on_commit_callbacks
):
    settings.NEWSLETTER_FROM_EMAIL = "Newsroom Briefing <briefing@news.example.com>"
    settings.NEWSLETTER_REPLY_TO = "desk@news.example.com"
    settings.SITE_URL = "https://news.example.com"
    lead = make_article(
        headline="Civilian killings mount in Idlib", dek="The cease-fire broke down.", lead_image=make_image()
    )
    second = make_article(headline="Talks resume in Geneva")
    issue = make_issue(articles=[lead, second], subject="Morning briefing", preheader="Idlib, Geneva", intro="Hello.")
    reader = make_subscriber(email="reader@example.com", name="Ann", lists=[issue.mailing_list])

    send_all(issue, django_capture_on_commit_callbacks)

    [message] = counting_smtp.inbox.messages
    delivery = Delivery.objects.get(issue=issue)
    assert message["Subject"] == "Morning briefing"
    assert message["From"] == "Newsroom Briefing <briefing@news.example.com>"
    assert message["Reply-To"] == "desk@news.example.com"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"]
    assert message["Message-ID"] == delivery.message_id == sending.message_id(delivery.pk, issue)
    assert message["Message-ID"].endswith("@news.example.com>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Id"].startswith(f"{issue.mailing_list.name} <")
    unsubscribe = message["List-Unsubscribe"].strip().strip("<>")
    link = tokens.read_token(path_of(unsubscribe).split("/")[-2], tokens.UNSUBSCRIBE)
    assert link.subscriber == reader
    assert link.extra == issue.mailing_list.pk

    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in (text, html):
        assert "Civilian killings mount in Idlib" in part
        assert "The cease-fire broke down." in part
        assert "Talks resume in Geneva" in part
        assert lead.credit_text in part
        assert unsubscribe in part
        assert "https://news.example.com" + lead.get_absolute_url() in part
        assert sending.UNSUBSCRIBE_MARK not in part and sending.PREFERENCES_MARK not in part
    assert text.index("Civilian killings") < text.index("Talks resume")
    assert any("/newsletter/preferences/" in url for url in links_in(text))
    # Readable with images off (alt text, sized box) and in dark mode (a colour scheme and dark styles).
    assert f'alt="{lead.lead_image.alt_text}"' in html
    assert 'name="color-scheme" content="light dark"' in html
    assert "prefers-color-scheme: dark" in html
    assert "<table" not in html
    assert "Idlib, Geneva" in html  # the preheader


def test_each_recipient_gets_their_own_unsubscribe_link(
    counting_smtp, make_issue, add_subscribers, django_capture_on_commit_callbacks
):
    issue = make_issue()
    add_subscribers(issue.mailing_list, 3)

    send_all(issue, django_capture_on_commit_callbacks)

    for message in counting_smtp.inbox.messages:
        token = path_of(message["List-Unsubscribe"].strip().strip("<>")).split("/")[-2]
        assert tokens.read_token(token, tokens.UNSUBSCRIBE).subscriber.email == message["To"]


def test_unpublished_and_withdrawn_articles_never_reach_an_issue(
    counting_smtp, make_issue, make_article, add_subscribers
):
    live = make_article(headline="Live story")
    embargoed = make_article(headline="Embargoed story", published_at=timezone.now() + timedelta(hours=2))
    draft = make_article(headline="Draft story", status=Article.Status.DRAFT)
    issue = make_issue(articles=[live, embargoed, draft])

    rendered = sending.render_issue(issue)

    assert "Live story" in rendered.html
    assert "Embargoed story" not in rendered.html + rendered.text
    assert "Draft story" not in rendered.html + rendered.text


def test_an_issue_with_no_live_article_cannot_be_sent(make_issue, make_article):
    issue = make_issue(articles=[make_article(status=Article.Status.DRAFT)])

    with pytest.raises(IssueStateError, match="published article"):
        services.send_now(issue=issue)

    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT
    assert not issue.deliveries.exists()


def test_starting_twice_creates_one_set_of_deliveries(make_issue, add_subscribers):
    issue = make_issue()
    add_subscribers(issue.mailing_list, 5)

    assert sending.start(issue) is True
    assert sending.start(Issue.objects.get(pk=issue.pk)) is False

    assert issue.deliveries.count() == 5


def test_a_subscriber_who_leaves_during_sending_is_skipped(
    counting_smtp, make_issue, add_subscribers, django_capture_on_commit_callbacks
):
    issue = make_issue()
    subscribers = add_subscribers(issue.mailing_list, 30)
    sending.start(issue)
    first = sending.send_batch(issue, size=10)
    leaver = subscribers[20]
    leaver.unsubscribe(consent=Consent(source="one-click unsubscribe"))

    sending.drain(issue, size=10)

    received = counting_smtp.inbox.recipients()
    assert first.sent == 10
    assert len(received) == 29
    assert leaver.email not in received
    assert Delivery.objects.get(issue=issue, subscriber=leaver).status == Delivery.Status.SKIPPED
    issue.refresh_from_db()
    assert (issue.status, issue.sent_count, issue.skipped_count) == (Issue.Status.SENT, 29, 1)


def test_a_temporary_refusal_is_retried_later_with_backoff(counting_smtp, settings, make_issue, add_subscribers):
    settings.NEWSLETTER_RETRY_BACKOFF = 60
    issue = make_issue()
    subscribers = add_subscribers(issue.mailing_list, 3)
    counting_smtp.inbox.refuse[subscribers[1].email] = "451 4.7.1 Greylisted, try again later"
    sending.start(issue)

    result = sending.send_batch(issue)

    delivery = Delivery.objects.get(issue=issue, subscriber=subscribers[1])
    assert (result.sent, result.retried) == (2, 1)
    assert delivery.status == Delivery.Status.QUEUED
    assert delivery.attempts == 1
    assert "451" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=50)
    assert sending.send_batch(issue).claimed == 0  # not due yet
    assert not issue.finish()

    counting_smtp.inbox.refuse.clear()
    later = sending.send_batch(issue, now=timezone.now() + timedelta(seconds=61))

    assert later.sent == 1
    assert Counter(counting_smtp.inbox.recipients()) == {subscriber.email: 1 for subscriber in subscribers}
    assert issue.finish()


def test_a_recipient_refused_for_now_backs_off_doubling_and_gives_up_after_the_last_attempt(
    counting_smtp, settings, make_issue, make_subscriber
):
    settings.NEWSLETTER_RETRY_BACKOFF = 10
    settings.NEWSLETTER_MAX_ATTEMPTS = 3
    issue = make_issue()
    reader = make_subscriber(email="busy@example.com", lists=[issue.mailing_list])
    counting_smtp.inbox.refuse[reader.email] = "452 4.2.2 Mailbox full"
    sending.start(issue)
    now = timezone.now()
    waits = []
    for _ in range(3):
        sending.send_batch(issue, now=now)
        delivery = Delivery.objects.get(issue=issue)
        if delivery.status == Delivery.Status.QUEUED:
            waits.append(round((delivery.next_attempt_at - timezone.now()).total_seconds()))
        now = delivery.next_attempt_at + timedelta(seconds=1)

    assert waits == [10, 20]
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.last_error.startswith("gave up")
    assert Subscriber.objects.get(pk=reader.pk).status == Subscriber.Status.ACTIVE
    assert counting_smtp.inbox.envelopes == []
    assert not MailServer.objects.current().is_down  # one mailbox, not the server


def test_a_permanent_refusal_fails_the_delivery_and_bounces_the_address(
    counting_smtp, make_issue, make_subscriber, django_capture_on_commit_callbacks
):
    issue = make_issue()
    gone = make_subscriber(email="gone@example.com", lists=[issue.mailing_list])
    make_subscriber(email="fine@example.com", lists=[issue.mailing_list])
    counting_smtp.inbox.refuse[gone.email] = "550 5.1.1 No such user here"

    send_all(issue, django_capture_on_commit_callbacks)

    delivery = Delivery.objects.get(issue=issue, subscriber=gone)
    assert delivery.status == Delivery.Status.BOUNCED
    assert delivery.last_error.startswith("550")
    assert Subscriber.objects.get(pk=gone.pk).status == Subscriber.Status.BOUNCED
    assert counting_smtp.inbox.recipients() == ["fine@example.com"]
    assert (issue.status, issue.sent_count, issue.failed_count) == (Issue.Status.SENT, 1, 1)

    next_issue = make_issue(mailing_list=issue.mailing_list)
    send_all(next_issue, django_capture_on_commit_callbacks)
    assert counting_smtp.inbox.recipients() == ["fine@example.com", "fine@example.com"]


def test_a_message_refused_at_data_fails_without_bouncing_the_address(counting_smtp, make_issue, make_subscriber):
    issue = make_issue()
    reader = make_subscriber(email="strict@example.com", lists=[issue.mailing_list])
    counting_smtp.inbox.on_data = lambda envelope: "554 5.7.1 Message content rejected"
    sending.start(issue)

    result = sending.send_batch(issue)

    assert result.failed == 1
    assert Delivery.objects.get(issue=issue).status == Delivery.Status.FAILED
    assert Subscriber.objects.get(pk=reader.pk).status == Subscriber.Status.ACTIVE


def test_an_unreachable_server_puts_the_whole_batch_back_without_spending_attempts(
    counting_smtp, settings, make_issue, add_subscribers
):
    settings.NEWSLETTER_OUTAGE_BACKOFF = 5
    issue = make_issue()
    add_subscribers(issue.mailing_list, 5)
    sending.start(issue)
    real_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there

    result = sending.send_batch(issue)

    assert (result.sent, result.retried, result.failed) == (0, 0, 0)
    assert result.wait_until > timezone.now() + timedelta(seconds=4)
    assert issue.deliveries.filter(status=Delivery.Status.QUEUED).count() == 5
    assert set(issue.deliveries.values_list("attempts", flat=True)) == {0}
    assert MailServer.objects.current().is_down
    assert sending.send_batch(issue).claimed == 0  # every batch waits while the server is away

    settings.EMAIL_PORT = real_port
    sending.send_batch(issue, now=timezone.now() + timedelta(seconds=6))
    assert issue.finish()
    assert len(counting_smtp.inbox.envelopes) == 5
    assert not MailServer.objects.current().is_down


def test_claims_are_disjoint_and_a_dead_workers_rows_come_back_after_the_lease(make_issue, add_subscribers, settings):
    settings.NEWSLETTER_LEASE_SECONDS = 600
    issue = make_issue()
    add_subscribers(issue.mailing_list, 10)
    sending.start(issue)

    _, first = sending.claim_batch(issue, size=6)
    _, second = sending.claim_batch(issue, size=6)
    _, none_yet = sending.claim_batch(issue, size=6)
    _, reclaimed = sending.claim_batch(issue, size=10, now=timezone.now() + timedelta(seconds=601))

    assert len(first) == 6 and len(second) == 4 and none_yet == []
    assert not {d.pk for d in first} & {d.pk for d in second}
    assert {d.pk for d in reclaimed} == {d.pk for d in first + second}
    assert {d.attempts for d in reclaimed} == {2}


def test_a_mark_from_a_worker_whose_claim_was_taken_over_changes_nothing(make_issue, add_subscribers):
    issue = make_issue()
    add_subscribers(issue.mailing_list, 1)
    sending.start(issue)
    old_claim, [delivery] = sending.claim_batch(issue, size=1)
    sending.claim_batch(issue, size=1, now=timezone.now() + timedelta(days=1))

    assert sending._mark(old_claim, delivery.pk, status=Delivery.Status.SENT) == 0
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.SENDING


def test_the_rate_limit_spaces_messages(counting_smtp, settings, make_issue, add_subscribers):
    issue = make_issue()
    add_subscribers(issue.mailing_list, 5)
    sending.start(issue)
    clock = {"now": 0.0}
    slept = []

    def sleep(seconds):
        slept.append(round(seconds, 3))
        clock["now"] += seconds

    pacer = sending.Pacer(2, sleep=sleep, clock=lambda: clock["now"])
    sending.send_batch(issue, pacer=pacer)

    assert slept == [0.5, 0.5, 0.5, 0.5]
    assert len(counting_smtp.inbox.envelopes) == 5


def test_a_cancelled_issue_stops_sending(counting_smtp, make_issue, add_subscribers):
    issue = make_issue()
    add_subscribers(issue.mailing_list, 20)
    sending.start(issue)
    sending.send_batch(issue, size=5)

    issue.cancel()
    sending.drain(issue, size=5)

    assert len(counting_smtp.inbox.envelopes) == 5
    assert issue.deliveries.filter(status=Delivery.Status.SKIPPED).count() == 15


def test_cancelling_stops_the_batch_in_flight(counting_smtp, make_issue, add_subscribers):
    issue = make_issue()
    add_subscribers(issue.mailing_list, 20)
    sending.start(issue)
    clock = {"now": 0.0}

    def sleep(seconds):
        clock["now"] += seconds
        if len(counting_smtp.inbox.envelopes) == 3 and not clock.get("cancelled"):
            Issue.objects.get(pk=issue.pk).cancel()  # the editor presses "Cancel sending" meanwhile
            clock["cancelled"] = True

    result = sending.send_batch(issue, pacer=sending.Pacer(100, sleep=sleep, clock=lambda: clock["now"]))

    assert len(counting_smtp.inbox.envelopes) == 3
    assert (result.sent, result.skipped) == (3, 17)
    assert issue.deliveries.filter(status=Delivery.Status.SKIPPED).count() == 17


def test_cancelling_from_a_stale_copy_cannot_undo_a_finished_send(counting_smtp, make_issue, add_subscribers):
    issue = make_issue()
    add_subscribers(issue.mailing_list, 3)
    sending.start(issue)
    stale = Issue.objects.get(pk=issue.pk)  # what the admin read while the last batch was still going
    sending.drain(issue)

    with pytest.raises(IssueStateError, match="sent"):
        stale.cancel()

    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SENT
    assert issue.deliveries.filter(status=Delivery.Status.SENT).count() == 3


def test_a_run_of_temporary_refusals_is_the_server_away_and_spends_no_attempt(
    counting_smtp, settings, make_issue, add_subscribers
):
    issue = make_issue()
    subscribers = add_subscribers(issue.mailing_list, 12)
    for subscriber in subscribers[2:]:
        counting_smtp.inbox.refuse[subscriber.email] = "451 4.3.0 Local error in processing"
    sending.start(issue)

    result = sending.send_batch(issue)

    assert (result.sent, result.failed, result.retried) == (2, 0, 0)
    assert result.wait_until is not None
    queued = issue.deliveries.filter(status=Delivery.Status.QUEUED)
    assert queued.count() == 10
    assert set(queued.values_list("attempts", flat=True)) == {0}
    assert "451" in MailServer.objects.current().last_error


def test_one_batch_at_a_time_probes_a_server_that_is_away(db):
    now = timezone.now()
    MailServer.report_failure("connection refused", now=now, backoff=lambda failures: 10)

    early = MailServer.admit(now=now + timedelta(seconds=5), probe_seconds=60, wait_seconds=2)
    first = MailServer.admit(now=now + timedelta(seconds=11), probe_seconds=60, wait_seconds=2)
    second = MailServer.admit(now=now + timedelta(seconds=12), probe_seconds=60, wait_seconds=2)

    assert early == now + timedelta(seconds=10)
    assert first is None  # this one probes
    assert second == now + timedelta(seconds=14)  # the other waits and asks again
    state = MailServer.report_failure("still refused", now=now + timedelta(seconds=13), backoff=lambda n: 10 * n)
    assert (state.failures, state.retry_at) == (2, now + timedelta(seconds=33))  # grows while it stays away
    assert MailServer.report_success() is True
    assert MailServer.admit(now=now, probe_seconds=60, wait_seconds=2) is None


def test_the_outage_backoff_grows_to_a_cap_that_resumes_within_a_minute(settings):
    settings.NEWSLETTER_OUTAGE_BACKOFF = 5
    settings.NEWSLETTER_OUTAGE_BACKOFF_MAX = 30

    assert [sending.outage_backoff(n) for n in range(1, 7)] == [5, 10, 20, 30, 30, 30]


def test_the_watchdog_does_not_recurse_on_a_backend_that_cannot_wait(counting_smtp, make_issue, make_subscriber):
    issue = make_issue()
    reader = make_subscriber(email="busy@example.com", lists=[issue.mailing_list])
    make_subscriber(email="fine@example.com", lists=[issue.mailing_list])
    counting_smtp.inbox.refuse[reader.email] = "452 4.2.2 Mailbox full"
    sending.start(issue)
    sending.send_batch(issue)  # busy@ waits a minute for its retry

    assert tasks.watch_issue.call(issue.pk).startswith("not watching")
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SENDING


@pytest.mark.django_db(transaction=True)
def test_a_batch_longer_than_its_lease_keeps_its_rows_by_a_heartbeat(
    counting_smtp, settings, make_issue, add_subscribers
):
    settings.NEWSLETTER_LEASE_SECONDS = 1
    issue = make_issue()
    add_subscribers(issue.mailing_list, 8)
    sending.start(issue)
    taken_by_others = []

    def sleep(seconds):
        time.sleep(seconds)
        taken_by_others.extend(sending.claim_batch(issue, size=10)[1])  # another worker looking for due rows

    result = sending.send_batch(issue, pacer=sending.Pacer(2.5, sleep=sleep))  # about 3 s: three leases

    assert taken_by_others == []
    assert result.sent == 8
    assert Counter(counting_smtp.inbox.recipients()) == Counter({f"sub{n}@example.com": 1 for n in range(8)})


def test_scheduling_enqueues_the_start_for_the_chosen_time(
    settings, make_issue, add_subscribers, counting_smtp, django_capture_on_commit_callbacks
):
    from django_tasks import default_task_backend

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": []}}
    issue = make_issue()
    add_subscribers(issue.mailing_list, 3)
    at = timezone.now() + timedelta(hours=3)

    with django_capture_on_commit_callbacks(execute=True):
        services.schedule(issue=issue, at=at)
    issue.refresh_from_db()

    [result] = default_task_backend.results
    assert issue.status == Issue.Status.SCHEDULED and issue.scheduled_at == at
    assert result.task.func is tasks.start_scheduled_issue.func
    assert result.task.run_after == at
    assert result.args == [issue.pk, at.isoformat()]

    # When the worker runs it at that time, sending starts.
    assert tasks.start_scheduled_issue.call(*result.args) == "started"
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENDING
    assert issue.deliveries.count() == 3


def test_a_rescheduled_or_cancelled_issue_ignores_its_old_start_task(settings, make_issue):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": []}}
    issue = make_issue()
    first = timezone.now() + timedelta(hours=1)
    services.schedule(issue=issue, at=first)
    services.schedule(issue=issue, at=first + timedelta(hours=1))

    assert tasks.start_scheduled_issue.call(issue.pk, first.isoformat()) == "stale"
    issue.cancel()
    assert tasks.start_scheduled_issue.call(issue.pk, (first + timedelta(hours=1)).isoformat()) == "stale"
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.CANCELLED


def test_a_time_in_the_past_cannot_be_scheduled(settings, make_issue):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": []}}
    issue = make_issue()

    with pytest.raises(IssueStateError, match="future"):
        services.schedule(issue=issue, at=timezone.now() - timedelta(minutes=1))


def test_the_watchdog_restarts_a_chain_whose_worker_died(counting_smtp, make_issue, add_subscribers):
    issue = make_issue()
    add_subscribers(issue.mailing_list, 4)
    sending.start(issue)
    # A worker claimed everything and died: its rows stay "sending" until the lease runs out.
    sending.claim_batch(issue, size=10, now=timezone.now() - timedelta(hours=1))

    assert tasks.watch_issue.call(issue.pk) == "done"

    assert set(Counter(counting_smtp.inbox.recipients()).values()) == {1}
    assert len(counting_smtp.inbox.envelopes) == 4
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SENT


def test_progress_counts(make_issue, add_subscribers):
    issue = make_issue()
    add_subscribers(issue.mailing_list, 4)
    sending.start(issue)
    claim, deliveries = sending.claim_batch(issue, size=2)
    sending._mark(claim, deliveries[0].pk, status=Delivery.Status.SENT)
    sending._mark(claim, deliveries[1].pk, status=Delivery.Status.FAILED)

    progress = issue.progress()

    assert progress["total"] == 4
    assert (progress["sent"], progress["failed"], progress["queued"]) == (1, 1, 2)
    assert progress["percent"] == 50.0


def test_the_send_issue_command_sends_with_progress_and_refuses_what_it_cannot_send(
    counting_smtp, make_issue, add_subscribers
):
    from io import StringIO

    from django.core.management import CommandError, call_command

    issue = make_issue(subject="Command briefing")
    add_subscribers(issue.mailing_list, 25)
    out = StringIO()

    call_command("send_issue", str(issue.pk), "--batch-size", "10", "--no-progress", stdout=out)

    output = out.getvalue()
    assert "Sending “Command briefing”" in output
    assert "total sent 25 of 25" in output
    assert "25 sent by this run over 3 SMTP connection(s)" in output
    assert len(counting_smtp.inbox.envelopes) == 25
    with pytest.raises(CommandError, match="is sent; nothing to send"):
        call_command("send_issue", str(issue.pk), stdout=StringIO())
    with pytest.raises(CommandError, match="no issue 999999"):
        call_command("send_issue", "999999", stdout=StringIO())


def test_the_send_issue_command_draws_a_progress_bar_in_a_terminal(counting_smtp, make_issue, add_subscribers):
    from io import StringIO

    from django.core.management import call_command

    class Terminal(StringIO):
        def isatty(self):
            return True

    issue = make_issue()
    add_subscribers(issue.mailing_list, 20)
    out = Terminal()

    call_command("send_issue", str(issue.pk), "--batch-size", "10", stdout=out)

    frames = out.getvalue().split("\r")
    assert "[####################....................]  50.0%  sent 10  failed 0  queued 10" in frames
    assert any(frame.startswith("[########################################] 100.0%  sent 20") for frame in frames)


def test_sending_through_an_anymail_backend_carries_the_delivery_in_the_metadata(
    settings, make_issue, make_subscriber, django_capture_on_commit_callbacks
):
    from django.core import mail

    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    issue = make_issue()
    make_subscriber(email="reader@example.com", lists=[issue.mailing_list])

    send_all(issue, django_capture_on_commit_callbacks)

    [message] = mail.outbox
    delivery = Delivery.objects.get(issue=issue)
    assert message.metadata == {"issue": str(issue.pk), "delivery": str(delivery.pk)}
    assert delivery.status == Delivery.Status.SENT


def test_a_provider_refusing_the_address_bounces_it(settings, make_issue, make_subscriber, monkeypatch):
    from anymail.backends.test import EmailBackend
    from anymail.exceptions import AnymailRecipientsRefused

    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"

    def refuse(self, messages):
        raise AnymailRecipientsRefused("All message recipients were rejected: inactive recipient")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    issue = make_issue()
    reader = make_subscriber(email="inactive@example.com", lists=[issue.mailing_list])
    sending.start(issue)

    result = sending.send_batch(issue)

    assert result.bounced == 1
    assert Delivery.objects.get(issue=issue).status == Delivery.Status.BOUNCED
    assert Subscriber.objects.get(pk=reader.pk).status == Subscriber.Status.BOUNCED
