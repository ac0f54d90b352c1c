"""Where an old WordPress address leads now: the public site asks (website/middleware.py)."""

from django.urls import reverse

from articles.models import Article
from wpimport.models import OldAddress


def _number(value):
    return value.isascii() and value.isdigit()


def _slug(value):
    return "/" not in value


# The query-string addresses of a WordPress site: a post by id (every site), and a section, tag or author page on a
# site without pretty permalinks. A value of another shape is not one of them.
QUERY_ADDRESSES = {"p": _number, "cat": _number, "author": _number, "tag": _slug}


def query_address(query):
    """(name, value) of the WordPress address in a request's query (a QueryDict), or None."""
    for name, is_shaped in QUERY_ADDRESSES.items():
        value = query.get(name, "")
        if value and len(value) <= 200 and is_shaped(value):
            return name, value
    return None


def new_address(path, *, query=None):
    """The address an old one moved to, or None. ``query``: the (name, value) of a WordPress address in the
    request's query string (``?p=12``, ``?cat=7``), from ``query_address``.

    A story leads to its page while readers can see it, or has been withdrawn (its page then says so, 410); a
    draft or a scheduled story leads nowhere yet."""
    if "\x00" in path or (query and "\x00" in query[1]):
        return None  # no address has one, and PostgreSQL refuses the byte in a query
    candidates = [f"{path}?{query[0]}={query[1]}"] if query else []
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
