from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; create this app's now so the group can get them.
    app_config = apps.get_app_config("mailinglist")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Newsletter manager")
    group.permissions.add(*Permission.objects.filter(content_type__app_label="mailinglist"))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Newsletter manager").first()
    if group:
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="mailinglist"))


class Migration(migrations.Migration):
    dependencies = [
        ("mailinglist", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
