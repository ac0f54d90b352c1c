"""Sending an issue: render once, then claim a batch of deliveries, send it over one SMTP connection and mark
each delivery the moment the server accepted its message. See docs/sending.md for the guarantees and the one
window that remains.

Nothing here runs inside a transaction except the claim itself: each "sent" mark must be committed on its own,
straight after the server's 250, or a crash would forget messages that were delivered.
"""

import logging
import smtplib
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import formatdate

from anymail.exceptions import AnymailAPIError, AnymailError, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import DatabaseError, connections, transaction
from django.db import connection as db_connection
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from mailinglist import emails
from mailinglist.models import Subscriber, Subscription
from newsletters.models import Delivery, Issue, MailServer

logger = logging.getLogger(__name__)

# Stand-ins rendered into the issue once, replaced per recipient: rendering 100,000 templates would cost more
# than sending.
UNSUBSCRIBE_MARK = "__NEWSROOM_UNSUBSCRIBE_URL__"
PREFERENCES_MARK = "__NEWSROOM_PREFERENCES_URL__"


@dataclass(frozen=True)
class RenderedIssue:
    subject: str
    text: str
    html: str


def issue_context(issue: Issue, *, articles=None) -> dict:
    articles = issue.live_articles() if articles is None else articles
    items = []
    for article in articles:
        image = article.social_image()
        items.append(
            {
                "article": article,
                "url": emails.absolute_url(article.get_absolute_url()),
                "byline": article.credit_text,
                "image": image,
                "image_alt": article.lead_image.alt_text if image else "",
            }
        )
    return {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "issue": issue,
        "items": items,
        "intro_paragraphs": [part.strip() for part in issue.intro.split("\n\n") if part.strip()],
        "archive_url": emails.absolute_url(reverse("newsletters:archive_issue", args=[issue.pk])),
    }


def render_issue(issue: Issue, *, articles=None, unsubscribe_url=UNSUBSCRIBE_MARK, preferences_url=PREFERENCES_MARK):
    context = {
        **issue_context(issue, articles=articles),
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": preferences_url,
    }
    return RenderedIssue(
        subject=issue.subject,
        text=render_to_string("newsletters/email/issue.txt", context),
        html=render_to_string("newsletters/email/issue.html", context),
    )


def sender_domain() -> str:
    address = settings.NEWSLETTER_FROM_EMAIL
    return address.rsplit("@", 1)[-1].strip(" >") or "localhost"


def message_id(delivery_id: int, issue: Issue) -> str:
    """The same for every attempt of one delivery, so a copy sent twice (the crash window) can be recognised
    by the receiving side and by us."""
    return f"<issue-{issue.pk}.{issue.key}.delivery-{delivery_id}@{sender_domain()}>"


def build_message(*, rendered: RenderedIssue, issue: Issue, subscriber: Subscriber, delivery_id: int):
    unsubscribe = emails.unsubscribe_url(subscriber, mailing_list=issue.mailing_list)
    preferences = emails.preferences_url(subscriber)
    headers = {
        **emails.AUTO_SUBMITTED,
        **emails.list_unsubscribe_headers(subscriber, mailing_list=issue.mailing_list, url=unsubscribe),
        "Message-ID": message_id(delivery_id, issue),
        "Date": formatdate(localtime=True),
        "Reply-To": settings.NEWSLETTER_REPLY_TO,
        "X-Newsroom-Delivery": str(delivery_id),
    }
    if not headers["Reply-To"]:
        del headers["Reply-To"]
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text.replace(UNSUBSCRIBE_MARK, unsubscribe).replace(PREFERENCES_MARK, preferences),
        from_email=settings.NEWSLETTER_FROM_EMAIL,
        to=[subscriber.email],
        headers=headers,
    )
    message.attach_alternative(
        rendered.html.replace(UNSUBSCRIBE_MARK, unsubscribe).replace(PREFERENCES_MARK, preferences), "text/html"
    )
    # Read by anymail backends (the provider echoes it in webhooks); ignored by plain SMTP.
    message.metadata = {"issue": str(issue.pk), "delivery": str(delivery_id)}
    return message


# ---- Starting


def start(issue: Issue, *, now=None) -> bool:
    """Create one queued delivery per active subscriber of the list and move the issue to sending. Atomic and
    once only; returns False when the issue had already started (or was cancelled)."""
    now = now or timezone.now()
    with transaction.atomic():
        subscriber_ids = list(
            Subscription.objects.filter(mailing_list=issue.mailing_list, subscriber__status=Subscriber.Status.ACTIVE)
            .order_by("subscriber_id")
            .values_list("subscriber_id", flat=True)
        )
        if not issue.begin(recipients=len(subscriber_ids), now=now):
            return False
        for start_at in range(0, len(subscriber_ids), 5000):
            Delivery.objects.bulk_create(
                [
                    Delivery(issue=issue, subscriber_id=subscriber_id, next_attempt_at=now)
                    for subscriber_id in subscriber_ids[start_at : start_at + 5000]
                ],
                ignore_conflicts=True,
            )
    return True


# ---- Timing. Every interval of sending derives from these settings, read by the process that sends (the task
# worker or `send_issue`), never by the one that queued the work: web and worker need not agree on them.


def lease_seconds() -> int:
    """How long claimed rows stay a worker's without a heartbeat: a dead worker's rows are free after this."""
    return settings.NEWSLETTER_LEASE_SECONDS


def heartbeat_seconds() -> float:
    """Leases are renewed this often while a batch works, so a live worker keeps its rows however long it takes."""
    return max(0.5, lease_seconds() / 3)


def watch_seconds() -> float:
    """The watchdog's interval: a dead worker's rows are taken over at most a lease plus this after it died."""
    return max(1.0, lease_seconds() / 2)


def outage_backoff(failures: int) -> float:
    """The wait after the n-th server-wide failure in a row: it grows while the server stays away, up to a cap
    short enough that sending resumes within a minute of the server's return."""
    first, cap = settings.NEWSLETTER_OUTAGE_BACKOFF, settings.NEWSLETTER_OUTAGE_BACKOFF_MAX
    return min(cap, first * 2 ** max(0, failures - 1))


def probe_seconds() -> float:
    """How long the one batch that tries a server that was down holds that right: enough to open a connection
    and hand over a message; if the batch dies meanwhile, another may probe after this."""
    return 3 * settings.EMAIL_TIMEOUT + 10


# ---- Claiming


def claim_batch(issue: Issue, *, size: int, now=None) -> tuple[str, list[Delivery]]:
    """Take up to `size` due deliveries for this worker. On PostgreSQL `SKIP LOCKED` lets parallel batches take
    disjoint rows without waiting; on SQLite every write transaction holds the database's one write lock
    (transaction_mode IMMEDIATE), so claims are serialised and equally disjoint."""
    now = now or timezone.now()
    claim = uuid.uuid4().hex
    with transaction.atomic():
        due = Delivery.objects.filter(issue=issue).claimable(now=now).order_by("pk")
        if db_connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:size])
        if ids:
            Delivery.objects.filter(pk__in=ids).update(
                status=Delivery.Status.SENDING,
                claim=claim,
                lease_until=timezone.now() + timedelta(seconds=lease_seconds()),
                attempts=F("attempts") + 1,
            )
    deliveries = list(Delivery.objects.filter(pk__in=ids, claim=claim).select_related("subscriber").order_by("pk"))
    return claim, deliveries


class Heartbeat:
    """Renews the lease of one claim from a thread while its batch works. A thread rather than the sending loop,
    because one SMTP command may block for up to EMAIL_TIMEOUT: the lease then only runs out when the process is
    gone, and can be short."""

    def __init__(self, claim: str):
        self.claim = claim
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, name=f"lease-{claim[:8]}", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stop.set()
        self.thread.join()

    def run(self):
        try:
            while not self.stop.wait(heartbeat_seconds()):
                try:
                    Delivery.objects.filter(claim=self.claim, status=Delivery.Status.SENDING).update(
                        lease_until=timezone.now() + timedelta(seconds=lease_seconds())
                    )
                except DatabaseError as error:
                    # The database is away; the next beat tries again, and the lease covers a few missed ones.
                    logger.warning("Renewing the lease of claim %s failed: %s", self.claim, error)
        finally:
            connections.close_all()  # this thread's own connection


# ---- Sending one batch

# Temporary refusals of this many messages in a row, none accepted in between, are the server's, not the
# recipients': a server that accepts nothing for five different addresses is refusing mail, not five mailboxes.
OUTAGE_STREAK = 5


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    bounced: int = 0
    skipped: int = 0
    retried: int = 0
    connections: int = 0
    errors: list[str] = field(default_factory=list)
    # Set when the mail server is away (this batch found it so, or another did and the wait is not over):
    # nothing was spent, and the batch should be tried again then.
    wait_until: object = None


class ServerAway(Exception):
    """A failure of the mail server as a whole, not of one message or recipient."""


def _mark(claim: str, delivery_id: int, **values) -> int:
    # Only while this worker still holds the claim: a row reclaimed after a lease ran out is the new holder's.
    rows = Delivery.objects.filter(pk=delivery_id, claim=claim, status=Delivery.Status.SENDING)
    if settings.NEWSLETTER_DURABLE_MARKS or db_connection.vendor != "postgresql":
        return rows.update(claim="", lease_until=None, **values)
    with transaction.atomic():
        # The commit returns before the WAL reaches the disk: a killed worker loses nothing (the server has the
        # commit), only a crash of PostgreSQL itself in the next fraction of a second could (docs/sending.md).
        with db_connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO off")
        return rows.update(claim="", lease_until=None, **values)


def _retry(claim: str, delivery: Delivery, error: str, *, now) -> str:
    if delivery.attempts >= settings.NEWSLETTER_MAX_ATTEMPTS:
        _mark(claim, delivery.pk, status=Delivery.Status.FAILED, last_error=f"gave up: {error}"[:500])
        return "failed"
    backoff = settings.NEWSLETTER_RETRY_BACKOFF * 2 ** (delivery.attempts - 1)
    _mark(
        claim,
        delivery.pk,
        status=Delivery.Status.QUEUED,
        last_error=error[:500],
        next_attempt_at=now + timedelta(seconds=backoff),
    )
    return "retried"


def _count_retry(result: "BatchResult", outcome: str):
    if outcome == "retried":
        result.retried += 1
    else:
        result.failed += 1


def _release(claim: str) -> int:
    """Put every row this claim still holds back in the queue, due at once and with its attempt given back: the
    server failed, not these deliveries. The mail server's state decides when anyone tries again."""
    return Delivery.objects.filter(claim=claim, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.QUEUED, claim="", lease_until=None, attempts=F("attempts") - 1
    )


def _smtp_code(error: Exception, address: str) -> int | None:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, _ = next(iter(error.recipients.values()), (None, b""))
        return code
    return getattr(error, "smtp_code", None)


def _still_wanted(issue: Issue, deliveries) -> set[int]:
    """Subscribers of the batch still active on the list now: whoever left since sending started is skipped."""
    return set(
        Subscription.objects.filter(
            mailing_list=issue.mailing_list,
            subscriber__status=Subscriber.Status.ACTIVE,
            subscriber_id__in=[delivery.subscriber_id for delivery in deliveries],
        ).values_list("subscriber_id", flat=True)
    )


def _still_sending(issue: Issue) -> bool:
    # Read before every message, not once per batch: after "Cancel sending" nothing more goes out.
    return Issue.objects.filter(pk=issue.pk, status=Issue.Status.SENDING).exists()


class Pacer:
    """At most `rate` messages a second for this batch (0: no limit)."""

    def __init__(self, rate: float, *, sleep=time.sleep, clock=time.monotonic):
        self.interval = 1 / rate if rate else 0
        self.sleep, self.clock = sleep, clock
        self.next_at = None

    def wait(self):
        if not self.interval:
            return
        now = self.clock()
        if self.next_at is not None and now < self.next_at:
            self.sleep(self.next_at - now)
            now = self.next_at
        self.next_at = now + self.interval


def send_batch(issue: Issue, *, size: int | None = None, now=None, pacer: Pacer | None = None) -> BatchResult:
    size = size or settings.NEWSLETTER_BATCH_SIZE
    result = BatchResult()
    wait = MailServer.admit(
        now=now or timezone.now(), probe_seconds=probe_seconds(), wait_seconds=settings.NEWSLETTER_OUTAGE_BACKOFF
    )
    if wait is not None:
        result.wait_until = wait
        return result
    claim, deliveries = claim_batch(issue, size=size, now=now)
    result.claimed = len(deliveries)
    if not deliveries:
        MailServer.release_probe()
        return result
    try:
        with Heartbeat(claim):
            _send_claimed(issue, claim, deliveries, result, pacer or Pacer(settings.NEWSLETTER_RATE_LIMIT))
    except ServerAway as away:
        text = str(away)
        result.errors.append(text)
        _release(claim)
        state = MailServer.report_failure(text, now=timezone.now(), backoff=outage_backoff)
        result.wait_until = state.retry_at
        logger.warning("Mail server away (%s); sending paused until %s.", text, state.retry_at)
    else:
        MailServer.release_probe()
    return result


def _send_claimed(issue: Issue, claim: str, deliveries, result: BatchResult, pacer: Pacer):
    wanted = _still_wanted(issue, deliveries)
    rendered = render_issue(issue)
    connection = get_connection(fail_silently=False)
    # Deliveries refused with a 4xx since the server last accepted a message: whether that was their mailbox or
    # the whole server is only known from what comes next.
    unsure: list[tuple[Delivery, str]] = []
    accepted = False

    def temporary(delivery, text):
        unsure.append((delivery, text))
        if len(unsure) >= OUTAGE_STREAK:
            raise ServerAway(f"{len(unsure)} messages in a row refused for now, the last: {text}")

    def settle_unsure():
        # The server accepts mail, so those refusals were each recipient's: they spend an attempt and wait.
        for delivery, text in unsure:
            _count_retry(result, _retry(claim, delivery, text, now=timezone.now()))
        unsure.clear()

    try:
        for delivery in deliveries:
            subscriber = delivery.subscriber
            if subscriber.pk in wanted:
                pacer.wait()
            if subscriber.pk not in wanted or not _still_sending(issue):
                _mark(claim, delivery.pk, status=Delivery.Status.SKIPPED)
                result.skipped += 1
                continue
            message = build_message(rendered=rendered, issue=issue, subscriber=subscriber, delivery_id=delivery.pk)
            try:
                if connection.open():
                    result.connections += 1
                connection.send_messages([message])
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as error:
                code = _smtp_code(error, subscriber.email) or 0
                text = f"{code} {error}"
                if code == 421 or (400 <= code < 500 and isinstance(error, smtplib.SMTPSenderRefused)):
                    raise ServerAway(text) from error  # the server closes, or refuses our sender: nobody gets mail
                if 400 <= code < 500:
                    temporary(delivery, text)
                    continue
                hard_bounce = isinstance(error, smtplib.SMTPRecipientsRefused) and 500 <= code < 600
                status = Delivery.Status.BOUNCED if hard_bounce else Delivery.Status.FAILED
                _mark(claim, delivery.pk, status=status, last_error=text[:500])
                if hard_bounce:
                    Subscriber.objects.filter(pk=subscriber.pk, status=Subscriber.Status.ACTIVE).update(
                        status=Subscriber.Status.BOUNCED
                    )
                    result.bounced += 1
                else:
                    result.failed += 1
                result.errors.append(text)
            except AnymailRecipientsRefused as error:
                # The provider refuses the address itself (it bounced or complained there before).
                text = f"refused by the provider: {error}"
                _mark(claim, delivery.pk, status=Delivery.Status.BOUNCED, last_error=text[:500])
                Subscriber.objects.filter(pk=subscriber.pk, status=Subscriber.Status.ACTIVE).update(
                    status=Subscriber.Status.BOUNCED
                )
                result.bounced += 1
                result.errors.append(text)
            except AnymailError as error:
                status = getattr(error, "status_code", None)
                text = f"provider: {status or 'unreachable'} {error}"[:500]
                if isinstance(error, AnymailAPIError) and (status is None or status == 429 or status >= 500):
                    raise ServerAway(text) from error  # the provider's API is down or throttles everyone
                # A 4xx other than 429 is our message's fault and will not get better.
                _mark(claim, delivery.pk, status=Delivery.Status.FAILED, last_error=text)
                result.failed += 1
                result.errors.append(text)
            except (smtplib.SMTPException, OSError) as error:
                # Refused, timed out, dropped, TLS or login failed: the server, not this message.
                raise ServerAway(f"connection: {error.__class__.__name__}: {error}") from error
            else:
                _mark(
                    claim,
                    delivery.pk,
                    status=Delivery.Status.SENT,
                    sent_at=timezone.now(),
                    message_id=message_id(delivery.pk, issue),
                    last_error="",
                )
                result.sent += 1
                if not accepted:
                    accepted = True
                    if MailServer.report_success():
                        logger.warning("Mail server back; sending resumed.")
                settle_unsure()
        if unsure and (accepted or not MailServer.objects.current().is_down):
            # Fewer than a streak, at the end of a batch: the server was not known to be away, so these count
            # against their recipients (a full mailbox must not hold an issue back for ever).
            settle_unsure()
        elif unsure:
            raise ServerAway(f"the server accepted nothing, the last answer: {unsure[-1][1]}")
    finally:
        try:
            connection.close()
        except (smtplib.SMTPException, OSError):
            logger.warning("Closing the SMTP connection for issue %s failed.", issue.pk)


def next_due(issue: Issue):
    """When the next delivery of this issue becomes claimable (a retry's time or a lease's end), or None."""
    queued = (
        Delivery.objects.filter(issue=issue, status=Delivery.Status.QUEUED)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    leased = (
        Delivery.objects.filter(issue=issue, status=Delivery.Status.SENDING)
        .order_by("lease_until")
        .values_list("lease_until", flat=True)
        .first()
    )
    times = [when for when in (queued, leased) if when is not None]
    return min(times) if times else None


def recently_active(issue: Issue, *, now=None) -> bool:
    """Whether a batch of this issue is at work: a claim still leased, or a message sent within a lease period."""
    now = now or timezone.now()
    period = timedelta(seconds=lease_seconds())
    return Delivery.objects.filter(
        Q(status=Delivery.Status.SENDING, lease_until__gt=now) | Q(sent_at__gt=now - period), issue=issue
    ).exists()


def drain(issue: Issue, *, size=None, on_batch=None, sleep=time.sleep, max_wait=None) -> BatchResult:
    """Send batch after batch in this process until nothing is left, waiting for retries and for leases of dead
    workers to run out and for the mail server to come back; then mark the issue sent. Used by `send_issue` and the
    benchmark."""
    total = BatchResult()
    pacer = Pacer(settings.NEWSLETTER_RATE_LIMIT, sleep=sleep)
    while True:
        issue.refresh_from_db()
        if issue.status != Issue.Status.SENDING:
            return total
        result = send_batch(issue, size=size, pacer=pacer)
        for name in ("claimed", "sent", "failed", "bounced", "skipped", "retried", "connections"):
            setattr(total, name, getattr(total, name) + getattr(result, name))
        total.errors += result.errors
        if on_batch:
            on_batch(issue, result)
        if result.wait_until is not None:
            due = result.wait_until  # the mail server is away: nothing was spent, try again then
        elif result.claimed:
            continue
        elif issue.finish():
            return total
        else:
            due = next_due(issue)
        if due is None:
            continue
        wait = max(0.0, (due - timezone.now()).total_seconds()) + 0.05
        if max_wait is not None and wait > max_wait:
            return total
        sleep(wait)
