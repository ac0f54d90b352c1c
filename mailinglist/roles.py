"""The Newsletter manager role: the mailing-list app's permissions and nothing else; and the Editor's share of
it, composing and sending issues.

Used by this app's data migrations, and by tests and the demo loader after a database flush.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

NEWSLETTER_MANAGER = "Newsletter manager"
EDITOR = "Editor"
# Editors compose and send issues; subscribers stay with the Newsletter manager.
EDITOR_ISSUE_PERMISSIONS = [
    "view_issue",
    "add_issue",
    "change_issue",
    "send_issue",
    "view_delivery",
    "view_issuearticle",
    "add_issuearticle",
    "change_issuearticle",
    "delete_issuearticle",
    "view_mailinglist",
]


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
    editor = Group.objects.filter(name=EDITOR).first()
    if editor is not None:
        editor.permissions.add(
            *Permission.objects.filter(content_type__app_label="mailinglist", codename__in=EDITOR_ISSUE_PERMISSIONS)
        )
    return group
