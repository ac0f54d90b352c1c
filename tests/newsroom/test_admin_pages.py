"""Admin pages that live outside the admin's own views still carry the site's admin title and header."""

import re

import pytest
from django.contrib import admin

pytestmark = pytest.mark.django_db


def test_the_lockout_page_is_titled_with_the_sites_admin_title(client, make_user, settings):
    make_user(username="eddie", password="a long staff passphrase", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/admin/login/?next=/admin/", {"username": "eddie", "password": "wrong"})

    html = response.content.decode()
    assert response.status_code == 429
    assert "Django" not in html
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()
    assert title == f"Too many failed sign-ins | {admin.site.site_title}"
    assert f">{admin.site.site_header}</a>" in html
    assert "locked\n  after 5 failed attempts" in html or "after 5 failed attempts" in html
