"""The admin of issues, deliveries and the mail server's status was under /admin/mailinglist/ before it became an
app of its own: bookmarks and links in old messages lead to the same page under /admin/newsletters/. Mounted at
/admin/mailinglist/ ahead of the admin itself (newsroom/urls.py)."""

from django.http import HttpResponsePermanentRedirect
from django.urls import re_path, reverse


def moved(request):
    old = reverse("admin:app_list", args=["mailinglist"])
    new = reverse("admin:app_list", args=["newsletters"])
    response = HttpResponsePermanentRedirect(new + request.get_full_path()[len(old) :])
    if request.method not in ("GET", "HEAD"):
        response.status_code = 308  # a form posted to an old address is posted again, not turned into a GET
    return response


urlpatterns = [
    re_path(r"^(?:issue|delivery|mailserver)(?:/.*)?$", moved),
]
