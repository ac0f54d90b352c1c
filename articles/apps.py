from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        from articles import pictures, revisions, roles
        from newsroom.roles import keep_in_step
        from photos import usage

        revisions.register()
        usage.register(pictures.uses_in_articles)
        keep_in_step(self, roles.GRANTS)
        keep_in_step(self, roles.TAG_GRANTS, of="taggit")
