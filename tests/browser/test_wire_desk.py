"""The wire desk in a real browser: an editor opens the queue, uses an agency item, publishes the story, and later
takes the agency's update into the live story."""

import pytest

from articles.models import Article
from tests.wire.conftest import FeedServer, sample
from wire import polling
from wire.models import Channel, WireItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def feeds():
    server = FeedServer()
    yield server
    server.close()


@pytest.fixture
def desk(settings, live_server, feeds, make_editor, make_source, make_category, jpeg_for_wire):
    settings.NEWSROOM_WIRE_PRIVATE_ADDRESSES = True
    make_editor(username="eddie", first_name="Eddie", last_name="Editor", password=PASSWORD)
    feeds.serve("/pictures/idlib.jpg", jpeg_for_wire, content_type="image/jpeg")
    channel = Channel.objects.create(
        name="VOA NewsML",
        url=feeds.serve("/g2.xml", sample("newsml.xml", feeds.base)),
        source=make_source(),
        section=make_category(name="Middle East", slug="middle-east"),
    )
    polling.poll(channel)
    feeds.serve("/voa.xml", sample("rss2.xml"))
    other = Channel.objects.create(
        name="VOA RSS", url=feeds.base + "/voa.xml", source=channel.source, section=channel.section
    )
    polling.poll(other)
    return live_server.url, channel


@pytest.fixture
def jpeg_for_wire():
    from tests.conftest import picture_bytes

    return picture_bytes(fmt="JPEG", size=(1200, 675), color=(150, 120, 90))


def log_in(page, base):
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "eddie")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def test_editor_uses_a_wire_item_and_publishes_it_then_takes_the_update(page, desk, feeds, screenshot):
    base, channel = desk
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base)
    page.click("#content-main >> text=Wire items")
    assert page.locator("h1").inner_text() == "Wire queue"
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 3
    screenshot("wire-queue")

    page.click("#result_list >> text=U.N.: Civilians Flee Idlib as Shelling Intensifies")
    assert "Lisa Schlein" in page.locator(".wire-facts").inner_text()
    screenshot("wire-item")
    page.click("text=Use this story")
    assert "Draft made from the wire" in page.locator(".messagelist").inner_text()
    assert page.input_value("#id_headline") == "U.N.: Civilians Flee Idlib as Shelling Intensifies"
    assert page.input_value("#id_dateline") == "GENEVA"
    screenshot("wire-draft")

    page.click("text=Submit for review")
    page.click("text=Publish or schedule")
    assert page.locator(".workflow-state").inner_text() == "Published"
    article = Article.objects.get()
    assert article.is_live and article.lead_image is not None
    page.goto(base + article.get_absolute_url())
    story = page.locator("article").first.inner_text()
    assert "U.N.: Civilians Flee Idlib as Shelling Intensifies" in story
    assert "Lisa Schlein" in story and "Originally published by Voice of America" in story
    screenshot("wire-published")

    update = sample("newsml.xml", feeds.base).replace(b'idlib-text" version="1"', b'idlib-text" version="2"')
    feeds.serve("/g2.xml", update.replace(b"hundreds of thousands of people", b"half a million people"))
    polling.poll(channel)
    assert WireItem.objects.get(channel=channel).state == WireItem.State.UPDATED

    page.goto(f"{base}/admin/articles/article/{article.pk}/change/")
    page.click("text=Wire update waiting: version 2")
    assert page.locator(".wire-update td.diff ins").first.inner_text() == "half a million"
    screenshot("wire-update")
    page.fill("textarea[name=note]", "Updates the number of people who fled.")
    page.click("text=Take version 2")
    assert "now holds version 2" in page.locator(".messagelist").inner_text()
    page.goto(base + article.get_absolute_url())
    assert "half a million people" in page.locator(".story-body").inner_text()
    assert "Updates the number of people who fled." in page.locator(".story-corrections").inner_text()
    screenshot("wire-updated-story")
