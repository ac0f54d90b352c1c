from django.apps import AppConfig


class MailingListConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mailinglist"
    verbose_name = "Mailing list"

    def ready(self):
        from anymail.signals import tracking
        from django.db.models.signals import post_delete, post_save

        from mailinglist import checks  # noqa: F401 - registers the deploy check
        from mailinglist.models import MailingList, lists_changed
        from mailinglist.webhooks import handle_tracking

        tracking.connect(handle_tracking, dispatch_uid="mailinglist.bounces")
        post_save.connect(lists_changed, sender=MailingList, dispatch_uid="mailinglist.lists_saved")
        post_delete.connect(lists_changed, sender=MailingList, dispatch_uid="mailinglist.lists_deleted")
