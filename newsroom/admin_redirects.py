"""Admin addresses of screens that moved to another app when the code was split by domain: bookmarks and links in
old emails keep working. An old address answers a permanent redirect to the same path under the new app, query
string and escaping kept; a form posted to it is posted on (308), not turned into a GET. Mounted under the admin's
prefix, ahead of the admin (newsroom/urls.py)."""

import re

from django.http import HttpResponsePermanentRedirect
from django.urls import re_path

MOVED = {
    "articles/image": "photos/image",
    "articles/promobanner": "website/promobanner",
    "mailinglist/issue": "newsletters/issue",
    "mailinglist/delivery": "newsletters/delivery",
    "mailinglist/mailserver": "newsletters/mailserver",
}


def moved(request, old, new):
    path = request.get_full_path()
    # The first occurrence after the admin's prefix; the rest of the raw path (still %-escaped) stays as it was.
    at = path.index(f"/{old}") + 1
    response = HttpResponsePermanentRedirect(path[:at] + new + path[at + len(old) :])
    if request.method not in ("GET", "HEAD"):
        response.status_code = 308
    return response


urlpatterns = [re_path(rf"^{re.escape(old)}(?:/.*)?$", moved, {"old": old, "new": new}) for old, new in MOVED.items()]
