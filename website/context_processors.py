from django.conf import settings
from django.utils.functional import SimpleLazyObject

from articles.models import Category
from newsroom import pagecache
from website import purges
from website.models import PromoBanner


def _navigation():
    purges.show_navigation()
    return list(Category.objects.navigation())


def _banner():
    banner, upcoming = PromoBanner.objects.now_and_next(pagecache.rendering_started())
    pagecache.add_keys(purges.BANNER)
    pagecache.expire_at(upcoming)
    return banner


def site(request):
    """Site-wide parts of every page. Lazy, so pages that do not show them (admin, errors) pay nothing; a page that
    shows them carries their keys (articles/purges.py)."""
    return {
        "site_name": settings.SITE_NAME,
        "nav_categories": SimpleLazyObject(_navigation),
        "promo_banner": SimpleLazyObject(_banner),
    }
