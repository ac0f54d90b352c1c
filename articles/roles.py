"""The newsroom's roles as Django groups; superusers need no group, they may do everything.

Used by the migration that creates the groups, and by tests and the demo loader after a database flush.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

REPORTER = {
    "articles": [
        "add_article",
        "change_article",
        "view_article",
        "submit_article",
        "comment_article",
        "add_byline",
        "change_byline",
        "delete_byline",
        "view_byline",
        "view_author",
        "view_category",
        "view_source",
        "view_correction",
        "view_transition",
        "add_image",
        "change_image",
        "view_image",
    ],
    "taggit": ["view_tag"],
}

EDITOR = {
    "articles": [
        "add_article",
        "change_article",
        "view_article",
        "submit_article",
        "comment_article",
        "edit_any_article",
        "publish_article",
        "withdraw_article",
        "share_preview",
        "add_byline",
        "change_byline",
        "delete_byline",
        "view_byline",
        "add_correction",
        "change_correction",
        "view_correction",
        "view_transition",
        "view_previewlink",
        "view_articleredirect",
        "add_author",
        "change_author",
        "delete_author",
        "view_author",
        "add_source",
        "change_source",
        "delete_source",
        "view_source",
        "add_category",
        "change_category",
        "delete_category",
        "view_category",
        "add_image",
        "change_image",
        "delete_image",
        "view_image",
    ],
    "taggit": ["add_tag", "change_tag", "delete_tag", "view_tag"],
}

# The mailing-list app adds this group's permissions in its own migration.
NEWSLETTER_MANAGER = "Newsletter manager"


def ensure_roles(apps=global_apps, *, strict=True):
    """Create the groups and grant their permissions; safe to run again. ``apps`` may be a migration's.

    A migration passes ``strict=False``: permissions of models that later migrations create do not exist yet, and
    the migration that creates them runs this again.
    """
    # Permissions are normally created after all migrations have run; the groups need them now.
    for app_config in apps.get_app_configs():
        # A migration's app configs have no models module, and create_permissions skips those.
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = original

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in (("Reporter", REPORTER), ("Editor", EDITOR)):
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for app_label, codenames in grants.items():
            found = list(Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
            missing = set(codenames) - {p.codename for p in found}
            if missing and strict:
                raise RuntimeError(f"Permissions missing for the {name} group: {sorted(missing)}")
            wanted += found
        group.permissions.add(*wanted)
    Group.objects.get_or_create(name=NEWSLETTER_MANAGER)
