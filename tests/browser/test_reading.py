import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED_PATH = "/2020/01/17/civilian-killings-mount-in-idlib-as-cease-fire-breaks-down/"


@pytest.fixture
def demo_site(live_server, settings):
    settings.DEBUG = False
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return live_server.url


def test_reader_goes_from_home_to_the_seed_story_and_its_author(page, demo_site, screenshot):
    page.goto(demo_site + "/")
    assert page.locator(".promo").inner_text().startswith("The Largest Security-Cleared Career Network")
    page.get_by_role("link", name="WMD").first.click()
    page.get_by_role("link", name="Civilian Killings Mount in Idlib as Cease-fire Breaks Down").click()
    assert page.url.endswith(SEED_PATH)
    assert page.locator("h1").inner_text() == "Civilian Killings Mount in Idlib as Cease-fire Breaks Down"
    assert page.locator(".story .kicker").text_content() == "Weapons of Mass Destruction (WMD)"
    assert "January 17, 2020" in page.locator(".story-header .meta").inner_text()
    screenshot("article-desktop")
    page.set_viewport_size({"width": 360, "height": 740})
    screenshot("article-phone")
    page.get_by_role("link", name="Lisa Schlein").click()
    assert page.locator("h1").inner_text() == "Lisa Schlein"


def test_skip_link_is_the_first_focus_stop(page, demo_site):
    page.goto(demo_site + SEED_PATH)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
