"""The Newsletter manager role: the mailing-list app's permissions and nothing else.

Used by this app's data migration, and by tests and the demo loader after a database flush.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

NEWSLETTER_MANAGER = "Newsletter manager"


def ensure_newsletter_manager(apps=global_apps):
    app_config = apps.get_app_config("mailinglist")
    # Permissions are normally created after all migrations; a migration's app config has no models module.
    original = getattr(app_config, "models_module", None)
    app_config.models_module = original or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = original
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=NEWSLETTER_MANAGER)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="mailinglist"))
    return group
