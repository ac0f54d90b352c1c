"""Sending an issue: render once, then claim a batch of deliveries, send it over one SMTP connection and mark
each delivery the moment the server accepted its message. See docs/sending.md for the guarantees and the one
window that remains.

Nothing here runs inside a transaction except the claim itself: each "sent" mark must be committed on its own,
straight after the server's 250, or a crash would forget messages that were delivered.
"""

import logging
import smtplib
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import formatdate

from anymail.exceptions import AnymailError, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from mailinglist import emails
from mailinglist.models import Delivery, Issue, Subscriber, Subscription

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
        "archive_url": emails.absolute_url(reverse("mailinglist:archive_issue", args=[issue.pk])),
    }


def render_issue(issue: Issue, *, articles=None, unsubscribe_url=UNSUBSCRIBE_MARK, preferences_url=PREFERENCES_MARK):
    context = {
        **issue_context(issue, articles=articles),
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": preferences_url,
    }
    return RenderedIssue(
        subject=issue.subject,
        text=render_to_string("mailinglist/email/issue.txt", context),
        html=render_to_string("mailinglist/email/issue.html", context),
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


# ---- Claiming


def lease_seconds(batch_size: int) -> int:
    """Long enough for a whole batch even at the configured rate, so a live worker's rows are never taken."""
    rate = settings.NEWSLETTER_RATE_LIMIT
    needed = int(2 * batch_size / rate) + 60 if rate else 0
    return max(settings.NEWSLETTER_LEASE_SECONDS, needed)


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
                lease_until=now + timedelta(seconds=lease_seconds(size)),
                attempts=F("attempts") + 1,
            )
    deliveries = list(Delivery.objects.filter(pk__in=ids, claim=claim).select_related("subscriber").order_by("pk"))
    return claim, deliveries


# ---- Sending one batch


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
    claim, deliveries = claim_batch(issue, size=size, now=now)
    result.claimed = len(deliveries)
    if not deliveries:
        return result
    wanted = _still_wanted(issue, deliveries)
    issue.refresh_from_db(fields=["status"])
    rendered = render_issue(issue)
    pacer = pacer or Pacer(settings.NEWSLETTER_RATE_LIMIT)
    connection = get_connection(fail_silently=False)
    pending = list(deliveries)
    try:
        while pending:
            delivery = pending.pop(0)
            subscriber = delivery.subscriber
            if issue.status == Issue.Status.CANCELLED or subscriber.pk not in wanted:
                _mark(claim, delivery.pk, status=Delivery.Status.SKIPPED)
                result.skipped += 1
                continue
            message = build_message(rendered=rendered, issue=issue, subscriber=subscriber, delivery_id=delivery.pk)
            pacer.wait()
            try:
                if connection.open():
                    result.connections += 1
                connection.send_messages([message])
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as error:
                code = _smtp_code(error, subscriber.email) or 0
                text = f"{code} {error}"
                if 400 <= code < 500:
                    _count_retry(result, _retry(claim, delivery, text, now=timezone.now()))
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
                # A provider's HTTP API: a 4xx other than 429 is our message's fault and will not get better.
                status = getattr(error, "status_code", None) or 0
                text = f"provider: {status} {error}"[:500]
                result.errors.append(text)
                if 400 <= status < 500 and status != 429:
                    _mark(claim, delivery.pk, status=Delivery.Status.FAILED, last_error=text)
                    result.failed += 1
                else:
                    _count_retry(result, _retry(claim, delivery, text, now=timezone.now()))
            except (smtplib.SMTPException, OSError) as error:
                # The connection is gone (timeout, refused, dropped): this message and the rest of the batch wait
                # for a later attempt rather than burning their attempts on a dead server.
                text = f"connection: {error.__class__.__name__}: {error}"
                result.errors.append(text)
                _count_retry(result, _retry(claim, delivery, text, now=timezone.now()))
                for rest in pending:
                    _mark(claim, rest.pk, status=Delivery.Status.QUEUED, attempts=F("attempts") - 1)
                pending = []
                connection.close()
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
    finally:
        try:
            connection.close()
        except (smtplib.SMTPException, OSError):
            logger.warning("Closing the SMTP connection for issue %s failed.", issue.pk)
    return result


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
    period = timedelta(seconds=lease_seconds(settings.NEWSLETTER_BATCH_SIZE))
    return Delivery.objects.filter(
        Q(status=Delivery.Status.SENDING, lease_until__gt=now) | Q(sent_at__gt=now - period), issue=issue
    ).exists()


def drain(issue: Issue, *, size=None, on_batch=None, sleep=time.sleep, max_wait=None) -> BatchResult:
    """Send batch after batch in this process until nothing is left, waiting for retries and for leases of dead
    workers to run out; then mark the issue sent. Used by `send_issue` and the benchmark."""
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
        if result.claimed:
            continue
        if issue.finish():
            return total
        due = next_due(issue)
        if due is None:
            continue
        wait = max(0.0, (due - timezone.now()).total_seconds()) + 0.05
        if max_wait is not None and wait > max_wait:
            return total
        sleep(wait)
