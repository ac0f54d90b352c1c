"""The one URL list. Apps are included by name, so the project's infrastructure imports none of them."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from newsroom import views

admin.site.site_header = settings.SITE_NAME
admin.site.site_title = f"{settings.SITE_NAME} admin"
admin.site.index_title = "The newsroom"

urlpatterns = [
    *(
        [path("_bench/baseline", views.bench_baseline), path("_bench/static/<int:size>", views.bench_static)]
        if settings.NEWSROOM_BENCH
        else []
    ),
    # Admin screens that moved app keep their old addresses (newsroom/admin_redirects.py), ahead of the admin.
    path("admin/", include("newsroom.admin_redirects")),
    path("admin/", admin.site.urls),
    path("favicon.ico", views.favicon, name="favicon"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("newsletter/", include("mailinglist.urls")),
    path("newsletter/", include("newsletters.urls")),
    path("wire/", include("wire.urls")),
    path("", include("website.urls")),
]

handler500 = "newsroom.views.server_error"
