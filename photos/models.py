"""The photo library: a picture kept once and reused by any story.

The library does not know which apps place pictures: they say so in `photos.usage` (articles does, for lead images
and pictures in bodies), and the library asks there when it must know who may change a picture or what a deletion
would break.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from photos import usage
from photos.images import EXTENSION_FOR
from photos.renditions import Rendered, rendition
from photos.storage import originals_storage


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


class Image(models.Model):
    """A photo in the library, reusable across articles. Upload it through `photos.services.add_image`."""

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
        "articles.Source",
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
        permissions = [("change_any_image", "Can change any picture, including those readers see")]
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
        """Take a new served copy (`photos.images.ServedCopy`); the renditions must then be made again."""
        self.file.save(f"served{EXTENSION_FOR[served.format]}", served.file, save=False)
        self.width, self.height = served.width, served.height
        self.version += 1

    def uses(self):
        """Where the picture is shown (`photos.usage.Use`s), as the apps that place pictures report it."""
        return usage.uses_of([self]).get(self.pk, [])

    def edit_refusal(self, user) -> str:
        """Why `user` may not change this picture, or "" if they may. Pictures that readers see (or will at a set
        time) change only through editors; a reporter may change only their own uploads that nothing published
        shows."""
        if not user.has_perm("photos.change_image"):
            return "You may not change pictures in the library."
        if user.has_perm("photos.change_any_image"):
            return ""
        if self.uploaded_by_id != user.pk:
            return "Only its uploader or an editor may change this picture."
        if any(use.published for use in self.uses()):
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
        url, width, height = rendition(self, "social") or (self.file.url, self.width, self.height)
        if "://" not in url:
            url = request.build_absolute_uri(url) if request else f"{settings.SITE_URL}{url}"
        return Rendered(url, width, height)
