from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        from articles import purges, revisions
        from articles.search import register_sqlite_functions, repair_after_migrate

        revisions.register()
        purges.connect()

        connection_created.connect(register_sqlite_functions, dispatch_uid="articles_sqlite_functions")
        post_migrate.connect(repair_after_migrate, sender=self, dispatch_uid="articles_search_repair")
