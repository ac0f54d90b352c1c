"""The Newsletter manager role's share of newsletters: every permission of this app (issues, deliveries, the mail
server's status), added to its share of the mailing list (mailinglist/roles.py); and the Editor's share: composing
and sending issues, while subscribers stay with the Newsletter manager.

Used by this app's data migration, and by tests after a database flush.
"""

from django.apps import apps as global_apps

from mailinglist.roles import create_app_permissions, ensure_newsletter_manager

EDITOR = "Editor"
EDITOR_PERMISSIONS = {
    "newsletters": [
        "view_issue",
        "add_issue",
        "change_issue",
        "send_issue",
        "view_delivery",
        "view_issuearticle",
        "add_issuearticle",
        "change_issuearticle",
        "delete_issuearticle",
    ],
    "mailinglist": ["view_mailinglist"],
}


def ensure_newsletter_roles(apps=global_apps):
    """The Newsletter manager's group with both apps' permissions, and the Editor's share if that group exists."""
    group = ensure_newsletter_manager(apps)
    create_app_permissions("newsletters", apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group.permissions.add(*Permission.objects.filter(content_type__app_label="newsletters"))
    editor = Group.objects.filter(name=EDITOR).first()
    if editor is not None:
        for app_label, codenames in EDITOR_PERMISSIONS.items():
            editor.permissions.add(
                *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            )
    return group
