"""How stories show pictures from the photo library: as their lead image (a foreign key), placed in the body (the
editor records the image id in ``data-file``; no key does), or in a live update (a foreign key). The library asks
through `photos.usage`."""

from django.db.models import Q
from django.urls import reverse

from articles.models import Article, LiveUpdate
from photos.usage import Use


def showing(images):
    """Q for articles that show any of `images`."""
    condition = Q(pk__in=[])
    for image in images:
        condition |= Q(lead_image=image) | Q(body__contains=f'data-file="{image.pk}"')
    return condition


def uses_in_articles(images):
    """The photo library's finder (registered by ArticlesConfig.ready)."""
    ids = {image.pk for image in images}
    articles = Article.objects.filter(showing(images)).only("pk", "headline", "status", "lead_image", "body")
    for article in articles:
        published = article.status == Article.Status.PUBLISHED
        places = []
        if article.lead_image_id in ids:
            places.append((article.lead_image_id, "lead image"))
        places += [(pk, "in the body") for pk in ids if f'data-file="{pk}"' in article.body]
        for image_id, how in places:
            yield Use(
                image_id=image_id,
                what="Article",
                title=article.headline,
                admin_url=reverse("admin:articles_article_change", args=[article.pk]),
                status=article.get_status_display(),
                published=published,
                how=how,
                obj=article,
            )

    updates = LiveUpdate.objects.filter(image__in=ids).select_related("article")
    updates = updates.only("image", "article__headline", "article__status")
    for update in updates:
        article = update.article
        yield Use(
            image_id=update.image_id,
            what="Article",
            title=article.headline,
            admin_url=reverse("admin:articles_liveupdate_change", args=[update.pk]),
            status=article.get_status_display(),
            published=article.status == Article.Status.PUBLISHED,
            how="in a live update",
            obj=article,
        )
