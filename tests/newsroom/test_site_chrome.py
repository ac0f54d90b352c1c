"""What every page carries around its content: the site's icon and the flash messages' markup."""

import lxml.html
import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from PIL import Image

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_the_site_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].startswith("/static/img/favicon")
    assert "max-age" in response["Cache-Control"]
    assert client.head("/favicon.ico").status_code == 302


def test_the_icon_is_a_real_small_icon():
    with Image.open(finders.find("img/favicon.ico")) as icon:
        assert icon.format == "ICO"
        assert {(16, 16), (32, 32)} <= set(icon.info["sizes"])
    with Image.open(finders.find("img/apple-touch-icon.png")) as touch:
        assert touch.size == (180, 180)


@pytest.mark.parametrize("url", ["/", "/search/", "/newsletter/", "/no-such-page/"])
def test_every_page_links_its_icon(client, make_article, url):
    make_article()
    page = lxml.html.fromstring(client.get(url).content)
    icons = page.cssselect('link[rel="icon"]')
    assert len(icons) == 1 and icons[0].get("href").startswith("/static/img/favicon")
    assert page.cssselect('link[rel="apple-touch-icon"]')


def test_flash_messages_are_paragraphs_in_a_status_region(rf):
    request = rf.get("/")
    html = render_to_string(
        "base.html",
        {"messages": [Message(constants.SUCCESS, "Saved."), Message(constants.ERROR, "Not sent.")]},
        request=request,
    )
    page = lxml.html.fromstring(html)
    assert not page.cssselect("[role=status] li, ul[role]")
    region = page.cssselect("main .messages")[0]
    assert region.tag == "div" and region.get("role") == "status"
    assert [(p.tag, p.get("class"), p.text) for p in region] == [
        ("p", "message message-success", "Saved."),
        ("p", "message message-error", "Not sent."),
    ]
