"""Issues: composing, testing, sending (the sending itself is in newsletters/sending.py, its start and tasks in
newsletters/tasks.py), breaking alerts, and what a bounce or complaint changes."""

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import timedelta
from email.utils import make_msgid

from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django_tasks import default_task_backend

from articles.models import Article
from mailinglist.models import MailingList, Subscriber, new_token_key
from newsletters import sending, tasks
from newsletters.models import Delivery, Issue, IssueArticle, IssueStateError


def briefing_articles(*, mailing_list, since=None, limit=20):
    """ "Today's briefing": live articles published since the list's last issue (or the last day), in the
    categories its past issues covered, newest first. A list that never sent draws from every category."""
    last = Issue.objects.last_sent_to(mailing_list).first()
    since = since or (last.started_at if last else timezone.now() - timedelta(days=1))
    articles = Article.objects.published().filter(published_at__gt=since)
    category_ids = set(
        IssueArticle.objects.filter(issue__mailing_list=mailing_list).values_list("article__category_id", flat=True)
    )
    if category_ids:
        articles = articles.filter(category_id__in=category_ids)
    return list(articles.order_by("-published_at")[:limit])


def prefill_briefing(*, issue) -> int:
    articles = briefing_articles(mailing_list=issue.mailing_list)
    issue.set_articles(articles)
    return len(articles)


def send_test(*, issue, to: str) -> None:
    """The issue as one subscriber would get it, to a staff member's own address, marked as a test; its links
    are real but belong to no subscriber."""
    stand_in = Subscriber(pk=0, email=to, status=Subscriber.Status.ACTIVE, token_key=new_token_key())
    rendered = sending.render_issue(issue)
    message = sending.build_message(
        rendered=sending.RenderedIssue(f"[Test] {rendered.subject}", rendered.text, rendered.html),
        issue=issue,
        subscriber=stand_in,
        delivery_id=0,
    )
    message.extra_headers["Message-ID"] = make_msgid(domain=sending.sender_domain())
    message.send()


@dataclass(frozen=True)
class Mailing:
    """What a send is about to do, as the confirmation page shows it before anything goes out."""

    mailing_list: MailingList
    subject: str
    preheader: str
    articles: list
    recipients: int
    intro: str = ""  # an alert sent from a live story's key update carries the update's words

    @property
    def fingerprint(self) -> str:
        """Names what was confirmed; a send whose list, subject, words or articles changed since must be confirmed
        again."""
        parts = [str(self.mailing_list.pk), self.subject, *(str(article.pk) for article in self.articles)]
        if self.intro:
            parts.append(self.intro)
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def mailing_for(*, issue) -> Mailing:
    """The issue's send as it would go now; raises IssueStateError when it cannot go."""
    issue._check_editable()
    issue.check_sendable()
    return Mailing(
        mailing_list=issue.mailing_list,
        subject=issue.subject,
        preheader=issue.preheader,
        articles=issue.live_articles(),
        recipients=issue.mailing_list.recipient_count(),
    )


def alert_mailing(*, article, mailing_list, subject: str, update=None) -> Mailing:
    """The breaking alert the form describes, before it exists: nothing is written until it is confirmed. From a live
    story's key update (``update``), the alert leads with the update's words."""
    return Mailing(
        mailing_list=mailing_list,
        subject=subject,
        preheader=(update.summary if update else article.dek)[:200],
        articles=[article],
        recipients=mailing_list.recipient_count(),
        intro=update_words(update) if update else "",
    )


def update_words(update):
    """A live update's text as an issue's intro: plain paragraphs, separated by blank lines."""
    text = re.sub(r"(?i)</p>|<br\s*/?>", "\n\n", update.body)
    paragraphs = (" ".join(html.unescape(strip_tags(part)).split()) for part in text.split("\n\n"))
    return "\n\n".join(part for part in paragraphs if part)


def send_now(*, issue) -> bool:
    issue._check_editable()
    return tasks.start_sending(issue=issue)


def schedule(*, issue, at) -> None:
    """Send at `at` without any cron: the start task is enqueued now to run then (Tasks API `run_after`)."""
    if not default_task_backend.supports_defer:
        raise IssueStateError("The task backend cannot run tasks later; send now instead.")
    issue.check_sendable()
    with transaction.atomic():
        issue.schedule(at=at)
        transaction.on_commit(lambda: tasks.start_scheduled_issue.using(run_after=at).enqueue(issue.pk, at.isoformat()))


@transaction.atomic
def create_alert(*, article, mailing_list, subject: str, by, key: str = "", update=None) -> Issue:
    """A breaking alert: a one-article issue to an alert list, ready to send.

    ``key`` comes from the confirmation page: confirming the same page twice (a double click, a resubmitted form)
    returns the alert made the first time instead of making a second one."""
    # Locking the article's row makes two confirmations of one page wait for each other, so the second sees the first.
    if not Article.objects.published().select_for_update().filter(pk=article.pk).values_list("pk"):
        raise IssueStateError("Only a published, live article can be sent as an alert.")
    if key:
        existing = Issue.objects.filter(kind=Issue.Kind.ALERT, key=key).first()
        if existing is not None:
            return existing
    issue = Issue.objects.create(
        mailing_list=mailing_list,
        kind=Issue.Kind.ALERT,
        subject=subject,
        preheader=(update.summary if update else article.dek)[:200],
        intro=update_words(update) if update else "",
        created_by=by,
        **({"key": key} if key else {}),
    )
    issue.set_articles([article])
    return issue


@transaction.atomic
def record_bounce(*, email: str, kind: str, delivery_id=None, detail: str = "") -> bool:
    """A provider told us an address bounced hard or complained: stop every further message to it, including
    deliveries still queued for issues being sent. Returns whether the address was known."""
    subscriber = Subscriber.objects.with_email(email).select_for_update().first()
    if subscriber is None:
        return False
    if kind == "complained":
        subscriber.mark_complained()
    elif subscriber.status != Subscriber.Status.COMPLAINED:
        subscriber.mark_bounced()
    subscriber.deliveries.filter(status=Delivery.Status.QUEUED).update(
        status=Delivery.Status.SKIPPED, last_error=f"address {kind}"
    )
    delivered = subscriber.deliveries.filter(status=Delivery.Status.SENT)
    if delivery_id and str(delivery_id).isdigit():
        delivered = delivered.filter(pk=int(delivery_id))
    else:
        delivered = delivered.order_by("-sent_at")[:1]
    Delivery.objects.filter(pk__in=list(delivered.values_list("pk", flat=True))).update(
        status=Delivery.Status.BOUNCED, last_error=(detail or kind)[:500]
    )
    return True
