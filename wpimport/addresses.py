"""Where an old WordPress address leads now: the public site asks (website/middleware.py)."""

from django.urls import reverse

from articles.models import Article
from wpimport.models import OldAddress


def new_address(path, *, post_id=""):
    """The address an old one moved to, or None. ``post_id``: the ``?p=`` of the request, if it had one.

    A story leads to its page while readers can see it, or has been withdrawn (its page then says so, 410); a
    draft or a scheduled story leads nowhere yet."""
    if "\x00" in path:
        return None  # no address has one, and PostgreSQL refuses the byte in a query
    candidates = [f"{path}?p={post_id}"] if post_id else []
    candidates.append(path)
    for old in OldAddress.objects.filter(path__in=candidates).select_related(
        "item__article", "item__author", "item__category", "item__tag"
    ):
        target = old.item.target
        if target is None:
            continue
        if isinstance(target, Article) and not (target.is_live or target.status == Article.Status.WITHDRAWN):
            continue
        if hasattr(target, "get_absolute_url"):
            url = target.get_absolute_url()
        else:  # taggit's Tag has no address of its own
            url = reverse("articles:tag", kwargs={"slug": target.slug})
        if url != path:
            return url
    return None
