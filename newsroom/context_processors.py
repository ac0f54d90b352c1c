from django.conf import settings
from django.utils.functional import SimpleLazyObject

from articles.models import Category, PromoBanner


def site(request):
    """Site-wide parts of every page. Lazy, so pages that do not show them (admin, errors) pay nothing."""
    return {
        "site_name": settings.SITE_NAME,
        "nav_categories": SimpleLazyObject(
            lambda: list(Category.objects.filter(in_navigation=True, parent__isnull=True))
        ),
        "promo_banner": SimpleLazyObject(lambda: PromoBanner.objects.active().first()),
    }
