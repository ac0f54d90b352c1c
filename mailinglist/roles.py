"""The Newsletter manager role's share of the mailing list: every permission of this app (lists, subscribers, the
consent record, suppressions). Its share of issues and sending, and the Editor's, are in newsletters/roles.py.

Used by this app's data migrations, and by tests and the demo loader after a database flush.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

NEWSLETTER_MANAGER = "Newsletter manager"


def create_app_permissions(app_label: str, apps=global_apps):
    """Permissions are normally created after all migrations; the roles need them now."""
    app_config = apps.get_app_config(app_label)
    # A migration's app config has no models module, and create_permissions skips those.
    original = getattr(app_config, "models_module", None)
    app_config.models_module = original or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = original


def ensure_newsletter_manager(apps=global_apps):
    create_app_permissions("mailinglist", apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=NEWSLETTER_MANAGER)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="mailinglist"))
    return group
