from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from newsroom import views

admin.site.site_header = settings.SITE_NAME
admin.site.site_title = f"{settings.SITE_NAME} admin"
admin.site.index_title = "The newsroom"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("", include("articles.urls")),
]

if settings.NEWSROOM_BENCH:
    urlpatterns.insert(0, path("_bench/baseline", views.bench_baseline))

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
