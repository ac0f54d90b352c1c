from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class MailingListConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mailinglist"
    verbose_name = "Mailing list"

    def ready(self):
        # Imported here: models can be imported only once every app is loaded.
        from mailinglist import (
            checks,  # noqa: F401 - registers the deploy check
            roles,
        )
        from mailinglist.models import MailingList, lists_changed
        from newsroom.roles import keep_in_step

        post_save.connect(lists_changed, sender=MailingList, dispatch_uid="mailinglist.lists_saved")
        post_delete.connect(lists_changed, sender=MailingList, dispatch_uid="mailinglist.lists_deleted")
        keep_in_step(self, roles.GRANTS)
