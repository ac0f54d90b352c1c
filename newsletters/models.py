"""Newsletter issues and their sending (docs/sending.md): an issue to one list, the articles it carries, one
delivery per subscriber, and what every sender knows about the mail server."""

from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from mailinglist.models import MailingList, Subscriber, new_token_key
from newsroom import pagecache

# Page cache key (articles/purges.py lists them all): the archive of sent issues and its feed.
ARCHIVE_KEY = "newsletter-archive"


class IssueQuerySet(models.QuerySet):
    def sent(self):
        return self.filter(status=Issue.Status.SENT)

    def for_archive(self):
        """Issues readers may see on the web: sent, to a public list, newest first."""
        return self.sent().filter(mailing_list__is_public=True).select_related("mailing_list").order_by("-sent_at")

    def last_sent_to(self, mailing_list):
        return self.filter(mailing_list=mailing_list, status__in=[Issue.Status.SENT, Issue.Status.SENDING]).order_by(
            "-started_at"
        )


class Issue(models.Model):
    """One mailing to one list: a digest of articles or a breaking alert about one article."""

    class Kind(models.TextChoices):
        DIGEST = "digest", "Digest"
        ALERT = "alert", "Breaking alert"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled"

    mailing_list = models.ForeignKey(MailingList, on_delete=models.PROTECT, related_name="issues")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DIGEST)
    subject = models.CharField(max_length=200)
    preheader = models.CharField(
        max_length=200, blank=True, help_text="The line mail programs show after the subject in the inbox."
    )
    intro = models.TextField(blank=True, help_text="A few plain sentences at the top. Blank lines start paragraphs.")
    articles = models.ManyToManyField("articles.Article", through="IssueArticle", related_name="issues", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    scheduled_at = models.DateTimeField(null=True, blank=True, help_text="When a scheduled issue goes out.")
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField("finished sending", null=True, blank=True, editable=False)
    recipients = models.PositiveIntegerField(default=0, editable=False, help_text="Deliveries made at the start.")
    sent_count = models.PositiveIntegerField("sent", default=0, editable=False)
    failed_count = models.PositiveIntegerField("failed", default=0, editable=False)
    skipped_count = models.PositiveIntegerField("skipped", default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Part of every Message-ID of this issue, so IDs stay unique even if a database is restored and ids reused.
    key = models.CharField(max_length=22, default=new_token_key, editable=False)

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        permissions = [("send_issue", "Can send or schedule a newsletter issue")]

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("newsletters:archive_issue", args=[self.pk])

    @property
    def is_editable(self):
        return self.status in (self.Status.DRAFT, self.Status.SCHEDULED)

    def live_articles(self):
        """The chosen articles, in order, that readers may see now (a withdrawn one drops out)."""
        order = {article_id: n for n, article_id in enumerate(self.article_ids())}
        articles = list(Article.objects.published().for_listing().filter(pk__in=order))
        return sorted(articles, key=lambda article: order[article.pk])

    def article_ids(self) -> list[int]:
        return list(self.items.order_by("order", "pk").values_list("article_id", flat=True))

    def set_articles(self, articles):
        """Replace the chosen articles; only while the issue has not started."""
        self._check_editable()
        self.items.all().delete()
        IssueArticle.objects.bulk_create(
            [IssueArticle(issue=self, article=article, order=n) for n, article in enumerate(articles)]
        )

    def _check_editable(self):
        if not self.is_editable:
            raise IssueStateError(f"This issue is {self.get_status_display().lower()}; it can no longer change.")

    def check_sendable(self):
        """Raises IssueStateError when the issue has nothing readers may see now."""
        if self.kind == self.Kind.DIGEST and not self.live_articles():
            raise IssueStateError("Choose at least one published article before sending.")
        if self.kind == self.Kind.ALERT and not self.live_articles():
            raise IssueStateError("The alert's article is not published.")

    def schedule(self, *, at):
        self._check_editable()
        if at <= timezone.now():
            raise IssueStateError("Choose a time in the future, or send now.")
        self.status = self.Status.SCHEDULED
        self.scheduled_at = at
        self.save(update_fields=["status", "scheduled_at"])

    @transaction.atomic
    def cancel(self):
        """Stop a scheduled or sending issue. Deliveries already sent stay sent; the rest never go: a batch at work
        reads the status before each message. A conditional UPDATE, because this object's status may be stale:
        the last batch may have marked the issue sent since it was read, and that must stay so."""
        won = Issue.objects.filter(pk=self.pk, status__in=[self.Status.SCHEDULED, self.Status.SENDING]).update(
            status=self.Status.CANCELLED
        )
        if not won:
            self.refresh_from_db(fields=["status"])
            raise IssueStateError(
                f"This issue is {self.get_status_display().lower()}; only a scheduled or sending issue can be "
                "cancelled."
            )
        self.status = self.Status.CANCELLED
        self.deliveries.filter(status=Delivery.Status.QUEUED).update(status=Delivery.Status.SKIPPED)

    def begin(self, *, recipients: int, now=None) -> bool:
        """Move to sending, once: the conditional UPDATE is what makes two starts (a double click, the scheduled
        task and the command) create one set of deliveries."""
        now = now or timezone.now()
        won = Issue.objects.filter(pk=self.pk, status__in=[self.Status.DRAFT, self.Status.SCHEDULED]).update(
            status=self.Status.SENDING, started_at=now, recipients=recipients
        )
        if won:
            self.status, self.started_at, self.recipients = self.Status.SENDING, now, recipients
        return bool(won)

    def finish(self, *, now=None) -> bool:
        """Sending is over when no delivery is queued or being sent; keep the final counts on the issue."""
        if self.deliveries.filter(status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING]).exists():
            return False
        counts = self.deliveries.counts()
        won = Issue.objects.filter(pk=self.pk, status=self.Status.SENDING).update(
            status=self.Status.SENT,
            sent_at=now or timezone.now(),
            sent_count=counts["sent"],
            failed_count=counts["failed"] + counts["bounced"],
            skipped_count=counts["skipped"],
        )
        if won:
            pagecache.purge(ARCHIVE_KEY)
            self.refresh_from_db()
        return bool(won)

    def progress(self) -> dict:
        counts = self.deliveries.counts()
        total = sum(counts.values())
        done = total - counts["queued"] - counts["sending"]
        return {
            "status": self.status,
            "status_label": self.get_status_display(),
            "total": total,
            "done": done,
            "percent": round(100 * done / total, 1) if total else (100.0 if self.status == self.Status.SENT else 0.0),
            **counts,
        }


class IssueStateError(Exception):
    """The issue is not in a state that allows this; the message says why, for the editor."""


def live_articles_only():
    """What the admin offers for an issue (its autocomplete too): the same rule as Article.objects.published()."""
    return Q(status="published", published_at__lte=timezone.now())


class IssueArticle(models.Model):
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="items")
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="+", limit_choices_to=live_articles_only
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["issue", "article"], name="newsletters_issuearticle_unique")]
        verbose_name = "article in the issue"
        verbose_name_plural = "articles in the issue (in order)"

    def __str__(self):
        return str(self.article)


class DeliveryQuerySet(models.QuerySet):
    def claimable(self, *, now):
        """Rows a batch may take: queued and due, or claimed by a worker whose lease ran out (it died)."""
        return self.filter(
            Q(status=Delivery.Status.QUEUED, next_attempt_at__lte=now)
            | Q(status=Delivery.Status.SENDING, lease_until__lt=now)
        )

    def counts(self) -> dict[str, int]:
        found = dict(self.values_list("status").annotate(n=models.Count("pk")).order_by())
        return {status: found.get(status, 0) for status in Delivery.Status.values}


class Delivery(models.Model):
    """One issue to one subscriber. Created for every active subscriber when sending starts; the unique pair is
    what makes "exactly once" checkable."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        BOUNCED = "bounced", "Bounced"
        SKIPPED = "skipped", "Skipped (left before sending)"

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    message_id = models.CharField("Message-ID", max_length=200, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A claim: the worker that holds the row and until when. A row still "sending" after its lease belongs to a
    # worker that died, and is claimed again.
    claim = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "deliveries"
        constraints = [models.UniqueConstraint(fields=["issue", "subscriber"], name="newsletters_delivery_unique")]
        indexes = [models.Index(fields=["issue", "status", "next_attempt_at"], name="newsletters_delivery_due")]

    def __str__(self):
        return f"{self.issue} → {self.subscriber}"


class MailServerQuerySet(models.QuerySet):
    def current(self) -> "MailServer":
        return self.get_or_create(pk=1)[0]


class MailServer(models.Model):
    """What every sender knows about the outgoing mail server (SMTP or a provider's API): working, or away since
    when and when to try it again. One row, shared by all workers, so a server-wide failure pauses every batch
    instead of spending each subscriber's attempts, and only one batch at a time probes whether it is back."""

    failures = models.PositiveIntegerField(default=0, help_text="Failed tries in a row, the probes included.")
    down_since = models.DateTimeField(null=True, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True, help_text="Empty while the server works.")
    probe_until = models.DateTimeField(null=True, blank=True, help_text="A batch is trying the server until then.")
    last_error = models.CharField(max_length=500, blank=True)

    objects = MailServerQuerySet.as_manager()

    class Meta:
        verbose_name = "mail server status"
        verbose_name_plural = "mail server status"

    def __str__(self):
        return f"down since {self.down_since:%Y-%m-%d %H:%M:%S}" if self.retry_at else "working"

    @property
    def is_down(self) -> bool:
        return self.retry_at is not None

    def may_be_tried(self, *, now) -> bool:
        """Working, or its retry time came and no batch is probing it right now."""
        if self.retry_at is None:
            return True
        return self.retry_at <= now and (self.probe_until is None or self.probe_until < now)

    @classmethod
    def admit(cls, *, now, probe_seconds: float, wait_seconds: float):
        """None when a batch may send now: the server works, or it is down, its retry time came and this caller
        won the probe. Otherwise when to ask again."""
        state = cls.objects.current()
        if state.retry_at is None:
            return None
        if state.retry_at > now:
            return state.retry_at
        won = (
            cls.objects.filter(pk=state.pk, retry_at__lte=now)
            .filter(Q(probe_until__isnull=True) | Q(probe_until__lt=now))
            .update(probe_until=now + timedelta(seconds=probe_seconds))
        )
        return None if won else now + timedelta(seconds=wait_seconds)

    @classmethod
    def report_failure(cls, error: str, *, now, backoff) -> "MailServer":
        """A server-wide failure. The first report of an outage starts it; later ones from batches that were
        already under way when it began change nothing, so parallel batches do not make the backoff jump.
        `backoff(n)` is the wait after the n-th failure in a row."""
        with transaction.atomic():
            state = cls.objects.select_for_update().filter(pk=cls.objects.current().pk).get()
            probing = state.probe_until is not None
            if state.retry_at is None or probing or state.retry_at <= now:
                state.failures += 1
                state.down_since = state.down_since or now
                state.retry_at = now + timedelta(seconds=backoff(state.failures))
                state.probe_until = None
            state.last_error = error[:500]
            state.save()
        return state

    @classmethod
    def release_probe(cls):
        """A probe that reached no verdict (nothing to send, only permanent refusals): let the next one try."""
        cls.objects.filter(probe_until__isnull=False).update(probe_until=None)

    @classmethod
    def report_success(cls) -> bool:
        """The server accepted a message: whatever outage there was is over. Returns whether one was."""
        return bool(
            cls.objects.filter(retry_at__isnull=False).update(
                failures=0, down_since=None, retry_at=None, probe_until=None
            )
        )
