import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import EmailValidator
from django.db import models, transaction
from django.db.models import Max, Q
from django.db.models.functions import Lower
from django.utils import timezone

from mailinglist.consent import Consent
from newsroom import pagecache

# Page cache keys (articles/purges.py lists them all): the signup form's lists on every page, and the archive of
# sent issues with its feed.
LISTS_KEY = "lists"
ARCHIVE_KEY = "newsletter-archive"


def normalise_email(address: str) -> str:
    """One spelling per mailbox: trimmed and lower-cased (providers treat the local part case-insensitively)."""
    return address.strip().lower()


# Django's default also accepts "name@localhost", which would hand mail to the sending machine itself.
validate_address = EmailValidator(allowlist=())


def new_token_key() -> str:
    return secrets.token_urlsafe(8)


class MailingListQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_public=True)

    def for_signup_form(self) -> list[dict]:
        """The public lists as plain data, for the signup form at the foot of every page and for checking what it
        posts."""
        return list(
            self.public().values("id", "name", "slug", "description", "default_checked").order_by("order", "name")
        )


class MailingList(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True, help_text="One or two sentences shown next to the signup checkbox.")
    is_public = models.BooleanField(
        "public",
        default=True,
        help_text="Offered in the signup forms. A private list is filled only by CSV import.",
    )
    default_checked = models.BooleanField(
        default=False,
        help_text="Ticked in the signup form to begin with; a reader who unticks every list gets these.",
    )
    order = models.PositiveSmallIntegerField(default=100)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = MailingListQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def recipient_count(self) -> int:
        """How many would get an issue sent now: the active subscribers (as `sending.start` picks them)."""
        return self.subscriptions.filter(subscriber__status=Subscriber.Status.ACTIVE).count()


class SubscriberQuerySet(models.QuerySet):
    def with_email(self, address: str):
        """Match on the lower-cased address, which is what the unique index covers."""
        return self.alias(email_lower=Lower("email")).filter(email_lower=normalise_email(address))

    def active(self):
        return self.filter(status=Subscriber.Status.ACTIVE)

    def stale_pending(self, *, now=None):
        """Signups nobody confirmed before their link expired: nothing to keep them for."""
        cutoff = (now or timezone.now()) - timedelta(seconds=settings.MAILINGLIST_CONFIRM_MAX_AGE)
        return self.filter(status=Subscriber.Status.PENDING, created_at__lt=cutoff)


class Subscriber(models.Model):
    """A mailbox that asked for (or was imported into) one or more lists. Its state is the one `status`."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending confirmation"
        ACTIVE = "active", "Active"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Complained (marked as spam)"

    email = models.EmailField(max_length=254, help_text="Stored lower-case; unique whatever the case.")
    name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    lists = models.ManyToManyField(MailingList, through="Subscription", related_name="subscribers", blank=True)
    source = models.CharField(
        "signup source", max_length=500, blank=True, help_text="The page or import the address first came from."
    )
    created_at = models.DateTimeField("signed up", default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    last_notice_at = models.DateTimeField(
        "last notice sent",
        null=True,
        blank=True,
        help_text="When the last confirmation or link email went out; at most one an hour per address.",
    )
    # Part of every token: replacing it revokes all links ever sent to this subscriber.
    token_key = models.CharField(max_length=22, default=new_token_key, editable=False)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(Lower("email"), name="mailinglist_subscriber_email_ci_unique")]
        permissions = [
            ("export_subscribers", "Can export subscribers as CSV"),
            ("import_subscribers", "Can import subscribers from CSV"),
            ("erase_subscriber", "Can erase a subscriber's personal data"),
        ]

    def __str__(self):
        return self.email

    def claim_notice(self, *, now=None) -> bool:
        """Take this address's one notice email of the hour. Atomic in the database, so racing requests in
        several processes cannot both win."""
        now = now or timezone.now()
        cutoff = now - timedelta(seconds=settings.MAILINGLIST_NOTICE_INTERVAL)
        won = (
            Subscriber.objects.filter(pk=self.pk)
            .filter(Q(last_notice_at__isnull=True) | Q(last_notice_at__lte=cutoff))
            .update(last_notice_at=now)
        )
        if won:
            self.last_notice_at = now
        return bool(won)

    def release_notice(self, *, claimed_at):
        """Give the slot back when the email could not be sent, so the reader can try again at once."""
        Subscriber.objects.filter(pk=self.pk, last_notice_at=claimed_at).update(last_notice_at=None)
        self.last_notice_at = None

    def record(self, kind, consent: Consent, *, lists=()):
        return ConsentEvent.objects.create(
            subscriber=self,
            kind=kind,
            at=consent.when,
            ip_address=consent.ip_address,
            user_agent=consent.user_agent,
            source=consent.source,
            wording=consent.wording,
            lists=[mailing_list.name for mailing_list in lists],
        )

    def consent_mark(self) -> int:
        """The id of this subscriber's newest consent record; a confirmation link carries it (see
        `confirmation_spent`)."""
        return self.consent_events.aggregate(newest=Max("pk"))["newest"] or 0

    def confirmation_spent(self, mark: int) -> bool:
        """Whether a confirmation link sent when `mark` was the newest consent record has been answered since: by
        confirming (links are single-use), unsubscribing, changing preferences or an import. A later unsubscribe
        must never be overridden by an old link, and someone who marked our mail as spam is never re-activated by
        one."""
        if self.status == self.Status.COMPLAINED:
            return True
        return self.consent_events.filter(pk__gt=mark).exclude(kind=ConsentEvent.Kind.SIGNED_UP).exists()

    def _subscriptions(self):
        # Always a fresh query: an instance from an admin list carries prefetched subscriptions that go stale
        # the moment a method here changes them.
        return Subscription.objects.filter(subscriber=self)

    def list_ids(self) -> set[int]:
        return set(self._subscriptions().values_list("mailing_list_id", flat=True))

    @transaction.atomic
    def confirm(self, *, lists, consent: Consent) -> bool:
        """Double opt-in completed (by POST from the confirmation page). Confirming twice changes nothing."""
        lists = list(lists)
        new_lists = [mailing_list for mailing_list in lists if mailing_list.pk not in self.list_ids()]
        if self.status == self.Status.ACTIVE and not new_lists:
            return False
        for mailing_list in new_lists:
            Subscription.objects.get_or_create(subscriber=self, mailing_list=mailing_list)
        self.status = self.Status.ACTIVE
        self.confirmed_at = consent.when
        self.unsubscribed_at = None
        self.save(update_fields=["status", "confirmed_at", "unsubscribed_at"])
        self.record(ConsentEvent.Kind.CONFIRMED, consent, lists=lists)
        return True

    @transaction.atomic
    def unsubscribe(self, *, consent: Consent, mailing_list=None) -> bool:
        """Leave one list, or every list. Leaving the last list leaves the mailing list. Idempotent."""
        subscriptions = self._subscriptions().select_related("mailing_list")
        if mailing_list is not None:
            subscriptions = subscriptions.filter(mailing_list=mailing_list)
        left = [subscription.mailing_list for subscription in subscriptions]
        subscriptions.delete()
        status_changes = self.status in (self.Status.PENDING, self.Status.ACTIVE) and not self._subscriptions().exists()
        if status_changes:
            self.status = self.Status.UNSUBSCRIBED
            self.unsubscribed_at = consent.when
            self.save(update_fields=["status", "unsubscribed_at"])
        if not left and not status_changes:
            return False
        self.record(ConsentEvent.Kind.UNSUBSCRIBED, consent, lists=left)
        return True

    @transaction.atomic
    def change_preferences(self, *, lists, name, consent: Consent) -> bool:
        """The reader's own choice on the preferences page, reached through a link only their inbox holds.
        Choosing no list at all is leaving."""
        lists = list(lists)
        wanted = {mailing_list.pk for mailing_list in lists}
        current = self.list_ids()
        name_changed = name != self.name
        if name_changed:
            self.name = name
            self.save(update_fields=["name"])
        if not wanted:
            return self.unsubscribe(consent=consent) or name_changed
        if wanted == current and self.status == self.Status.ACTIVE:
            return name_changed
        self._subscriptions().exclude(mailing_list__in=wanted).delete()
        for mailing_list in lists:
            if mailing_list.pk not in current:
                Subscription.objects.create(subscriber=self, mailing_list=mailing_list)
        if self.status != self.Status.ACTIVE:
            self.status = self.Status.ACTIVE
            self.confirmed_at = self.confirmed_at or consent.when
            self.unsubscribed_at = None
            self.save(update_fields=["status", "confirmed_at", "unsubscribed_at"])
        self.record(ConsentEvent.Kind.PREFERENCES_CHANGED, consent, lists=lists)
        return True

    def mark_bounced(self):
        self.status = self.Status.BOUNCED
        self.save(update_fields=["status"])

    def mark_complained(self):
        self.status = self.Status.COMPLAINED
        self.save(update_fields=["status"])

    def personal_data(self) -> dict:
        """Everything we hold about this person, for the "download my data" button."""
        return {
            "email": self.email,
            "name": self.name,
            "status": self.status,
            "signed_up": self.created_at.isoformat(),
            "signup_source": self.source,
            "confirmed": self.confirmed_at.isoformat() if self.confirmed_at else None,
            "unsubscribed": self.unsubscribed_at.isoformat() if self.unsubscribed_at else None,
            "lists": [
                {"name": subscription.mailing_list.name, "since": subscription.created_at.isoformat()}
                for subscription in self._subscriptions().select_related("mailing_list")
            ],
            "consent_record": [
                {
                    "event": event.get_kind_display(),
                    "at": event.at.isoformat(),
                    "ip_address": event.ip_address,
                    "user_agent": event.user_agent,
                    "source": event.source,
                    "wording_shown": event.wording,
                    "lists": event.lists,
                }
                for event in self.consent_events.order_by("at", "pk")
            ],
        }


class Subscription(models.Model):
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="subscriptions")
    mailing_list = models.ForeignKey(MailingList, on_delete=models.CASCADE, related_name="subscriptions")
    created_at = models.DateTimeField("subscribed at", default=timezone.now)

    class Meta:
        ordering = ["mailing_list__order", "mailing_list__name"]
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "mailing_list"], name="mailinglist_subscription_unique")
        ]

    def __str__(self):
        return f"{self.subscriber} → {self.mailing_list}"


class SuppressionQuerySet(models.QuerySet):
    def covering(self, address: str):
        return self.filter(email_hash=Suppression.hash_email(address))


class Suppression(models.Model):
    """An address that must never be mailed by accident, kept only as a hash after its owner was erased."""

    class Reason(models.TextChoices):
        ERASED = "erased", "Erased at the subscriber's request"

    email_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the lower-cased address.")
    reason = models.CharField(max_length=20, choices=Reason.choices, default=Reason.ERASED)
    created_at = models.DateTimeField(default=timezone.now)

    objects = SuppressionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email_hash[:12]}… ({self.get_reason_display()})"

    @staticmethod
    def hash_email(address: str) -> str:
        return hashlib.sha256(normalise_email(address).encode()).hexdigest()


class ConsentEvent(models.Model):
    """One row per act of consent or its withdrawal: the newsroom's proof of when and how someone agreed."""

    class Kind(models.TextChoices):
        SIGNED_UP = "signed_up", "Signed up"
        CONFIRMED = "confirmed", "Confirmed"
        PREFERENCES_CHANGED = "preferences", "Changed preferences"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        IMPORTED = "imported", "Imported"
        ERASED = "erased", "Erased"

    subscriber = models.ForeignKey(
        Subscriber, null=True, blank=True, on_delete=models.CASCADE, related_name="consent_events"
    )
    suppression = models.ForeignKey(
        Suppression,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consent_events",
        help_text="For an erasure: the anonymised entry that remains.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=500, blank=True, help_text="The page, email link or import it came from.")
    wording = models.TextField("consent wording shown", blank=True)
    lists = models.JSONField(default=list, blank=True, help_text="Names of the lists concerned.")

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


# ---- Sending: issues and their deliveries (docs/sending.md) -------------------------------------------------


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
        from django.urls import reverse

        return reverse("mailinglist:archive_issue", args=[self.pk])

    @property
    def is_editable(self):
        return self.status in (self.Status.DRAFT, self.Status.SCHEDULED)

    def live_articles(self):
        """The chosen articles, in order, that readers may see now (a withdrawn one drops out)."""
        from articles.models import Article

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
        constraints = [models.UniqueConstraint(fields=["issue", "article"], name="mailinglist_issuearticle_unique")]
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
        constraints = [models.UniqueConstraint(fields=["issue", "subscriber"], name="mailinglist_delivery_unique")]
        indexes = [models.Index(fields=["issue", "status", "next_attempt_at"], name="mailinglist_delivery_due")]

    def __str__(self):
        return f"{self.issue} → {self.subscriber}"


def lists_changed(sender, **kwargs):
    """Every page's signup form offers the public lists."""
    if not kwargs.get("raw"):
        pagecache.purge(LISTS_KEY)


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
