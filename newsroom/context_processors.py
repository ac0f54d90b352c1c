from django.conf import settings
from django.utils.functional import SimpleLazyObject

from articles.models import Category, PromoBanner
from newsroom import pagecache


def _active_banner():
    banner, upcoming = PromoBanner.objects.now_and_next()
    # Kept only until the next banner starts or ends, so a page rendered after that moment is right.
    return banner, upcoming.timestamp() if upcoming else None


def site(request):
    """Site-wide parts of every page. Lazy, so pages that do not show them (admin, errors) pay nothing; kept per
    content version in each process, so the pages that do show them pay no query after the first."""
    return {
        "site_name": settings.SITE_NAME,
        "nav_categories": SimpleLazyObject(Category.objects.navigation),
        "promo_banner": SimpleLazyObject(
            lambda: pagecache.per_version("promo_banner", _active_banner, until=lambda value: value[1])[0]
        ),
        # Fragments of pages (listing items) are cached under it (templates/articles/_article_item.html); staff, who
        # must see what the database holds, get none.
        "content_version": SimpleLazyObject(
            lambda: pagecache.current_version()[0] if pagecache.is_anonymous(request) else ""
        ),
    }
