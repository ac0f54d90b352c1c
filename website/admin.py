from django.contrib import admin
from django.utils import timezone

from website.models import PromoBanner


@admin.register(PromoBanner)
class PromoBannerAdmin(admin.ModelAdmin):
    list_display = ["text", "url", "active_from", "active_until", "is_active"]
    search_fields = ["text"]

    @admin.display(boolean=True, description="Active now")
    def is_active(self, obj):
        now = timezone.now()
        return obj.active_from <= now and (obj.active_until is None or obj.active_until > now)
