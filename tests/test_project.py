"""The project as a newcomer and an operator meet it: settings, deploy checks, demo content."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from articles.models import Article

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-for-the-deploy-check-0123456789abcdef",
    "DJANGO_ALLOWED_HOSTS": "news.example.com",
    "DJANGO_DEFAULT_FROM_EMAIL": "Newsroom <newsroom@news.example.com>",
    "NEWSROOM_SITE_URL": "https://news.example.com",
}


def run_manage(*args, env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "NEWSROOM_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base | env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_under_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "site_url", [None, "http://127.0.0.1:8000", "http://localhost:8000", "https://[::1]/", "http://10.1.2.3", "news"]
)
def test_check_deploy_refuses_a_site_url_that_is_not_public(site_url):
    """Every confirmation email and List-Unsubscribe header is built on NEWSROOM_SITE_URL."""
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "NEWSROOM_SITE_URL"}
    if site_url is not None:
        env["NEWSROOM_SITE_URL"] = site_url
    result = run_manage("check", "--deploy", "--fail-level", "ERROR", env=env)
    assert result.returncode != 0
    assert "newsroom.E001" in result.stderr and "NEWSROOM_SITE_URL" in result.stderr


def test_check_deploy_warns_about_a_plain_http_site_url():
    result = run_manage("check", "--deploy", env=PRODUCTION_ENV | {"NEWSROOM_SITE_URL": "http://news.example.com"})
    assert result.returncode == 0
    assert "newsroom.W001" in result.stderr + result.stdout


def test_every_variable_the_deploy_guide_exports_is_one_the_code_reads():
    """The guide once exported NEWSROOM_PROXY_COUNT, which nothing reads: behind the proxy every signup shared one
    rate-limit bucket and consent records kept the proxy's address."""
    import re

    guide = (ROOT / "docs" / "deploy.md").read_text()
    exported = {
        name
        for line in re.findall(r"^export (.+)$", guide, re.M)
        for name in re.findall(r"(?:^|\s)([A-Z][A-Z0-9_]+)=", line)
    }
    code = "".join(path.read_text() for path in [ROOT / "newsroom" / "settings.py", ROOT / "gunicorn.conf.py"])
    assert "NEWSROOM_TRUSTED_PROXY_COUNT" in exported
    assert {name for name in exported if f'"{name}"' not in code} == set()


def test_secret_key_is_required_when_debug_is_off():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_load_demo_is_idempotent(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    counts = Article.objects.count(), get_user_model().objects.count()
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert (Article.objects.count(), get_user_model().objects.count()) == counts
    assert counts[0] >= 7


@pytest.mark.django_db
def test_demo_content_spans_categories_authors_and_a_two_author_byline(settings):
    settings.DEBUG = False
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    published = Article.objects.published()
    assert published.values("category").distinct().count() >= 4
    assert published.values("bylines__author").distinct().count() >= 3
    assert any(" and " in a.byline_text for a in published)
    assert all(a.tags.exists() for a in published)


@pytest.mark.django_db
def test_demo_accounts_are_never_created_with_debug_off(settings):
    settings.DEBUG = False
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_demo_accounts_print_their_password_once(settings, capsys):
    settings.DEBUG = True
    call_command("load_demo")
    first = capsys.readouterr().out
    call_command("load_demo")
    second = capsys.readouterr().out
    assert "editor /" in first and "reporter /" in first
    assert "editor /" not in second


def test_check_deploy_warns_about_the_development_sender():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_DEFAULT_FROM_EMAIL"}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "mailinglist.W001" in result.stderr + result.stdout
    assert "newsletters.W001" in result.stderr + result.stdout
    assert "newsroom@localhost" in result.stderr + result.stdout
