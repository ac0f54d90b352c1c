from anymail.signals import tracking
from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "newsletters"
    verbose_name = "Newsletters"

    def ready(self):
        # Imported here: models, and the modules that use them, can be imported only once every app is loaded.
        from articles.admin import article_tools, update_tools
        from newsletters import (
            checks,  # noqa: F401 - registers the deploy check
            roles,
        )
        from newsletters.admin import breaking_alert_tool, update_alert_tool
        from newsletters.webhooks import handle_tracking
        from newsroom.roles import keep_in_step

        tracking.connect(handle_tracking, dispatch_uid="newsletters.bounces")
        keep_in_step(self, roles.GRANTS)
        keep_in_step(self, roles.MAILINGLIST_GRANTS, of="mailinglist")
        # The article admin knows nothing of newsletters: this app adds its link to an article's page.
        if breaking_alert_tool not in article_tools:
            article_tools.append(breaking_alert_tool)
        if update_alert_tool not in update_tools:
            update_tools.append(update_alert_tool)
