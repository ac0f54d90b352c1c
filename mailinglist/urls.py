from django.urls import path

from mailinglist import archive, views, webhooks

app_name = "mailinglist"

urlpatterns = [
    path("", views.signup, name="signup"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    path("archive/", archive.archive, name="archive"),
    path("archive/feed/", archive.IssueFeed(), name="archive_feed"),
    path("archive/<int:pk>/", archive.archive_issue, name="archive_issue"),
    path("webhooks/<slug:provider>/", webhooks.tracking_webhook, name="webhook"),
]
