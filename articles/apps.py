from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        # Imported here: modules that import models can be imported only once every app is loaded.
        from articles import pictures, revisions, roles
        from articles.search import register_sqlite_functions, repair_after_migrate
        from newsroom.roles import keep_in_step
        from photos import usage

        revisions.register()
        usage.register(pictures.uses_in_articles)
        keep_in_step(self, roles.GRANTS)
        keep_in_step(self, roles.TAG_GRANTS, of="taggit")
        connection_created.connect(register_sqlite_functions, dispatch_uid="articles_sqlite_functions")
        post_migrate.connect(repair_after_migrate, sender=self, dispatch_uid="articles_search_repair")
