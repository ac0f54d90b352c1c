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


def rect(page, selector):
    return page.eval_on_selector(selector, "el => { const r = el.getBoundingClientRect(); return {...r.toJSON()}; }")


def test_on_a_phone_the_news_starts_near_the_top_of_the_home_page(page, demo_site):
    """The masthead took about 300 of 844 px: a three-line banner, a full search form, two lines of sections."""
    page.set_viewport_size(PHONE)
    page.goto(demo_site + "/")
    assert rect(page, ".front .item-headline")["top"] <= 250
    assert rect(page, ".promo a")["height"] <= 40  # the banner on one line
    assert not page.locator(".site-search").is_visible()
    search = page.get_by_role("link", name="Search", exact=True).first
    assert search.is_visible()
    box = search.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24
    search.click()
    assert page.url.endswith("/search/")


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["phone", "desk"])
def test_every_page_type_keeps_its_sections_on_one_line_and_its_content_off_the_rule(page, demo_site, viewport):
    page.set_viewport_size(viewport)
    problems = []
    for name, path in PAGES.items():
        page.goto(demo_site + path)
        tops = {round(top) for top in page.eval_on_selector_all(".sections li", "els => els.map(e => e.offsetTop)")}
        if len(tops) != 1:
            problems.append(f"{name}: the sections wrap onto {len(tops)} lines")
        gap = page.evaluate(
            """() => {
                const rule = document.querySelector('.masthead').getBoundingClientRect().bottom;
                const first = [...document.querySelector('main').querySelectorAll('*')]
                    .find(el => el.getBoundingClientRect().height > 0 && !el.closest('.visually-hidden'));
                return first.getBoundingClientRect().top - rule;
            }"""
        )
        if gap < 12:
            problems.append(f"{name}: content {gap:.0f} px under the navigation's rule")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            problems.append(f"{name}: {overflow} px wider than the screen")
    assert problems == []


def test_the_home_page_grid_leaves_no_holes_on_a_desk(page, demo_site):
    page.set_viewport_size(DESK)
    page.goto(demo_site + "/")
    front, lead, top, latest = (rect(page, s) for s in (".front", ".front .lead", ".top-stories", ".latest"))
    # Latest runs across the page under both columns, not in the lead's column beside a longer rail of top stories.
    assert latest["top"] >= max(lead["bottom"], top["bottom"]) - 1
    assert latest["width"] >= front["width"] - 1
    # The lead's column and the top stories end near each other.
    assert abs(rect(page, ".front .lead .item")["bottom"] - rect(page, ".top-stories .item:last-child")["bottom"]) < 160
    # Each section's band is filled across by its stories, however few.
    for band in page.locator(".rail-items").all():
        width = band.bounding_box()["width"]
        items = band.locator(".item").all()
        spans = [item.bounding_box() for item in items]
        assert max(b["x"] + b["width"] for b in spans) - min(b["x"] for b in spans) >= width - 1
        assert len({round(b["y"]) for b in spans}) == 1  # one row


def test_a_section_page_does_not_repeat_its_own_name_on_every_story(page, demo_site):
    page.set_viewport_size(DESK)
    page.goto(demo_site + "/category/wmd/")
    assert page.locator("main .list .item").count() >= 3
    assert page.locator("main .list .kicker").count() == 0
    page.goto(demo_site + "/category/world/")
    kickers = set(page.locator("main .list .kicker").all_inner_texts())
    assert kickers and "WORLD" not in kickers  # only a subsection's name, e.g. Middle East


# The page's last LCP candidate, read once the eager pictures are decoded and painted. Under load the picture's
# paint can come after the load event and a couple of frames (CI saw the headline reported first), so the entries are
# watched for up to five seconds until one is a picture; a page whose largest element really is text still says so.
LARGEST_PAINT = """async () => {
    const eager = [...document.images].filter(img => img.loading !== 'lazy');
    await Promise.all(eager.map(img => img.decode().catch(() => null)));
    return await new Promise(resolve => {
        let last = null;
        const report = () => resolve(last && last.tagName === 'IMG'
            ? {img: true, loading: last.loading, priority: last.fetchPriority}
            : {img: false});
        const timer = setTimeout(report, 5000);
        new PerformanceObserver(list => {
            const entries = list.getEntries();
            last = entries[entries.length - 1].element;
            if (last && last.tagName === 'IMG') { clearTimeout(timer); report(); }
        }).observe({type: 'largest-contentful-paint', buffered: true});
    });
}"""


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["phone", "desk"])
def test_the_largest_picture_is_not_lazy_and_loads_first(page, demo_site, viewport):
    """Lighthouse: "Largest Contentful Paint image was lazily loaded". (A listing's cards are all one size, so which
    of them counts as largest is a race; its first card's attributes are checked in tests/articles.)"""
    page.set_viewport_size(viewport)
    seen = {}
    for name in ("home", "article"):
        page.goto(demo_site + PAGES[name])
        page.wait_for_load_state("load")
        page.wait_for_function("[...document.images].every(img => img.loading === 'lazy' || img.complete)")
        seen[name] = page.evaluate(LARGEST_PAINT)
    for name, largest in seen.items():
        if largest["img"]:
            assert (largest["loading"], largest["priority"]) == ("eager", "high"), (name, largest)
    if viewport is DESK:
        assert seen["home"]["img"] and seen["article"]["img"], seen  # on a desk the lead picture is the largest
