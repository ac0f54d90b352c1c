"""Reporters and editors work with the photo library (articles/roles.py)."""

from django.db import migrations

from articles.roles import ensure_roles


def grant(apps, schema_editor):
    ensure_roles(apps, strict=False)


class Migration(migrations.Migration):
    dependencies = [("articles", "0005_images")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
