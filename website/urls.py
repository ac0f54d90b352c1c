"""The public site's URLs (the contract in DESIGN.md). Crawler files, sitemaps and share-link previews sit at the root
without a namespace; the pages keep the "articles" namespace their names have always had (`articles:detail`...)."""

from django.urls import include, path, re_path

from website import feeds, live, previews, sitemaps, views

pages = [
    path("", views.home, name="home"),
    path("<int:year>/<int:month>/<int:day>/<slug:slug>/", views.article_detail, name="detail"),
    # A live story's updates: newer than ?after=<id> (polled by its open pages), one update's address, the feed.
    path("<int:year>/<int:month>/<int:day>/<slug:slug>/updates/", live.newer_updates, name="live-updates"),
    path("<int:year>/<int:month>/<int:day>/<slug:slug>/updates/<int:pk>/", live.update_permalink, name="live-update"),
    path("<int:year>/<int:month>/<int:day>/<slug:slug>/feed/", feeds.LiveUpdatesFeed(), name="live-feed"),
    path("category/<slug:slug>/", views.category_detail, name="category"),
    path("tag/<slug:slug>/", views.tag_detail, name="tag"),
    path("author/<slug:slug>/", views.author_detail, name="author"),
    path("corrections/", views.corrections, name="corrections"),
    # Public site: archives, search, feeds.
    re_path(r"^archive/(?P<year>[0-9]{4})/$", views.YearArchive.as_view(), name="archive-year"),
    re_path(r"^archive/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$", views.MonthArchive.as_view(), name="archive-month"),
    re_path(
        r"^archive/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<day>[0-9]{2})/$",
        views.DayArchive.as_view(),
        name="archive-day",
    ),
    path("search/", views.search_view, name="search"),
    path("feed/", feeds.LatestRss(), name="feed"),
    path("feed/atom/", feeds.LatestAtom(), name="feed-atom"),
    path("category/<slug:slug>/feed/", feeds.CategoryFeed(), name="category-feed"),
    path("tag/<slug:slug>/feed/", feeds.TagFeed(), name="tag-feed"),
    path("author/<slug:slug>/feed/", feeds.AuthorFeed(), name="author-feed"),
]

urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", sitemaps.index, name="sitemap-index"),
    path("sitemap-<str:section>.xml", sitemaps.section, name="sitemap-section"),
    path("news-sitemap.xml", sitemaps.news, name="news-sitemap"),
    path("preview/<str:token>/", previews.preview, name="preview"),
    path("", include((pages, "articles"))),
]
