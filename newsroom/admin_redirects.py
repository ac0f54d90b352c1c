"""Admin addresses of screens that moved to another app when the code was split by domain (issue 14): bookmarks and
links in old emails keep working. Each old prefix answers a permanent redirect to the new one, with the rest of the
path and the query string."""

from django.http import HttpResponsePermanentRedirect
from django.urls import path

MOVED = {
    "articles/image/": "photos/image/",
    "articles/promobanner/": "public/promobanner/",
    "mailinglist/issue/": "newsletters/issue/",
    "mailinglist/delivery/": "newsletters/delivery/",
    "mailinglist/mailserver/": "newsletters/mailserver/",
}


def _moved(new_prefix):
    def redirect(request, rest=""):
        query = request.META.get("QUERY_STRING", "")
        target = f"/{request.path.split('/', 2)[1]}/{new_prefix}{rest}" + (f"?{query}" if query else "")
        return HttpResponsePermanentRedirect(target)

    return redirect


urlpatterns = [
    pattern
    for old, new in MOVED.items()
    for pattern in (path(old, _moved(new)), path(f"{old}<path:rest>", _moved(new)))
]
