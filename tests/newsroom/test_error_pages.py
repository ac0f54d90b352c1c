import lxml.html
import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client

pytestmark = pytest.mark.django_db


def test_500_page_renders_in_the_site_design_without_the_database(settings, monkeypatch):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.newsroom.csrf_urls"
    settings.NEWSROOM_SITE_NAME = "Newsroom"

    def refuse(self, *args, **kwargs):
        raise OperationalError("the database is down")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", refuse)
    response = Client(raise_request_exception=False).get("/database-down/")
    assert response.status_code == 500
    page = lxml.html.fromstring(response.content)
    assert page.cssselect("h1")[0].text == "Something went wrong on our side"
    assert page.cssselect(".masthead .site-name")[0].text == "Newsroom"
    assert page.cssselect('link[rel="stylesheet"]')[0].get("href").endswith(".css")
    assert "X-Page-Cache" not in response
