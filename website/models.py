"""What only the public site has of its own: the promotional banner above the masthead."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone


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
