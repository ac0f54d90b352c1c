"""The Newsletter manager's and the Editor's share of newsletters (newsletters/roles.py)."""

from django.db import migrations

from newsletters.roles import ensure_newsletter_roles


def grant(apps, schema_editor):
    ensure_newsletter_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("newsletters", "0001_initial"),
        ("articles", "0003_workflow_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
