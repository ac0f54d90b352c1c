"""An unpublished story as readers will see it, for staff in the admin and for holders of a share link
(website/previews.py): the public article template, marked as a preview, never cached or indexed."""

from django.shortcuts import render

PRIVATE_HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex, nofollow",
}


def private(response):
    for header, value in PRIVATE_HEADERS.items():
        response[header] = value
    return response


def render_preview(request, article, link=None):
    """The article at its real template, marked as a preview, never cached or indexed."""
    context = {"article": article, "preview": True, "preview_link": link}
    return private(render(request, "website/article_preview.html", context))
