from django.apps import AppConfig


class WpImportConfig(AppConfig):
    """Moving a newsroom in from WordPress: reading its export (WXR), making authors, sections, tags, pictures and
    stories of it, and remembering the old site's addresses so they keep answering."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "wpimport"
    verbose_name = "WordPress import"
