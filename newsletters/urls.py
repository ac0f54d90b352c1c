"""Under /newsletter/, beside the mailing list's own pages (mailinglist/urls.py)."""

from django.urls import path

from newsletters import archive, webhooks

app_name = "newsletters"

urlpatterns = [
    path("archive/", archive.archive, name="archive"),
    path("archive/feed/", archive.IssueFeed(), name="archive_feed"),
    path("archive/<int:pk>/", archive.archive_issue, name="archive_issue"),
    path("webhooks/<slug:provider>/", webhooks.tracking_webhook, name="webhook"),
]
