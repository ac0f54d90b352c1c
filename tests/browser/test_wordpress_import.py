"""A story imported from WordPress, with its picture, renders and passes the checks every public page passes: axe-core
in Chromium and the Nu HTML Checker."""

import json
import shutil
import subprocess
import urllib.request

import pytest

from articles.models import Article
from tests.browser.test_accessibility import NEWER_THAN_THE_CHECKER, VNU_JAR, axe_violations
from tests.conftest import picture_bytes
from tests.wpimport.wxr import Post, attachment, export_text
from wpimport.importer import import_export

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SRC = "https://oldnews.example.com/wp-content/uploads/2020/01/convoy-1024x576.jpg"
CONTENT = (
    "Trucks carrying flour crossed into Idlib on Friday.\nThe convoy was the first in a month.\n\n"
    f'[caption id="attachment_5" width="1024"]<a href="{SRC}"><img class="wp-image-5 size-large" src="{SRC}" '
    'alt="" width="1024" height="576" /></a> The convoy at the <em>Bab al-Hawa</em> crossing.[/caption]\n\n'
    '<h3>What comes next</h3>\n\nAid groups said [sic] more convoys were planned. [gallery ids="5"]\n\n'
    "<ul>\n<li>Flour</li>\n<li>Blankets</li>\n</ul>\n\n"
    '<blockquote>We need more.</blockquote>\n\nSee <img src="https://elsewhere.example.org/map.png"> the map.'
)


@pytest.fixture
def imported_story(live_server, settings, tmp_path):
    settings.DEBUG = False
    (tmp_path / "uploads" / "2020" / "01").mkdir(parents=True)
    (tmp_path / "uploads" / "2020" / "01" / "convoy.jpg").write_bytes(picture_bytes(size=(1600, 900)))
    export = tmp_path / "export.xml"
    export.write_text(
        export_text(
            [
                Post(
                    1,
                    slug="aid-convoy-reaches-idlib",
                    title="Aid convoy reaches Idlib",
                    excerpt="The first convoy in a month crossed on Friday.",
                    content=CONTENT,
                    tags=[("syria", "Syria")],
                    meta={"_thumbnail_id": "5"},
                    sticky=True,
                ),
                attachment(5, "2020/01/convoy.jpg", alt="Trucks wait at a border crossing", caption="The convoy."),
            ]
        )
    )
    report = import_export(export, uploads=tmp_path / "uploads")
    assert not report.failures
    return live_server.url + Article.objects.get().get_absolute_url()


@pytest.fixture
def page(browser):
    context = browser.new_context(bypass_csp=True)  # axe is injected as a script (see test_accessibility.py)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("width", [1280, 320])
def test_an_imported_story_renders_with_its_pictures_and_has_no_axe_violations(page, imported_story, width, screenshot):
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(imported_story)
    assert response.status == 200
    assert page.locator("h1").inner_text() == "Aid convoy reaches Idlib"
    assert page.locator("figure.inline picture img").count() == 1  # the library figure, in renditions
    assert page.locator("figure.inline figcaption").inner_text().startswith("The convoy at the Bab al-Hawa")
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    screenshot(f"wordpress-import-{width}")


def test_an_imported_story_passes_the_nu_html_checker(imported_story, tmp_path):
    if not shutil.which("java"):
        pytest.skip("Java is not installed, so the Nu HTML Checker cannot run (apt-get install default-jre-headless)")
    with urllib.request.urlopen(imported_story) as response:  # noqa: S310 - the local live server
        (tmp_path / "story.html").write_bytes(response.read())
    result = subprocess.run(
        [
            "java",
            "-Xss4m",
            "-jar",
            str(VNU_JAR),
            "--format",
            "json",
            "--exit-zero-always",
            str(tmp_path / "story.html"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [
        f"{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] == "error" and m["message"] not in NEWER_THAN_THE_CHECKER
    ]
    assert errors == []
