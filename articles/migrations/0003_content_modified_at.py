from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest


def fill_from_publication_and_corrections(apps, schema_editor):
    """What readers could have seen change so far: the publication, and the latest correction or update after it.
    Edits of live stories left no record of their own, so they cannot be told apart from other saves."""
    Article = apps.get_model("articles", "Article")
    Correction = apps.get_model("articles", "Correction")
    latest_correction = Subquery(
        Correction.objects.filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(latest=Max("created_at"))
        .values("latest")[:1]
    )
    Article.objects.filter(published_at__isnull=False).update(
        content_modified_at=Greatest("published_at", Coalesce(latest_correction, "published_at"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="content_modified_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="Publication, the latest correction or update, or the latest edit of the live text: the "
                "modification time search engines and feed readers are given. Not moved by saves readers cannot see.",
                null=True,
                verbose_name="last change readers saw",
            ),
        ),
        migrations.RunPython(fill_from_publication_and_corrections, migrations.RunPython.noop, elidable=True),
    ]
