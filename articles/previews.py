"""An unpublished story as readers will see it, for staff in the admin and for holders of a share link
(website/previews.py): the public article template, marked as a preview, never cached or indexed. A live story with
changes awaiting review is previewed with those changes."""

from django.shortcuts import render

from articles import pending
from articles.models import PendingVersion

PRIVATE_HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex, nofollow",
}


def private(response):
    for header, value in PRIVATE_HEADERS.items():
        response[header] = value
    return response


def render_preview(request, article, link=None):
    """The article at its real template, marked as a preview, never cached or indexed; a live story as its changes
    awaiting review would make it."""
    waiting = PendingVersion.objects.filter(article=article).first() if article.is_live else None
    if waiting is not None:
        pending.show(article, waiting.content)
    context = {"article": article, "preview": True, "preview_link": link, "changes": waiting}
    return private(render(request, "website/article_preview.html", context))
