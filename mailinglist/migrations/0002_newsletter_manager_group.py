from django.db import migrations


def grant(apps, schema_editor):
    from mailinglist.roles import ensure_newsletter_manager

    ensure_newsletter_manager(apps)


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
