import html

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from taggit.managers import TaggableManager

from articles import search
from articles.fields import SanitizedHTMLField
from articles.workflow import ArticleWorkflow


class Source(models.Model):
    """A wire service or partner whose copy the newsroom runs (VOA, AP, Reuters)."""

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, help_text="How the credit reads after a byline, e.g. “VOA”.")
    url = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Author(models.Model):
    """Anyone who can hold a byline: staff with a login, or wire reporters who have none."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    job_title = models.CharField(max_length=200, blank=True)
    bio = models.TextField("short bio", blank=True, max_length=2000)
    photo = models.ImageField(upload_to="authors/", blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author",
        help_text="The staff account of this author, if they have one.",
    )
    affiliation = models.ForeignKey(
        Source,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="authors",
        help_text="The wire service or partner this author writes for, if not the newsroom.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})


class CategoryQuerySet(models.QuerySet):
    def navigation(self):
        """The top-level sections in the site's navigation, in order."""
        return self.filter(in_navigation=True, parent__isnull=True)


class Category(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    short_name = models.CharField(
        max_length=60, blank=True, help_text="Used where space is short, e.g. “WMD”. Defaults to the name."
    )
    description = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="One level of nesting: a parent cannot itself have a parent.",
    )
    nav_order = models.PositiveSmallIntegerField("navigation order", default=100)
    in_navigation = models.BooleanField("shown in navigation", default=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["nav_order", "name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:category", kwargs={"slug": self.slug})

    def clean(self):
        if self.parent_id:
            if self.parent_id == self.pk:
                raise ValidationError({"parent": "A category cannot be its own parent."})
            if self.parent.parent_id:
                raise ValidationError({"parent": "Only one level of nesting: choose a top-level category."})
            if self.pk and self.children.exists():
                raise ValidationError({"parent": "This category has subcategories, so it must stay top-level."})

    @property
    def label(self):
        return self.short_name or self.name


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Live now: published and not under embargo. Every public surface reads through this."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def next_publication(self, *, after):
        """When the next of these articles scheduled after ``after`` goes live (or None): the moment a page listing
        them changes by the clock alone."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=after).aggregate(
            next=models.Min("published_at")
        )["next"]

    def for_display(self):
        """Everything an article page or listing item shows, in a constant number of queries."""
        return self.select_related("category", "category__parent", "source", "lead_image").prefetch_related(
            Prefetch("bylines", queryset=Byline.objects.select_related("author")),
            "tags",
            "secondary_categories",
            "corrections",
        )

    def for_listing(self):
        """What a listing item shows (no body), in a constant number of queries."""
        return (
            self.select_related("category", "source", "lead_image")
            .prefetch_related(Prefetch("bylines", queryset=Byline.objects.select_related("author")))
            .defer("body")
        )

    def in_category(self, category):
        """Articles filed under the category or one of its subcategories, as primary or secondary."""
        # Subqueries instead of joins: no row is repeated, so no DISTINCT, and the database can walk the
        # publication-time index and stop after a page instead of sorting every match.
        desk = Category.objects.filter(Q(pk=category.pk) | Q(parent=category)).values("pk")
        also_filed = Article.secondary_categories.through.objects.filter(category__in=desk).values("article_id")
        return self.filter(Q(category__in=desk) | Q(pk__in=also_filed))

    def by_author(self, author):
        """The author's stories. Their keys are looked up first (one query down the byline's author index) and
        given to the database as a list: as a subquery, PostgreSQL expects an author's few hundred stories to be
        spread evenly over the archive and walks the whole date index probing each story's bylines (30 ms at 100k
        articles, against 1 ms this way)."""
        return self.filter(pk__in=list(Byline.objects.filter(author=author).values_list("article_id", flat=True)))

    def search(self, query):
        """Full-text matches for a reader's query, best first (see articles/search.py)."""
        return search.matching(self, query)

    def snippets(self, query) -> dict:
        """Highlighted passages of these articles' bodies for the query, by id (one query: keep it to one page)."""
        return search.snippets(self, query)

    # Editorial reads (the admin dashboard and article list); never used on public pages.

    def with_pending_state(self):
        """Each article with when its changes awaiting review were saved and are scheduled for (both None when it
        has none), so that lists can name the state without a query per row (``Article.state_label``)."""
        return self.annotate(pending_saved_at=F("pending__saved_at"), pending_publish_at=F("pending__publish_at"))

    def with_changes_awaiting_review(self):
        return self.filter(pending__isnull=False).with_pending_state().order_by("pending__saved_at")

    def find(self, query):
        """The admin's search box, over every state: full-text matches of headline, dek and body (the public search's
        index, unranked and unbounded: the admin orders and pages them), the article whose ID or slug is the query
        (or the last part of a pasted address), and the stories of authors whose name contains it."""
        query = search.clean_query(query)
        if not query:
            return self
        found = search.match_condition(query)
        slug = query.rstrip("/").rsplit("/", 1)[-1]
        if slug and " " not in slug:
            found |= Q(slug=slug)
        # Beyond a bigint the database would refuse the number rather than find nothing.
        if query.isascii() and query.isdigit() and int(query) < 2**63:
            found |= Q(pk=int(query))
        # Authors are few: their stories' keys are looked up first and given as a list (see by_author).
        authors = Author.objects.filter(name__icontains=query).values("pk")[:20]
        bylined = list(Byline.objects.filter(author__in=authors).values_list("article_id", flat=True)[:5000])
        if bylined:
            found |= Q(pk__in=bylined)
        return self.filter(found)

    def awaiting_review(self):
        return self.filter(status=Article.Status.REVIEW).order_by("updated_at")

    def scheduled(self):
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now()).order_by("published_at")

    def drafts_of(self, user):
        return (
            self.filter(status=Article.Status.DRAFT)
            .filter(Q(created_by=user) | Q(bylines__author__user=user))
            .distinct()
            .order_by("-updated_at")
        )

    def withdrawn(self):
        return self.filter(status=Article.Status.WITHDRAWN).order_by("-withdrawn_at")


class Article(ArticleWorkflow, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Coverage(models.TextChoices):
        NONE = "none", "Not a live story"
        UPCOMING = "upcoming", "Upcoming"
        LIVE = "live", "Live"
        ENDED = "ended", "Ended"

    headline = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=200, unique=True, help_text="The last part of the article's URL; unique across the site."
    )
    dek = models.TextField("dek", blank=True, max_length=1000, help_text="The summary under the headline.")
    body = SanitizedHTMLField(blank=True)
    dateline = models.CharField(max_length=100, blank=True, help_text="Where the story was filed, e.g. “GENEVA”.")
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="articles",
        verbose_name="primary category",
        help_text="Required to publish.",
    )
    secondary_categories = models.ManyToManyField(Category, blank=True, related_name="secondary_articles")
    tags = TaggableManager(blank=True)
    source = models.ForeignKey(
        Source,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="articles",
        help_text="The wire service or partner for wire copy; credited after the byline.",
    )
    original_url = models.URLField("original URL", blank=True, max_length=500)
    canonical_is_original = models.BooleanField(
        "canonical link points to the original",
        default=False,
        help_text="Tell search engines the source's original URL is the canonical copy of this story.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField(
        "publication time",
        null=True,
        blank=True,
        db_index=True,
        help_text="A published article goes live at this time; a time in the future is an embargo.",
    )
    featured = models.BooleanField(default=False, help_text="Candidate for the lead story on the home page.")
    # Lead image (the photo library, photos/): the caption and credit default to the image's own.
    lead_image = models.ForeignKey(
        "photos.Image", null=True, blank=True, on_delete=models.PROTECT, related_name="lead_for"
    )
    lead_image_caption = models.TextField(
        "lead image caption", blank=True, max_length=1000, help_text="Leave empty to use the image's caption."
    )
    lead_image_credit = models.CharField(
        "lead image credit", max_length=200, blank=True, help_text="Leave empty to use the image's credit."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    content_modified_at = models.DateTimeField(
        "last change readers saw",
        null=True,
        blank=True,
        editable=False,
        help_text="Publication, the latest correction or update, or the latest edit of the live text: the "
        "modification time search engines and feed readers are given. Not moved by saves readers cannot see.",
    )

    # Editorial workflow (articles/workflow.py): who made it, who last saved it, the edit counter that
    # refuses a save made from a stale copy, and what readers are told after a withdrawal.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawal_notice = models.TextField(
        blank=True, editable=False, help_text="The reason given to readers on the withdrawn article's page."
    )
    # Live coverage (a live blog): changed by the workflow's coverage steps, never by the edit form.
    coverage = models.CharField(
        "live coverage", max_length=10, choices=Coverage.choices, default=Coverage.NONE, editable=False
    )
    coverage_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    coverage_ended_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            # Listings walk it newest first and page through it with OFFSET reading the index alone (PostgreSQL
            # keeps category_id in it too, so section pages need no table rows until the page is chosen).
            models.Index(fields=["status", "-published_at", "-id"], include=["category"], name="article_listing_idx"),
            # The few stories covered live right now (the news sitemap lists them however old).
            models.Index(fields=["published_at"], condition=Q(coverage="live"), name="article_live_coverage_idx"),
        ]
        permissions = [
            ("submit_article", "Can submit an article for review"),
            ("comment_article", "Can comment on an article"),
            ("edit_any_article", "Can edit any article in any state"),
            ("publish_article", "Can publish, schedule, unschedule and send back articles"),
            ("withdraw_article", "Can withdraw and restore articles"),
            ("share_preview", "Can create and revoke preview links"),
        ]

    def __str__(self):
        return self.headline

    def get_absolute_url(self):
        when = timezone.localtime(self.published_at or self.created_at or timezone.now())
        return reverse(
            "articles:detail",
            kwargs={"year": when.year, "month": f"{when.month:02d}", "day": f"{when.day:02d}", "slug": self.slug},
        )

    @property
    def is_live(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def modified_at(self):
        """When readers last saw the story change (never before its publication): dateModified, Atom's
        <updated>, the sitemap's <lastmod>."""
        return max(filter(None, (self.content_modified_at, self.published_at)), default=None)

    @property
    def is_live_story(self):
        """Covered as a live blog: timestamped updates, newest first (upcoming, live or ended)."""
        return self.coverage != self.Coverage.NONE

    @property
    def byline_text(self):
        """The byline as a newsroom writes it: “By A, B and C; Photos by D”."""
        return format_bylines(self.bylines.all())

    @property
    def credit_text(self):
        """The byline followed by the source credit, e.g. “By Lisa Schlein · VOA”."""
        parts = [p for p in (self.byline_text, self.source.short_name if self.source else "") if p]
        return " · ".join(parts)

    @property
    def lead_image_caption_text(self):
        return self.lead_image_caption or (self.lead_image.caption if self.lead_image_id else "")

    @property
    def lead_image_credit_text(self):
        return self.lead_image_credit or (self.lead_image.credit if self.lead_image_id else "")

    def social_image(self, request=None):
        """The lead image for OpenGraph, JSON-LD and feed enclosures: a named tuple ``(url, width, height)``
        with an absolute URL (built from the request when given, else from NEWSROOM_SITE_URL), or None.

        It is the 1200×630 social rendition (a JPEG) when ready; until then the served copy (stripped of
        metadata too, in the upload's format), so a crawler arriving just after publication gets a picture.
        """
        if not self.lead_image_id:
            return None
        return self.lead_image.social_image(request)


def join_names(names):
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def group_bylines(bylines):
    """[(role, [author, …]), …] in order of first appearance, so each role is printed once."""
    groups = {}
    for byline in bylines:
        groups.setdefault(byline.role, []).append(byline.author)
    return list(groups.items())


def format_bylines(bylines):
    """“By A and B; Photos by C”."""
    return "; ".join(f"{role} {join_names(a.name for a in authors)}" for role, authors in group_bylines(bylines))


class Byline(models.Model):
    """An author's credit on an article, in order, with the role as it is printed."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    role = models.CharField(
        max_length=60,
        default="By",
        help_text="As printed before the name: “By”, “Reporting by”, “Translated by”, “Photos by”.",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "author", "role"], name="byline_unique_author_role"),
        ]

    def __str__(self):
        return f"{self.role} {self.author}"


# Editorial workflow: the transition log, corrections, preview links and the redirects left behind by URL changes.


class Transition(models.Model):
    """One step of an article's workflow: who moved it from which state to which, when, and why.

    A comment left without a change of state is logged here too, with the same state on both sides; so are the
    steps that leave the state as it is but change something else of the story (``step`` names them): changes
    saved for review, published or discarded, and live coverage started or ended.
    """

    class Step(models.TextChoices):
        CHANGES_SAVED = "changes_saved", "Changes saved for review"
        CHANGES_SCHEDULED = "changes_scheduled", "Changes scheduled"
        CHANGES_PUBLISHED = "changes_published", "Changes published"
        CHANGES_DISCARDED = "changes_discarded", "Changes discarded"
        COVERAGE_UPCOMING = "coverage_upcoming", "Live coverage announced"
        COVERAGE_LIVE = "coverage_live", "Live coverage started"
        COVERAGE_ENDED = "coverage_ended", "Live coverage ended"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=Article.Status.choices)
    to_status = models.CharField(max_length=20, choices=Article.Status.choices)
    step = models.CharField(max_length=20, choices=Step.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    comment = models.TextField(blank=True)
    publish_at = models.DateTimeField(null=True, blank=True, help_text="The publication time chosen when publishing.")

    class Meta:
        ordering = ["-at", "-id"]
        get_latest_by = "at"

    def __str__(self):
        return f"{self.article}: {self.from_status} → {self.to_status}"

    @property
    def is_comment(self):
        return self.from_status == self.to_status and not self.step

    @property
    def label(self):
        if self.step:
            return self.get_step_display()
        if self.is_comment:
            return "Comment"
        return Article.WORKFLOW_LABELS.get((self.from_status, self.to_status), f"{self.from_status} → {self.to_status}")


class CorrectionQuerySet(models.QuerySet):
    def public(self):
        """Corrections on articles readers can see now."""
        return self.filter(article__in=Article.objects.published())


class Correction(models.Model):
    """A correction, update or clarification appended to a published article, shown at its foot."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        UPDATE = "update", "Update"
        CLARIFICATION = "clarification", "Clarification"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CORRECTION)
    text = models.TextField(help_text="As readers will read it, e.g. “An earlier version misstated the date.”")
    created_at = models.DateTimeField("time", default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="by"
    )

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} to “{self.article}”"


PREVIEW_SALT = "articles.preview-link"


class PreviewLinkQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())

    def from_token(self, token):
        """The link a token names, or None when the token is forged or malformed (expiry is checked by the caller)."""
        try:
            pk, key = signing.Signer(salt=PREVIEW_SALT).unsign_object(token)
            pk, key = int(pk), str(key)
        except (signing.BadSignature, TypeError, ValueError):
            return None
        return self.select_related("article").filter(pk=pk, key=key).first()


class PreviewLink(models.Model):
    """A signed link that shows an unpublished article to someone without an account, until it expires or is revoked."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="preview_links")
    # Signed together with the id, so a link stays unguessable even if ids are.
    key = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = PreviewLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Preview of “{self.article}” until {self.expires_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("preview", kwargs={"token": self.token})

    @property
    def token(self):
        # No timestamp in the token: the expiry is the link's own, kept (and revocable) in the database.
        return signing.Signer(salt=PREVIEW_SALT).sign_object([self.pk, self.key])

    @property
    def is_active(self):
        return self.revoked_at is None and self.expires_at > timezone.now()

    def revoke(self, *, by):
        if not by.has_perm("articles.share_preview"):
            raise PermissionDenied("You may not revoke preview links.")
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class ArticleRedirect(models.Model):
    """An old article URL, left behind when a published article's slug or date changed; it answers 301."""

    old_path = models.CharField(max_length=300, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.old_path} → {self.article.get_absolute_url()}"


# Live coverage: the updates of a live story, and changes to a live story that wait for review.


class LiveUpdateQuerySet(models.QuerySet):
    def public(self):
        """Updates of stories readers can see now."""
        return self.filter(article__in=Article.objects.published())

    def for_display(self):
        """What an update shows (its author and picture), in a constant number of queries."""
        return self.select_related("author", "image")


class LiveUpdate(models.Model):
    """One timestamped entry of a live story, shown newest first; a key update is also pinned in the summary at the
    top. It is public as soon as it is posted, if the story is live: updates are the point of a live story."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="live_updates")
    body = SanitizedHTMLField("text")
    published_at = models.DateTimeField("time", default=timezone.now, db_index=True, editable=False)
    key = models.BooleanField(
        "key update",
        default=False,
        help_text="Pinned in the summary at the top of the story; it may go out as an alert.",
    )
    image = models.ForeignKey(
        "photos.Image", null=True, blank=True, on_delete=models.PROTECT, related_name="live_updates"
    )
    author = models.ForeignKey(
        Author,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="live_updates",
        help_text="Credited on the update; leave empty for the desk.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = LiveUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["article", "-published_at", "-id"], name="liveupdate_article_idx")]

    def __str__(self):
        return self.summary

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#{self.anchor}"

    @property
    def anchor(self):
        return f"update-{self.pk}"

    @property
    def summary(self):
        """The update's first words as plain text: a feed item's title, an alert's subject."""
        return Truncator(" ".join(html.unescape(strip_tags(self.body)).split())).words(16) or "Update"

    def can_change(self, user):
        """Editors change any update; a reporter the ones they posted."""
        if not (user.is_active and user.is_staff and user.has_perm("articles.change_liveupdate")):
            return False
        return user.has_perm("articles.edit_any_article") or (
            self.created_by_id is not None and self.created_by_id == user.pk
        )

    @transaction.atomic
    def save_edit(self, *, by):
        if not self.can_change(by):
            raise PermissionDenied("You may change only the updates you posted.")
        self.edited_by = by
        self.save()
        self.article.announce_updates()

    @transaction.atomic
    def remove(self, *, by):
        if not (self.can_change(by) and by.has_perm("articles.delete_liveupdate")):
            raise PermissionDenied("You may delete only the updates you posted.")
        article = self.article
        self.delete()
        article.announce_updates()


class PendingVersion(models.Model):
    """Changes to a live story saved for review: readers keep the live text until an editor publishes them, now or
    at a set time, or discards them. ``content`` is the story as the changes would make it; ``base`` the live story
    they were made from, so a quick fix made to the live text since can be told apart (articles/pending.py)."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="pending")
    content = models.JSONField()
    base = models.JSONField()
    version = models.PositiveIntegerField(default=1, help_text="Counts the saves, so a stale one is refused.")
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField(default=timezone.now)
    publish_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="When the changes replace the live text, if scheduled."
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["saved_at"]

    def __str__(self):
        return f"Changes to “{self.article}” awaiting review"
