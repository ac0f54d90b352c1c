"""What the admin's article form posts, for tests that save through it."""

from django.utils import timezone


def change_form_data(article, **overrides):
    """The article's change form as a browser would post it, unchanged unless ``overrides`` say otherwise."""
    bylines = list(article.bylines.all())
    data = {
        "headline": article.headline,
        "slug": article.slug,
        "dek": article.dek,
        "dateline": article.dateline,
        "body": article.body,
        "category": article.category_id or "",
        "tags": ", ".join(t.name for t in article.tags.all()),
        "source": article.source_id or "",
        "original_url": article.original_url,
        "expected_version": article.version,
        "bylines-TOTAL_FORMS": str(len(bylines)),
        "bylines-INITIAL_FORMS": str(len(bylines)),
        "bylines-MIN_NUM_FORMS": "0",
        "bylines-MAX_NUM_FORMS": "1000",
    }
    for i, byline in enumerate(bylines):
        data |= {
            f"bylines-{i}-id": byline.pk,
            f"bylines-{i}-article": article.pk,
            f"bylines-{i}-author": byline.author_id,
            f"bylines-{i}-role": byline.role,
            f"bylines-{i}-order": byline.order,
        }
    if article.status == article.Status.PUBLISHED and article.published_at:
        local = timezone.localtime(article.published_at)
        data |= {"published_at_0": local.strftime("%Y-%m-%d"), "published_at_1": local.strftime("%H:%M:%S")}
    data.update(overrides)
    return data
