"""Roles are Django groups. Each app says in its own ``roles.py`` which of its permissions each role has (a dict
``{group name: [codename, ...]}`` over the app's own models), and ``keep_in_step`` makes the groups match after
every ``migrate`` and every test-database flush (both send ``post_migrate``), so no data migration and no test set-up
has to make them. Superusers need no group.

A role's share of an app is set exactly: a permission the app stops granting is taken back; the group's
permissions from other apps are theirs to manage.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db.models.signals import post_migrate

# A role that has every permission of the app (e.g. the Newsletter manager over the mailing list).
ALL = "__all__"


def sync(app_label, grants, *, using="default"):
    """Give each group in ``grants`` exactly the listed permissions of ``app_label``'s models. Returns the groups."""
    app_config = global_apps.get_app_config(app_label)
    # post_migrate makes permissions too, but receivers run in the order they were connected: make sure of them.
    create_permissions(app_config, verbosity=0, using=using)
    Group = global_apps.get_model("auth", "Group")
    Permission = global_apps.get_model("auth", "Permission")
    own = Permission.objects.using(using).filter(content_type__app_label=app_label)
    groups = {}
    for name, codenames in grants.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        if codenames == ALL:
            codenames = list(own.values_list("codename", flat=True))
        wanted = list(own.filter(codename__in=codenames))
        missing = set(codenames) - {p.codename for p in wanted}
        if missing:
            raise LookupError(f"{app_label} grants the {name} role permissions that do not exist: {sorted(missing)}")
        group.permissions.remove(*own.exclude(codename__in=codenames).filter(group=group))
        group.permissions.add(*wanted)
        groups[name] = group
    return groups


def keep_in_step(app_config, grants, *, of=None):
    """Connect ``sync`` to ``post_migrate`` for this app (call from ``AppConfig.ready``). ``of`` names another app
    whose permissions this one hands out (articles grants taggit's tag permissions); it must come earlier in
    INSTALLED_APPS."""
    label = of or app_config.label

    def receiver(sender, using="default", apps=global_apps, **kwargs):
        # As Django's own create_permissions: nothing to do until the tables it needs have been migrated (a migrate
        # of one app sends post_migrate for every app).
        try:
            apps.get_model("contenttypes", "ContentType")
            apps.get_model("auth", "Group")
            apps.get_app_config(label)
        except LookupError:
            return
        sync(label, grants, using=using)

    post_migrate.connect(receiver, sender=app_config, weak=False, dispatch_uid=f"roles_{app_config.label}_{label}")
