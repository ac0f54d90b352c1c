import uuid
from pathlib import PurePath

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager

from articles.fields import SanitizedHTMLField
from articles.images import EXTENSION_FOR
from articles.storage import originals_storage
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
        from articles import search

        return search.matching(self, query)

    # Editorial reads (the admin dashboard and article list); never used on public pages.

    def find(self, query):
        """The admin's search box, over every state: full-text matches of headline, dek and body (the public search's
        index, unranked and unbounded: the admin orders and pages them), the article whose ID or slug is the query
        (or the last part of a pasted address), and the stories of authors whose name contains it."""
        from articles import search

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
    # Lead image (articles/images.py, renditions.py): the caption and credit default to the image's own.
    lead_image = models.ForeignKey(
        "articles.Image", null=True, blank=True, on_delete=models.PROTECT, related_name="lead_for"
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

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            # Listings walk it newest first and page through it with OFFSET reading the index alone (PostgreSQL
            # keeps category_id in it too, so section pages need no table rows until the page is chosen).
            models.Index(fields=["status", "-published_at", "-id"], include=["category"], name="article_listing_idx"),
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


class PromoBannerQuerySet(models.QuerySet):
    def active(self, at=None):
        at = at or timezone.now()
        return self.filter(Q(active_from__lte=at) & (Q(active_until__isnull=True) | Q(active_until__gt=at))).order_by(
            "-active_from", "-id"
        )

    def now_and_next(self, at=None):
        """The active banner and when that changes by the clock alone (the next start or end, or None), in one query
        over the banners not yet over."""
        at = at or timezone.now()
        banners = list(
            self.filter(Q(active_until__isnull=True) | Q(active_until__gt=at)).order_by("-active_from", "-id")
        )
        active = next((banner for banner in banners if banner.active_from <= at), None)
        times = [banner.active_from for banner in banners if banner.active_from > at]
        times += [banner.active_until for banner in banners if banner.active_until is not None]
        return active, min(times, default=None)


class PromoBanner(models.Model):
    """The site-wide promotional strip above the masthead; shown only inside its active window."""

    text = models.CharField(max_length=300)
    url = models.URLField("link", max_length=500)
    active_from = models.DateTimeField(default=timezone.now)
    active_until = models.DateTimeField(null=True, blank=True, help_text="Leave empty to keep it running.")

    objects = PromoBannerQuerySet.as_manager()

    class Meta:
        ordering = ["-active_from"]

    def __str__(self):
        return self.text

    def clean(self):
        if self.active_until and self.active_from and self.active_until <= self.active_from:
            raise ValidationError({"active_until": "The end must come after the start."})


# Editorial workflow: the transition log, corrections, preview links and the redirects left behind by URL changes.


class Transition(models.Model):
    """One step of an article's workflow: who moved it from which state to which, when, and why.

    A comment left without a change of state is logged here too, with the same state on both sides.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=Article.Status.choices)
    to_status = models.CharField(max_length=20, choices=Article.Status.choices)
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
        return self.from_status == self.to_status

    @property
    def label(self):
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


# Images ----------------------------------------------------------------------------------------------------


def original_upload_to(image, filename):
    return f"originals/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


def served_upload_to(image, filename):
    return f"images/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


def fraction_validators():
    return [MinValueValidator(0.0), MaxValueValidator(1.0)]


class ImageQuerySet(models.QuerySet):
    def renditions_missing(self):
        """Images whose renditions for their current version have not been made (yet)."""
        return self.exclude(renditions_version=F("version"))

    def search(self, text):
        return self.filter(Q(caption__icontains=text) | Q(credit__icontains=text) | Q(alt_text__icontains=text))


def showing_image(image):
    """Q for articles that show `image`: as their lead picture, or placed in the body (the editor records the
    image id in ``data-file``; no foreign key does)."""
    return Q(lead_image=image) | Q(body__contains=f'data-file="{image.pk}"')


class Image(models.Model):
    """A photo in the library, reusable across articles. Upload it through `articles.services.add_image`."""

    original = models.FileField(
        upload_to=original_upload_to,
        storage=originals_storage,
        max_length=255,
        help_text="JPEG, PNG, WebP or GIF. Kept privately as uploaded; readers only ever get processed copies.",
    )
    file = models.FileField(
        "served copy",
        upload_to=served_upload_to,
        max_length=255,
        editable=False,
        help_text="Upright, sRGB, without metadata; what pages show until the renditions are ready.",
    )
    format = models.CharField(max_length=10, editable=False, help_text="The real format of the original.")
    width = models.PositiveIntegerField(editable=False, help_text="Of the served copy, in pixels.")
    height = models.PositiveIntegerField(editable=False)
    alt_text = models.CharField(
        "alt text",
        max_length=300,
        help_text="What the picture shows, for readers who cannot see it: “Smoke rises over a market in Idlib”. "
        "Not the caption, and no “photo of”.",
    )
    caption = models.TextField(blank=True, max_length=1000, help_text="Shown under the picture.")
    credit = models.CharField(max_length=200, blank=True, help_text="As printed, e.g. “AP Photo/Ghaith Alsayed”.")
    source = models.ForeignKey(
        Source,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="images",
        help_text="The agency or partner the picture comes from, if not the newsroom.",
    )
    focal_x = models.FloatField(
        "focal point x",
        default=0.5,
        validators=fraction_validators(),
        help_text="From the left edge (0) to the right edge (1). Crops keep this point in frame.",
    )
    focal_y = models.FloatField(
        "focal point y",
        default=0.5,
        validators=fraction_validators(),
        help_text="From the top (0) to the bottom (1).",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Goes up whenever the renditions must be made again."
    )
    renditions = models.JSONField(
        default=dict, blank=True, editable=False, help_text="spec → format → [[width, height, storage name], …]"
    )
    renditions_version = models.PositiveIntegerField(
        default=0, editable=False, help_text="The version the stored renditions were made for."
    )

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(focal_x__gte=0, focal_x__lte=1, focal_y__gte=0, focal_y__lte=1),
                name="image_focal_point_inside",
            ),
        ]

    def __str__(self):
        text = self.caption or self.alt_text
        return text if len(text) <= 80 else f"{text[:79]}…"

    @property
    def renditions_ready(self):
        return self.renditions_version == self.version

    def set_file(self, served):
        """Take a new served copy (`articles.images.ServedCopy`); the renditions must then be made again."""
        self.file.save(f"served{EXTENSION_FOR[served.format]}", served.file, save=False)
        self.width, self.height = served.width, served.height
        self.version += 1

    def published_articles(self):
        """Published articles (live or scheduled) that show this picture: what readers see, or will at a set time."""
        return Article.objects.filter(showing_image(self), status=Article.Status.PUBLISHED)

    def edit_refusal(self, user) -> str:
        """Why `user` may not change this picture, or "" if they may. Pictures of published stories change only
        through editors; a reporter may change only their own uploads that no published story shows."""
        if not user.has_perm("articles.change_image"):
            return "You may not change pictures in the library."
        if user.has_perm("articles.edit_any_article"):
            return ""
        if self.uploaded_by_id != user.pk:
            return "Only its uploader or an editor may change this picture."
        if self.published_articles().exists():
            return "A published story shows this picture, so only an editor may change it."
        return ""

    def can_change(self, user) -> bool:
        return not self.edit_refusal(user)

    def refocus(self, x, y):
        """Move the focal point; the renditions are made again around it."""
        if not (0 <= x <= 1 and 0 <= y <= 1):
            raise ValidationError("The focal point is given as fractions of the width and height, from 0 to 1.")
        self.focal_x, self.focal_y = x, y
        self.version += 1
        self.save(update_fields=["focal_x", "focal_y", "version"])

    def social_image(self, request=None):
        """(absolute URL, width, height) of the 1200×630 rendition, or of the served copy until it is ready."""
        from articles.renditions import Rendered, rendition

        url, width, height = rendition(self, "social") or (self.file.url, self.width, self.height)
        if "://" not in url:
            url = request.build_absolute_uri(url) if request else f"{settings.SITE_URL}{url}"
        return Rendered(url, width, height)
