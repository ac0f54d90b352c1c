"""What an import from WordPress leaves behind: each run with its report, each WordPress item with what it became
here (so a second run of the same export finds it and changes nothing), and the old site's addresses."""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone
from django.utils.deconstruct import deconstructible

from articles.models import Article, Author, Category
from photos.models import Image


@deconstructible(path="wpimport.models.ImportsStorage")
class ImportsStorage:
    """The ``imports`` storage of STORAGES, looked up on every use (so a settings change takes effect). Exports hold
    drafts, private posts and the authors' e-mail addresses: never the public media folder."""

    def __getattr__(self, name):
        return getattr(storages["imports"], name)

    def __eq__(self, other):
        return isinstance(other, ImportsStorage)

    def __hash__(self):
        return hash(ImportsStorage)


class ImportRun(models.Model):
    """One import of an export file, started from the admin (a task) or by ``manage.py import_wordpress``."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for the task worker"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Stopped: the file was refused"

    export = models.FileField(
        "export file",
        upload_to="wordpress/",
        storage=ImportsStorage(),
        blank=True,
        max_length=255,
        help_text="The XML file from WordPress's Tools → Export (“All content”).",
    )
    filename = models.CharField(max_length=255, blank=True)
    uploads_dir = models.CharField(
        "uploads folder", max_length=500, blank=True, help_text="Where the pictures were looked for, if anywhere."
    )
    site = models.CharField(max_length=200, blank=True, help_text="The WordPress site's address, from the export.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    total = models.PositiveIntegerField(default=0, help_text="Posts in the export.")
    done = models.PositiveIntegerField(default=0, help_text="Posts dealt with so far.")
    report = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True, help_text="Why the file was refused, if it was.")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Import of {self.filename or 'an export'} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def percent(self):
        if self.status == self.Status.FINISHED:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def in_progress(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class ImportedItem(models.Model):
    """A WordPress author, category, tag, attachment or post, and what it became here.

    Keyed on the site and the export's own key for it: the post ID for posts and attachments, the slug for categories
    and tags, the login for authors (posts name their terms and authors that way)."""

    class Kind(models.TextChoices):
        AUTHOR = "author", "Author"
        CATEGORY = "category", "Category"
        TAG = "tag", "Tag"
        ATTACHMENT = "attachment", "Picture"
        POST = "post", "Post"

    site = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=200)
    name = models.CharField(max_length=300, blank=True, help_text="What it was called on the old site.")
    path = models.CharField(
        max_length=500, blank=True, db_index=True, help_text="Pictures: the file under wp-content/uploads."
    )
    merged = models.BooleanField(default=False, help_text="Matched to something this site already had.")
    run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="items")
    created_at = models.DateTimeField(default=timezone.now)
    # What it became. Deleted here later, the record stays (emptied), so running the export again does not bring
    # back what the newsroom removed.
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author = models.ForeignKey(Author, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    tag = models.ForeignKey("taggit.Tag", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    image = models.ForeignKey(Image, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["site", "kind", "key"]
        constraints = [models.UniqueConstraint(fields=["site", "kind", "key"], name="imported_item_unique_key")]

    def __str__(self):
        return f"{self.get_kind_display()} “{self.name or self.key}” from {self.site}"

    @property
    def target(self):
        return self.article or self.author or self.category or self.tag or self.image


class OldAddress(models.Model):
    """An address of the old site (a permalink, ``/?p=ID``, a category or tag page) that answers 301 to the page of
    what it showed (website/middleware.py)."""

    path = models.CharField(max_length=500, unique=True, help_text="As asked for, e.g. “/2019/03/05/slug/”, “/?p=12”.")
    item = models.ForeignKey(ImportedItem, on_delete=models.CASCADE, related_name="old_addresses")

    class Meta:
        verbose_name_plural = "old addresses"

    def __str__(self):
        return self.path
