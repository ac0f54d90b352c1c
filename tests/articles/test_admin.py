import pytest
from django.contrib.auth.models import Permission

from articles import admin as articles_admin
from articles.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, make_user):
    user = make_user(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["articles", "photos", "website"]))
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "model", ["articles/article", "articles/author", "articles/source", "articles/category", "website/promobanner"]
)
def test_changelist_and_add_pages_load_for_an_editor(editor_client, model):
    assert editor_client.get(f"/admin/{model}/").status_code == 200
    assert editor_client.get(f"/admin/{model}/add/").status_code == 200


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/articles/image/", "/admin/photos/image/"),
        ("/admin/articles/image/7/change/?_popup=1", "/admin/photos/image/7/change/?_popup=1"),
        ("/admin/articles/promobanner/add/", "/admin/website/promobanner/add/"),
    ],
)
def test_admin_screens_that_moved_app_keep_their_old_addresses(editor_client, old, new):
    response = editor_client.get(old)
    assert (response.status_code, response["Location"]) == (301, new)


def test_article_change_page_loads_with_inline_bylines(editor_client, make_article, make_author):
    article = make_article(authors=[make_author(name="Lisa Schlein")], tags=["Syria"])
    html = editor_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert "Lisa Schlein" in html
    assert "bylines-TOTAL_FORMS" in html
    assert "View on site" in html


def test_other_apps_add_their_links_to_an_article_page(editor_client, make_article, monkeypatch):
    article = make_article(headline="Cease-fire breaks down")
    seen = []

    def syndicate(request, article):
        seen.append((request.user.is_staff, article.headline))
        return "Syndicate", f"/syndicate/{article.pk}/"

    monkeypatch.setattr(articles_admin, "article_tools", [syndicate, lambda request, article: None])
    html = editor_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()

    assert f'<li><a href="/syndicate/{article.pk}/">Syndicate</a></li>' in html
    assert seen == [(True, "Cease-fire breaks down")]
    assert editor_client.get("/admin/articles/article/add/").status_code == 200  # no article yet: no tools asked
    assert len(seen) == 1


def test_article_list_searches_headline_dek_and_author(editor_client, make_article, make_author):
    make_article(headline="Idlib story", authors=[make_author(name="Lisa Schlein")])
    make_article(headline="Budget story")
    html = editor_client.get("/admin/articles/article/", {"q": "Schlein"}).content.decode()
    assert "Idlib story" in html and "Budget story" not in html


@pytest.mark.parametrize(
    "query", [{"status__exact": "published"}, {"tag": "syria"}, {"bylines__author__id__exact": "1"}]
)
def test_article_list_filters_load(editor_client, make_article, query):
    make_article(tags=["Syria"])
    assert editor_client.get("/admin/articles/article/", query).status_code == 200


def test_tag_filter_offers_recent_tags_and_filters_by_any(editor_client, make_article):
    make_article(headline="Old story", tags=["archive-only"])
    make_article(headline="Idlib story", tags=["Syria"])
    for n in range(15):
        make_article(headline=f"Filler {n}", tags=[f"filler {n}"])
    html = editor_client.get("/admin/articles/article/").content.decode()
    assert "?tag=filler-14" in html and "?tag=archive-only" not in html
    filtered = editor_client.get("/admin/articles/article/", {"tag": "archive-only"}).content.decode()
    assert "Old story" in filtered and "Idlib story" not in filtered


def test_author_autocomplete_answers(editor_client, make_author):
    make_author(name="Lisa Schlein")
    response = editor_client.get(
        "/admin/autocomplete/",
        {"term": "Lisa", "app_label": "articles", "model_name": "byline", "field_name": "author"},
    )
    assert response.status_code == 200
    assert response.json()["results"][0]["text"] == "Lisa Schlein"


def test_editor_can_create_an_article_with_bylines_through_the_admin(editor_client, make_author, make_category):
    author = make_author(name="Lisa Schlein")
    category = make_category()
    response = editor_client.post(
        "/admin/articles/article/add/",
        {
            "headline": "A new story",
            "slug": "a-new-story",
            "body": "<p>Text</p><script>alert(1)</script>",
            "category": category.pk,
            "tags": "Syria, Idlib",
            "status": "draft",
            "bylines-TOTAL_FORMS": "1",
            "bylines-INITIAL_FORMS": "0",
            "bylines-0-author": author.pk,
            "bylines-0-role": "By",
            "bylines-0-order": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(slug="a-new-story")
    assert article.byline_text == "By Lisa Schlein"
    assert sorted(t.name for t in article.tags.all()) == ["Idlib", "Syria"]
    assert "<script" not in article.body


def test_tag_input_suggests_existing_tags(editor_client, make_article):
    make_article(tags=["Syria", "Sudan", "Budget"])
    response = editor_client.get("/admin/articles/article/tags/suggestions/", {"q": "s"})
    assert response.json() == {"results": ["Sudan", "Syria"]}
    html = editor_client.get("/admin/articles/article/add/").content.decode()
    assert 'data-suggest-url="/admin/articles/article/tags/suggestions/"' in html


def test_tag_suggestions_are_for_staff_only(client, make_article):
    make_article(tags=["Syria"])
    response = client.get("/admin/articles/article/tags/suggestions/", {"q": "s"})
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
