from django.apps import AppConfig


class WebsiteConfig(AppConfig):
    """The public site: pages, feeds, sitemaps, search and what they say to search engines, and when each page
    changes (purges.py)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "website"
    verbose_name = "Public site"

    def ready(self):
        # Imported here: modules that import models can be imported only once every app is loaded.
        from website import purges

        purges.connect()
