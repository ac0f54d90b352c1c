"""Live coverage and changes to live stories, in real browsers against the running site with its page cache on.

A reporter posts updates from the live desk while a reader's open page (a second browser context) shows them without
a reload, behind an "N new updates" button; a reader without JavaScript gets them with the "Newer updates" button;
an editor ends the coverage. And a reporter rewrites a live story: the public page and search keep the old text,
an editor schedules the changes, and they replace the live text at their time with nothing but the server running.
"""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from articles.models import Article
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def newsroom(live_server, settings, make_reporter, make_editor, make_article, make_category, monkeypatch):
    from website import live

    settings.NEWSROOM_PAGE_CACHE = True
    monkeypatch.setattr(live, "POLL_SECONDS", 1)
    reporter = make_reporter(username="rita", first_name="Rita", last_name="Reporter", password=PASSWORD)
    editor = make_editor(username="eddie", first_name="Eddie", last_name="Editor", password=PASSWORD)
    story = make_article(
        headline="Summit talks in Geneva",
        slug="summit-talks-in-geneva",
        body="<p>Delegations from both sides meet in Geneva.</p>",
        category=make_category(name="World", slug="world"),
        authors=[reporter.author],
        created_by=reporter,
        published_at=timezone.now() - timedelta(hours=1),
    )
    return live_server.url, story, editor


def log_in(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def post_update(page, base, story, text, key=False):
    page.goto(f"{base}/admin/articles/article/{story.pk}/live/")
    page.fill("textarea[name=text]", text)
    if key:
        page.check("input[name=key]")
    page.click("button:text-is('Post update')")
    assert "Update posted." in page.locator(".messagelist").inner_text()


def test_readers_see_updates_without_reloading_and_without_javascript(browser, newsroom):
    base, story, editor = newsroom
    story.change_coverage(by=editor, to=Article.Coverage.LIVE)
    story.post_update(by=editor, text="Delegates arrive at the Palais des Nations.")
    url = base + story.get_absolute_url()
    contexts = [browser.new_context(), browser.new_context(), browser.new_context(java_script_enabled=False)]
    rita, reader, no_js = (context.new_page() for context in contexts)
    try:
        reader.goto(url)
        no_js.goto(url)
        assert reader.locator(".live-update").count() == 1
        assert reader.locator(".live-refresh").is_hidden()
        assert no_js.locator(".live-refresh button").is_visible()

        log_in(rita, base, "rita")
        post_update(rita, base, story, "Talks begin behind closed doors.", key=True)
        rita.set_viewport_size({"width": 390, "height": 844})
        rita.screenshot(path=str(ARTIFACTS / "live-desk-phone.png"), full_page=True)

        button = reader.locator(".live-new")
        button.wait_for(state="visible", timeout=15_000)
        assert button.inner_text() == "Show 1 new update"
        assert reader.locator("[role=status]").inner_text() == "1 new update."
        assert reader.locator(".live-update").count() == 1  # nothing moves until the reader asks
        reader.screenshot(path=str(ARTIFACTS / "live-new-updates-button.png"), full_page=True)
        button.click()
        assert reader.locator(".live-update").count() == 2
        first = reader.locator(".live-list > .live-update").first
        assert "Talks begin behind closed doors." in first.inner_text()
        assert first.locator(".live-update-flag").text_content() == "Key update"
        assert reader.evaluate("document.activeElement.id") == first.get_attribute("id")

        no_js.click(".live-refresh button")
        no_js.wait_for_load_state()
        assert "Talks begin behind closed doors." in no_js.locator(".live-list").inner_text()
        assert "Talks begin behind closed doors." in no_js.locator(".live-summary").inner_text()
        no_js.screenshot(path=str(ARTIFACTS / "live-page-without-javascript.png"), full_page=True)

        log_in(rita, base, "eddie")
        rita.goto(f"{base}/admin/articles/article/{story.pk}/change/")
        rita.click("button:text-is('End live coverage')")
        assert "Live coverage ended" in rita.locator(".messagelist").inner_text()
        reader.locator("[role=status]").filter(has_text="Live coverage has ended.").wait_for(timeout=15_000)
        no_js.reload()
        assert "coverage has ended" in no_js.locator(".live-updates h2").text_content()
        assert no_js.locator(".live-refresh").count() == 0
    finally:
        for context in contexts:
            context.close()


def test_a_reporters_rewrite_waits_for_review_and_goes_live_at_its_time(browser, newsroom):
    base, story, _editor = newsroom
    url = base + story.get_absolute_url()
    staff = browser.new_context().new_page()
    try:
        log_in(staff, base, "rita")
        staff.goto(f"{base}/admin/articles/article/{story.pk}/change/")
        assert staff.locator("input[name=_save]").count() == 0
        staff.fill("#id_headline", "Summit talks collapse in Geneva")
        staff.locator("[contenteditable=true].ProseMirror").click()
        staff.keyboard.press("End")
        staff.keyboard.type(" The talks collapsed after an hour.")
        staff.click("input[name=_save_for_review]")
        assert "Saved for review" in staff.locator(".messagelist").inner_text()

        reader = browser.new_context().new_page()
        reader.goto(url)
        assert reader.locator("h1").inner_text() == "Summit talks in Geneva"
        reader.goto(f"{base}/search/?q=collapsed")
        assert "Summit talks" not in reader.locator("main").inner_text()
        reader.context.close()

        log_in(staff, base, "eddie")
        staff.goto(f"{base}/admin/articles/article/{story.pk}/change/")
        assert staff.locator(".workflow-state").inner_text() == "Live, with changes awaiting review"
        assert staff.locator(".workflow-changes-diff ins").first.inner_text() == "collapse"
        at = timezone.localtime(timezone.now() + timedelta(hours=1)).replace(second=0, microsecond=0)
        staff.fill("form[action$='/changes/publish/'] input[name=publish_at]", at.strftime("%Y-%m-%dT%H:%M"))
        staff.set_viewport_size({"width": 1280, "height": 900})
        staff.screenshot(path=str(ARTIFACTS / "changes-awaiting-review.png"), full_page=True)
        staff.click("button:text-is('Publish the changes')")
        assert staff.locator(".workflow-state").inner_text().startswith("Live, with changes scheduled for")

        before = browser.new_context().new_page()
        before.goto(url)
        assert before.locator("h1").inner_text() == "Summit talks in Geneva"
        before.context.close()

        with time_machine.travel(at + timedelta(seconds=5)):
            after = browser.new_context().new_page()
            after.goto(url)
            assert after.locator("h1").inner_text() == "Summit talks collapse in Geneva"
            assert "The talks collapsed after an hour." in after.locator(".story-body").inner_text()
            after.goto(f"{base}/search/?q=collapsed")
            assert "Summit talks collapse in Geneva" in after.locator("main").inner_text()
            after.context.close()
        story.refresh_from_db()
        assert story.transitions.first().label == "Changes published"
    finally:
        staff.context.close()
