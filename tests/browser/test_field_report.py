"""What a reader sees on a phone (390×844) and a desk (1366×900), measured in Chromium on the demo site (issue 16
items 4, 5 and 8): targets big enough to hit, the largest picture loading first, a masthead that leaves room for the
news, and pages that neither overflow sideways nor leave holes."""

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED_PATH = "/2020/01/17/civilian-killings-mount-in-idlib-as-cease-fire-breaks-down/"
PAGES = {
    "home": "/",
    "article": SEED_PATH,
    "section": "/category/wmd/",
    "search": "/search/?q=idlib",
    "newsletter": "/newsletter/",
}
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}


@pytest.fixture
def demo_site(live_server, settings):
    settings.DEBUG = False
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("load_mailinglist_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return live_server.url


def boxes(page, selector):
    return page.eval_on_selector_all(
        selector, "els => els.map(el => { const r = el.getBoundingClientRect(); return [r.width, r.height]; })"
    )


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["phone", "desk"])
def test_kicker_links_are_targets_of_at_least_24_by_24_pixels(page, demo_site, viewport):
    """WCAG 2.2, 2.5.8: the home lead's kicker was 38×14."""
    page.set_viewport_size(viewport)
    for path in ("/", SEED_PATH):
        page.goto(demo_site + path)
        found = boxes(page, ".kicker a")
        assert found, path
        assert [box for box in found if box[0] < 24 or box[1] < 24] == [], path
