import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_urls(make_article, make_author):
    author = make_author(slug="lisa-schlein")
    article = make_article(authors=[author], tags=["Syria"])
    return [
        "/",
        article.get_absolute_url(),
        f"/category/{article.category.slug}/",
        "/tag/syria/",
        "/author/lisa-schlein/",
    ]


def csp_directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_public_pages_carry_a_strict_policy(client, public_urls):
    for url in public_urls:
        response = client.get(url)
        assert response.status_code == 200, url
        directives = csp_directives(response)
        policy = response["Content-Security-Policy"]
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
        assert directives["script-src"] == ["'self'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert directives["object-src"] == ["'none'"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"


def test_pages_served_from_the_cache_carry_the_same_protections(client, public_urls, settings):
    settings.NEWSROOM_PAGE_CACHE = True
    # The page cache answers before sessions and authentication run, but after every middleware that protects a
    # response: a hit must carry exactly what a freshly rendered page does.
    protective = (
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "X-Frame-Options",
    )
    for url in public_urls:
        miss, hit = client.get(url), client.get(url)
        assert (miss["X-Cache"], hit["X-Cache"]) == ("MISS", "HIT"), url
        assert {name: hit[name] for name in protective} == {name: miss[name] for name in protective}, url
        assert int(hit["Content-Length"]) == len(hit.content)


def test_error_pages_carry_the_policy_too(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_admin_policy_adds_only_hashes(admin_client):
    response = admin_client.get("/admin/articles/article/add/")
    policy = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert "'sha256-" in csp_directives(response)["script-src"][1]


def test_production_settings_turn_on_hsts_and_secure_cookies():
    import subprocess
    import sys

    from tests.test_project import PRODUCTION_ENV, ROOT

    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='newsroom.settings'; {code}"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin"} | PRODUCTION_ENV,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["31536000", "True", "True", "True"], result.stderr


def test_hsts_header_is_sent_over_https_in_production(client, settings, make_article):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
