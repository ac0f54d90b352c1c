from django.urls import path

from articles import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("<int:year>/<int:month>/<int:day>/<slug:slug>/", views.article_detail, name="detail"),
    path("category/<slug:slug>/", views.category_detail, name="category"),
    path("tag/<slug:slug>/", views.tag_detail, name="tag"),
    path("author/<slug:slug>/", views.author_detail, name="author"),
    path("corrections/", views.corrections, name="corrections"),
]
