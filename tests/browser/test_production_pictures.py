"""The demo site as `make serve` runs it (gunicorn, debug off, media on the local disk): a reader sees every picture,
and the addresses given to crawlers and social networks answer with a picture too (issue 16 item 1)."""

import json
import urllib.request

import pytest

from tests.newsroom.test_production_server import running_production_server

pytestmark = pytest.mark.browser

SEED_PATH = "/2020/01/17/civilian-killings-mount-in-idlib-as-cease-fire-breaks-down/"
WORKER = ["task_worker", "--queue-name", "*", "--batch", "--no-reload", "--no-startup-delay"]


@pytest.fixture(scope="module")
def served_demo(tmp_path_factory):
    with running_production_server(tmp_path_factory.mktemp("demo"), setup=[["load_demo"], WORKER]) as server:
        yield server


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the local test server
        return response.status, response.headers["Content-Type"], response.read()


@pytest.mark.parametrize("path", ["/", SEED_PATH, "/category/wmd/"])
def test_every_picture_on_the_page_is_shown(page, served_demo, path):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(served_demo.url + path)
    images = page.locator("img")
    assert images.count() >= 1
    for index in range(images.count()):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete", arg=image.element_handle())
        assert image.evaluate("img => img.naturalWidth") > 0, image.evaluate("img => img.currentSrc")


def test_the_pictures_given_to_crawlers_and_social_networks_answer(page, served_demo):
    page.goto(served_demo.url + SEED_PATH)
    og_image = page.locator('meta[property="og:image"]').get_attribute("content")
    news = next(
        data
        for data in map(json.loads, page.locator('script[type="application/ld+json"]').all_text_contents())
        if data["@type"] == "NewsArticle"
    )
    urls = [og_image, *(image["url"] for image in news["image"])]
    assert len(urls) == 4
    for url in urls:
        status, content_type, body = fetch(url)
        assert (status, content_type) == (200, "image/jpeg"), url
        assert body.startswith(b"\xff\xd8")
