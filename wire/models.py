"""The wire desk: channels that bring agency copy in, and the items they bring, waiting to become stories.

A channel is polled (a feed URL, or a feed file dropped into the wire folder) or receives items pushed to it
(NewsML-G2 or ninjs). Each item is kept once per channel under the agency's own identifier; a re-sent item with a new
version updates that row and says so, and a story made from it is never changed without an editor taking the update.
"""

import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from articles.fields import SanitizedHTMLField


class Channel(models.Model):
    class Kind(models.TextChoices):
        FEED = "feed", "Feed (RSS or Atom)"
        FILE = "file", "Feed file in the wire folder"
        PUSH = "push", "Pushed or uploaded (NewsML-G2, ninjs)"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.FEED)
    url = models.CharField(
        "address",
        max_length=500,
        blank=True,
        help_text="For a feed: its http(s) address. For a feed file: its name inside the wire folder "
        "(NEWSROOM_WIRE_FILES_DIR). Empty for uploaded or pushed items.",
    )
    source = models.ForeignKey(
        "articles.Source",
        on_delete=models.PROTECT,
        related_name="wire_channels",
        help_text="Credited on every story made from this channel, e.g. “VOA”.",
    )
    section = models.ForeignKey(
        "articles.Category",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="default section",
        help_text="Stories are filed here unless a rule below says otherwise.",
    )
    enabled = models.BooleanField("on", default=True, help_text="Off: not polled, and pushes are refused.")
    poll_minutes = models.PositiveIntegerField(
        "poll every (minutes)",
        default=15,
        validators=[MinValueValidator(1)],
        help_text="How often a feed is read. After failures it waits longer.",
    )
    canonical_is_original = models.BooleanField(
        "canonical link points to the original",
        default=False,
        help_text="Stories from this channel tell search engines the agency's page is the canonical copy.",
    )
    auto_publish = models.BooleanField(
        "publish automatically",
        default=False,
        help_text="Only for a trusted channel: items matching one of the rules below are published at once, "
        "without an editor (a rule with the keyword * matches every item). Everything else waits in the queue.",
    )
    push_token = models.CharField(
        max_length=64, blank=True, editable=False, help_text="The bearer token an agency's push carries."
    )

    # What the last polls did: read by the channel list, written by wire/polling.py.
    etag = models.CharField(max_length=500, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    last_polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField("last success", null=True, blank=True, editable=False)
    last_result = models.CharField(max_length=500, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    last_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    failures = models.PositiveIntegerField(default=0, editable=False, help_text="Failed polls in a row.")
    next_poll_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the scheduled poll runs; it is the poll's ticket."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        url = (self.url or "").strip()
        if self.kind == self.Kind.FEED and not re.match(r"(?i)^https?://[^/\s]+", url):
            raise ValidationError({"url": "A feed's address starts with http:// or https://."})
        if self.kind == self.Kind.FILE and (not url or url.startswith(("/", "\\")) or ".." in url.split("/")):
            raise ValidationError({"url": "Give the file's name inside the wire folder, e.g. voa.xml."})
        if self.kind == self.Kind.PUSH and url:
            raise ValidationError({"url": "Uploaded or pushed items need no address; leave it empty."})

    def ensure_push_token(self):
        """A push channel's token, made once; pushes to a channel without one are refused."""
        if self.kind == self.Kind.PUSH and not self.push_token:
            self.push_token = secrets.token_urlsafe(32)

    @property
    def is_polled(self):
        return self.kind in (self.Kind.FEED, self.Kind.FILE)

    def retry_delay(self):
        """The wait before the next poll: the interval, doubled for each failure in a row, up to the maximum."""
        interval = max(1, self.poll_minutes) * 60
        if self.failures:
            interval = min(interval * 2**self.failures, max(interval, settings.NEWSROOM_WIRE_MAX_BACKOFF))
        return timedelta(seconds=interval)

    def rules_for(self, text):
        """The channel's rules whose keyword is in the text (a whole word or phrase, any case; * matches anything)."""
        return [rule for rule in self.rules.all() if rule.matches(text)]


class Rule(models.Model):
    """A keyword that files a channel's item under a section, adds a tag, or both."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="rules")
    keyword = models.CharField(
        max_length=100,
        help_text="A word or phrase in the headline, summary, dateline, body or the agency's subjects; * for all.",
    )
    section = models.ForeignKey("articles.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    tag = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.keyword

    def matches(self, text):
        keyword = self.keyword.strip()
        if keyword == "*":
            return True
        return bool(keyword) and re.search(rf"(?<!\w){re.escape(keyword)}(?!\w)", text, re.IGNORECASE) is not None


class WireItemQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(state__in=[WireItem.State.NEW, WireItem.State.UPDATED])


class WireItem(models.Model):
    """One agency story as it arrived, in its latest version."""

    class State(models.TextChoices):
        NEW = "new", "New"
        USED = "used", "Used"
        IGNORED = "ignored", "Ignored"
        UPDATED = "updated", "Updated since use"

    class Format(models.TextChoices):
        RSS = "rss", "RSS"
        ATOM = "atom", "Atom"
        NEWSML = "newsml", "NewsML-G2"
        NINJS = "ninjs", "ninjs"

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="items")
    guid = models.CharField("agency identifier", max_length=500)
    version = models.PositiveIntegerField(
        default=1, help_text="The agency's version number; for feeds, one more each time the item's text changed."
    )
    fingerprint = models.CharField(max_length=64, editable=False)
    format = models.CharField(max_length=10, choices=Format.choices)
    headline = models.CharField(max_length=300)
    dek = models.TextField("summary", blank=True)
    body = SanitizedHTMLField(blank=True, help_text="Sanitised as article bodies are, on every write.")
    dateline = models.CharField(max_length=100, blank=True)
    authors = models.JSONField(default=list, blank=True, help_text="The reporters' names as the agency gives them.")
    subjects = models.JSONField(default=list, blank=True, help_text="The agency's keywords and subjects.")
    pictures = models.JSONField(default=list, blank=True, help_text="[{url, caption, credit, alt}]")
    original_url = models.URLField("original URL", max_length=500, blank=True)
    sent_at = models.DateTimeField("agency time", null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now, help_text="When the latest version arrived.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.NEW, db_index=True)

    article = models.ForeignKey(
        "articles.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="wire_items"
    )
    used_version = models.PositiveIntegerField(null=True, blank=True, help_text="The version the story holds.")
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    used_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True, help_text="Why an automatic step did not go through.")

    objects = WireItemQuerySet.as_manager()

    class Meta:
        verbose_name = "wire item"
        verbose_name_plural = "wire items"
        # Newest first; items that arrived together, in the agency's order.
        ordering = ["-received_at", models.F("sent_at").desc(nulls_last=True), "-id"]
        constraints = [models.UniqueConstraint(fields=["channel", "guid"], name="wire_item_once_per_channel")]
        permissions = [("use_wireitem", "Can turn wire items into stories")]

    def __str__(self):
        return self.headline

    def get_absolute_url(self):
        return reverse("admin:wire_wireitem_change", args=[self.pk])

    @property
    def has_update(self):
        """A story was made from an earlier version than this one."""
        return self.article_id is not None and self.used_version is not None and self.version > self.used_version

    # ---- the desk's steps (the story itself is made and updated by wire/services.py)

    def mark_used(self, *, article=None, by=None, at=None):
        """Its current version is now in a story (``article``, when the story was just made from it)."""
        self.state = self.State.USED
        self.used_version = self.version
        self.note = ""
        fields = ["state", "used_version", "note"]
        if article is not None:
            self.article, self.used_by, self.used_at = article, by, at or timezone.now()
            fields += ["article", "used_by", "used_at"]
        self.save(update_fields=fields)

    @transaction.atomic
    def keep_our_version(self, *, by):
        """Leave the story as it is: the item stops showing as updated until the agency sends yet another version."""
        self._step(
            by,
            frm=self.State.UPDATED,
            to=self.State.USED,
            refusal="There is no new version of this item waiting.",
            note=lambda item: f"Version {item.version} was not taken.",
        )

    @transaction.atomic
    def ignore(self, *, by):
        self._step(by, frm=self.State.NEW, to=self.State.IGNORED, refusal="Only a new item can be ignored.")

    @transaction.atomic
    def back_to_queue(self, *, by):
        self._step(
            by, frm=self.State.IGNORED, to=self.State.NEW, refusal="Only an ignored item can go back to the queue."
        )

    def _step(self, by, *, frm, to, refusal, **changes):
        """Move from ``frm`` to ``to``, with ``changes`` (field: a function of the item as locked) in one update."""
        if not by.has_perm("wire.change_wireitem"):
            raise PermissionDenied("You may not change the wire queue.")
        # Read under a lock: two people on the desk clicking at once take one step, and the second is told why not;
        # a poll that brought a new version meanwhile is seen too.
        self.state, self.version = (
            type(self).objects.select_for_update().values_list("state", "version").get(pk=self.pk)
        )
        if self.state != frm:
            raise ValidationError(refusal)
        self.state = to
        for name, value in changes.items():
            setattr(self, name, value(self))
        self.save(update_fields=["state", *changes])
