from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from articles import workflow_views
from newsroom import views

admin.site.site_header = settings.SITE_NAME
admin.site.site_title = f"{settings.SITE_NAME} admin"
admin.site.index_title = "The newsroom"

urlpatterns = [
    path("admin/mailinglist/", include("newsletters.admin_redirects")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("newsletter/", include("mailinglist.urls")),
    path("newsletter/", include("newsletters.urls")),
    path("preview/<str:token>/", workflow_views.preview, name="preview"),
    path("", include("articles.urls")),
]

if settings.NEWSROOM_BENCH:
    urlpatterns[:0] = [
        path("_bench/baseline", views.bench_baseline),
        path("_bench/static/<int:size>", views.bench_static),
    ]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Public site: crawlers and error pages.
from articles import sitemaps as article_sitemaps  # noqa: E402
from articles import views as article_views  # noqa: E402

urlpatterns = [
    path("robots.txt", article_views.robots_txt, name="robots"),
    path("sitemap.xml", article_sitemaps.index, name="sitemap-index"),
    path("sitemap-<str:section>.xml", article_sitemaps.section, name="sitemap-section"),
    path("news-sitemap.xml", article_sitemaps.news, name="news-sitemap"),
    *urlpatterns,
]

handler500 = "newsroom.views.server_error"
