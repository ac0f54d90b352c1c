from django.apps import AppConfig


class MailingListConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mailinglist"
    verbose_name = "Mailing list"
