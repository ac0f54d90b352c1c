"""The Content-Security-Policy holds in a real browser: nothing the site or the admin needs is blocked."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def csp_violations(page):
    violations = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and violations.append(msg.text))
    page.on("pageerror", lambda error: violations.append(f"page error: {error}"))
    return violations


def test_public_pages_run_under_the_policy(page, live_server, make_article, make_author, csp_violations):
    author = make_author(slug="lisa-schlein")
    article = make_article(authors=[author], tags=["Syria"])
    for path in [
        "/",
        article.get_absolute_url(),
        f"/category/{article.category.slug}/",
        "/tag/syria/",
        "/author/lisa-schlein/",
    ]:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
    assert csp_violations == []


def test_admin_and_rich_text_editor_work_under_the_policy(
    page, live_server, make_user, make_article, make_category, make_author, csp_violations, screenshot
):
    make_user(username="eddie", password="a long demo passphrase", is_staff=True, is_superuser=True)
    make_category(name="World")
    make_author(name="Lisa Schlein")
    article = make_article(tags=["Syria"])
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "eddie")
    page.fill("#id_password", "a long demo passphrase")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    page.goto(live_server.url + "/admin/articles/article/")
    page.goto(live_server.url + f"/admin/articles/article/{article.pk}/change/")
    page.goto(live_server.url + "/admin/articles/article/add/")
    page.fill("#id_headline", "Written under a strict policy")
    editor = page.locator(".ProseMirror >> visible=true").first
    editor.click()
    page.keyboard.type("Typed into the rich-text editor.")
    page.locator("#id_category").locator("..").locator(".select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("Wor")
    page.locator(".select2-results__option", has_text="World").click()
    screenshot("admin-csp-add")
    page.click("input[name=_save]")
    page.wait_for_url(live_server.url + "/admin/articles/article/")
    assert csp_violations == [], "\n".join(csp_violations)
    from articles.models import Article

    saved = Article.objects.get(headline="Written under a strict policy")
    assert "Typed into the rich-text editor." in saved.body
    assert saved.slug == "written-under-a-strict-policy"
