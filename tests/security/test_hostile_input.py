"""Hostile input thrown at every public URL and at the admin forms: never a 500, nothing harmful stored or shown."""

import json
from urllib.parse import quote

import lxml.html
import pytest
from django.contrib.auth.models import Permission

from articles.models import Article, Author, Category
from tests.security.payloads import (
    BAD_ARCHIVE_PATHS,
    PAGE_NUMBERS,
    RAW_QUERY_STRINGS,
    SCRIPT_PAYLOADS,
    TEXT_PAYLOADS,
    TRAVERSAL_PAYLOADS,
)
from website.models import PromoBanner

pytestmark = pytest.mark.django_db

# Extra query parameters the public views read.
PARAMETERS = ["q", "page", "category", "author", "from", "to", "next"]


def assert_no_injected_markup(html, where):
    """Structural check: whatever text was entered, no element, handler or URL the site did not write itself."""
    tree = lxml.html.fromstring(html)
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag not in ("iframe", "object", "embed", "base"), f"{where}: <{element.tag}>"
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), f"{where}: {name}= on <{element.tag}>"
            if name in ("href", "src", "action", "formaction"):
                assert not value.strip().lower().startswith(("javascript:", "data:text")), f"{where}: {name}={value}"
        if element.tag == "script":
            kind = element.get("type", "")
            if kind in ("application/ld+json", "application/json", "importmap"):
                # A data block is never run; it must still parse, or text has broken out of it.
                json.loads(element.text or "null")
            else:
                assert element.get("src"), f"{where}: an inline script"


def assert_not_server_error(response, what):
    assert response.status_code < 500, f"{what} answered {response.status_code}"


@pytest.mark.parametrize("payload", TEXT_PAYLOADS, ids=lambda p: repr(p[:20]))
def test_query_parameters_never_cause_a_500(client, public_site, payload):
    for name, url in public_site.items():
        response = client.get(url, dict.fromkeys(PARAMETERS, payload))
        assert_not_server_error(response, f"{name} with {payload[:20]!r}")
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            assert_no_injected_markup(response.content.decode(), name)


@pytest.mark.parametrize("query_string", RAW_QUERY_STRINGS)
def test_malformed_encodings_never_cause_a_500(client, public_site, query_string):
    for name, url in public_site.items():
        response = client.generic("GET", url, QUERY_STRING=query_string)
        assert_not_server_error(response, f"{name}?{query_string}")


@pytest.mark.parametrize("page", PAGE_NUMBERS)
def test_page_numbers_answer_200_or_404(client, public_site, page):
    for name in ["home", "category", "tag", "author"]:
        response = client.get(public_site[name], {"page": page})
        assert response.status_code in (200, 404), f"{name}?page={page!r}: {response.status_code}"


@pytest.mark.parametrize("payload", TEXT_PAYLOADS + TRAVERSAL_PAYLOADS, ids=lambda p: repr(p[:20]))
def test_hostile_path_segments_answer_4xx(client, public_site, payload):
    segment = quote(payload, safe="")
    for path in [
        f"/category/{segment}/",
        f"/tag/{segment}/",
        f"/author/{segment}/",
        f"/2020/01/17/{segment}/",
        f"/{segment}",
        f"/static/{segment}",
        f"/media/{segment}",
    ]:
        response = client.get(path)
        assert 400 <= response.status_code < 500, f"{path}: {response.status_code}"


@pytest.mark.parametrize("path", BAD_ARCHIVE_PATHS)
def test_bad_dates_answer_4xx(client, public_site, path):
    response = client.get(path)
    assert 400 <= response.status_code < 500, f"{path}: {response.status_code}"


@pytest.fixture
def editor_client(client, make_user):
    user = make_user(is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["articles", "photos", "website", "taggit"])
    )
    client.force_login(user)
    client.user = user
    return client


@pytest.mark.parametrize("payload", SCRIPT_PAYLOADS, ids=lambda p: repr(p[:20]))
def test_payloads_saved_through_the_admin_are_inert_on_every_page(editor_client, client, make_author, payload):
    author_response = editor_client.post(
        "/admin/articles/author/add/",
        {"name": payload, "slug": "hostile-author", "job_title": payload, "bio": payload},
    )
    assert author_response.status_code == 302
    category_response = editor_client.post(
        "/admin/articles/category/add/",
        {
            "name": payload[:200],
            "slug": "hostile-category",
            "short_name": payload[:60],
            "description": payload,
            "nav_order": 1,
            "in_navigation": "on",
        },
    )
    assert category_response.status_code == 302
    author = Author.objects.get(slug="hostile-author")
    category = Category.objects.get(slug="hostile-category")
    response = editor_client.post(
        "/admin/articles/article/add/",
        {
            "headline": payload[:300],
            "slug": "hostile-story",
            "dek": payload,
            "dateline": payload[:100],
            "body": f"<p>Body text.</p><p>{payload}</p>{payload}",
            "category": category.pk,
            "tags": "hostile",
            "original_url": "https://example.com/original",
            "bylines-TOTAL_FORMS": "1",
            "bylines-INITIAL_FORMS": "0",
            "bylines-0-author": author.pk,
            "bylines-0-role": payload[:60],
            "bylines-0-order": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    PromoBanner.objects.create(text=payload[:300], url="https://example.com/")
    article = Article.objects.get(slug="hostile-story")
    article.submit(by=editor_client.user)
    article.publish(by=editor_client.user)
    for forbidden in ("<script", "onerror", "onload", "javascript:", "<iframe", "data:text/html"):
        assert forbidden not in article.body.lower()
    pages = [
        "/",
        article.get_absolute_url(),
        "/category/hostile-category/",
        "/tag/hostile/",
        "/author/hostile-author/",
        "/admin/articles/article/",
        f"/admin/articles/article/{article.pk}/change/",
        "/admin/articles/author/",
        "/admin/articles/category/",
    ]
    for page in pages:
        http = editor_client if page.startswith("/admin/") else client
        response = http.get(page)
        assert response.status_code == 200, page
        assert_no_injected_markup(response.content.decode(), page)


def test_javascript_urls_are_refused_in_link_fields(editor_client, make_category):
    response = editor_client.post(
        "/admin/articles/source/add/", {"name": "Evil", "short_name": "EV", "url": "javascript:alert(1)"}
    )
    assert response.status_code == 200
    assert "Enter a valid URL" in response.content.decode()
    response = editor_client.post(
        "/admin/website/promobanner/add/",
        {
            "text": "x",
            "url": "data:text/html,<script>alert(1)</script>",
            "active_from_0": "2020-01-01",
            "active_from_1": "00:00",
        },
    )
    assert response.status_code == 200
    assert not PromoBanner.objects.exists()


@pytest.mark.parametrize("payload", ["x" * 400, "\x00", "a\x00b"])
def test_overlong_and_null_input_in_admin_forms_is_refused_cleanly(editor_client, make_category, payload):
    response = editor_client.post(
        "/admin/articles/article/add/",
        {
            "headline": payload,
            "slug": "s",
            "category": make_category().pk,
            "status": "draft",
            "bylines-TOTAL_FORMS": "0",
            "bylines-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert not Article.objects.exists()
