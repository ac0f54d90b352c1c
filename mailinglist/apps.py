from django.apps import AppConfig


class MailingListConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mailinglist"
    verbose_name = "Mailing list"

    def ready(self):
        from anymail.signals import tracking

        from mailinglist import checks  # noqa: F401 - registers the deploy check
        from mailinglist.webhooks import handle_tracking

        tracking.connect(handle_tracking, dispatch_uid="mailinglist.bounces")
