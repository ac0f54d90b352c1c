"""An editor saves script payloads everywhere they can type; no page that shows them runs any of it.

Run with the Content-Security-Policy on (as deployed) and off, so escaping and sanitising are proven on their own
and not only hidden behind the policy.
"""

import pytest

from articles.models import Article, Author, Byline, Category
from website.models import PromoBanner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CANARY = "/xss-canary/"
PAYLOADS = [
    f"<script>console.log('XSS-MARKER');fetch('{CANARY}script')</script>",
    f"<img src=x onerror=\"console.log('XSS-MARKER');fetch('{CANARY}img')\">",
    '"><svg onload="alert(\'XSS\')">',
    f"<a href=\"javascript:fetch('{CANARY}link')\">click me</a>",
    f"<iframe srcdoc=\"<script>parent.fetch('{CANARY}frame')</script>\"></iframe>",
    "'-alert('XSS')-'",
]
PAYLOAD = " ".join(PAYLOADS)


@pytest.fixture(params=["csp-on", "csp-off"])
def site(request, settings, live_server):
    if request.param == "csp-off":
        settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "newsroom.security.CSPMiddleware"]
    return live_server.url


@pytest.fixture
def probe(page):
    hits = []
    page.on("dialog", lambda dialog: (hits.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on("console", lambda msg: "XSS-MARKER" in msg.text and hits.append(f"console: {msg.text}"))
    page.route(f"**{CANARY}**", lambda route: (hits.append(f"request: {route.request.url}"), route.abort()))
    return hits


def test_no_payload_runs_anywhere(page, site, probe, make_user, make_image, screenshot):
    editor = make_user(username="eddie", password="a long demo passphrase", is_staff=True, is_superuser=True)
    category = Category.objects.create(name="Hostile " + PAYLOAD[:150], slug="hostile", description=PAYLOAD)
    author = Author.objects.create(name="Mallory " + PAYLOADS[1], slug="mallory", bio=PAYLOAD, job_title=PAYLOADS[0])
    PromoBanner.objects.create(text=PAYLOADS[1], url="https://example.com/")

    # The editor types the payloads into the admin's own forms, as an attacker with a login would.
    page.goto(site + "/admin/login/")
    page.fill("#id_username", "eddie")
    page.fill("#id_password", "a long demo passphrase")
    page.click("input[type=submit]")
    page.goto(site + "/admin/articles/article/add/")
    page.fill("#id_headline", PAYLOAD[:290])
    page.fill("#id_dek", PAYLOAD)
    page.locator(".ProseMirror >> visible=true").first.click()
    page.keyboard.type(PAYLOADS[0])
    page.fill("#id_tags", "hostile")
    page.click("input[name=_save]")
    page.wait_for_url(site + "/admin/articles/article/")
    article = Article.objects.get()
    # Raw HTML in the body takes the sanitiser's path (imports, API writes), not only the editor's.
    Article.objects.filter(pk=article.pk).update(body=f"<p>Body</p>{PAYLOAD}", category=category)
    Byline.objects.create(article=article, author=author, role="By")
    image = make_image(alt_text=PAYLOADS[2], caption=PAYLOAD, credit=PAYLOADS[1])
    Article.objects.filter(pk=article.pk).update(lead_image=image, lead_image_caption=PAYLOADS[0])
    article.refresh_from_db()
    article.submit(by=editor)
    article.publish(by=editor)

    pages = [
        "/",
        article.get_absolute_url(),
        "/category/hostile/",
        "/tag/hostile/",
        "/author/mallory/",
        "/admin/",
        "/admin/articles/article/",
        f"/admin/articles/article/{article.pk}/change/",
        "/admin/articles/author/",
        f"/admin/articles/author/{author.pk}/change/",
        f"/admin/articles/category/{category.pk}/change/",
        "/admin/website/promobanner/",
        "/admin/photos/image/",
        f"/admin/photos/image/{image.pk}/change/",
        # Feeds as a browser shows them: the payloads sit in escaped XML text.
        "/feed/",
        "/feed/atom/",
        "/category/hostile/feed/",
        "/author/mallory/feed/",
        "/search/?q=hostile",
        "/corrections/",
    ]
    for path in pages:
        response = page.goto(site + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
    screenshot("xss-probe-article")
    assert probe == []
