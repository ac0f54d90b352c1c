from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


class PublicConfig(AppConfig):
    """The public site: pages, feeds, sitemaps, search and what they say to search engines, and when each page
    changes (purges.py)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "public"
    verbose_name = "Public site"

    def ready(self):
        from public import purges
        from public.search import register_sqlite_functions, repair_after_migrate

        purges.connect()
        connection_created.connect(register_sqlite_functions, dispatch_uid="public_sqlite_functions")
        post_migrate.connect(repair_after_migrate, sender=self, dispatch_uid="public_search_repair")
