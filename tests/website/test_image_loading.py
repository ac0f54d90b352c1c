"""The picture a reader sees first loads first (fetchpriority="high", never lazy); the others wait until they are
scrolled near (loading="lazy"). One high-priority picture per page at most."""

import lxml.html
import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def images(client, url, selector="img"):
    response = client.get(url)
    assert response.status_code == 200
    return lxml.html.fromstring(response.content).cssselect(selector)


def loading(img):
    return img.get("loading"), img.get("fetchpriority")


@pytest.fixture
def section(make_category):
    return make_category(slug="world")


@pytest.fixture
def pictured(make_article, make_image, section):
    image = make_image()
    return [make_article(headline=f"Story {n}", category=section, lead_image=image, tags=["Syria"]) for n in range(6)]


def test_an_article_s_lead_image_loads_first_and_its_body_pictures_lazily(client, make_article, make_image):
    inline = make_image()
    body = f'<p>Text.</p><figure><img src="{inline.file.url}" alt="A market" data-file="{inline.pk}"></figure>'
    article = make_article(lead_image=make_image(), body=body)
    lead, placed = images(client, article.get_absolute_url(), ".lead-image img, .story-body img")
    assert loading(lead) == ("eager", "high")
    assert loading(placed) == ("lazy", None)


def test_the_home_page_lead_loads_first_and_the_rest_lazily(client, pictured):
    found = images(client, "/")
    assert loading(images(client, "/", ".lead img")[0]) == ("eager", "high")
    assert [loading(img) for img in found].count(("eager", "high")) == 1
    assert [loading(img) for img in found[1:]] == [("lazy", None)] * (len(found) - 1)


@pytest.mark.parametrize("url", ["/category/world/", "/tag/syria/", "/archive/{year}/"])
def test_a_listing_s_first_card_loads_first_and_the_rest_lazily(client, pictured, url):
    found = images(client, url.format(year=timezone.localtime(pictured[0].published_at).year))
    assert len(found) == 6
    assert [loading(img) for img in found] == [("eager", "high")] + [("lazy", None)] * 5
