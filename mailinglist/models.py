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

# Page cache key (articles/purges.py lists them all): the signup form's lists on every page.
LISTS_KEY = "lists"


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
        """How many would get an issue sent now: the active subscribers (as `newsletters.sending.start` picks them)."""
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


def lists_changed(sender, **kwargs):
    """Every page's signup form offers the public lists."""
    if not kwargs.get("raw"):
        pagecache.purge(LISTS_KEY)
