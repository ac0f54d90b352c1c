"""A story from draft to scheduled to live to corrected to withdrawn, done by a reporter and an editor in the admin."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def desk(live_server, make_reporter, make_editor, make_article, make_category):
    reporter = make_reporter(username="rita", first_name="Rita", last_name="Reporter", password=PASSWORD)
    make_editor(username="eddie", first_name="Eddie", last_name="Editor", password=PASSWORD)
    article = make_article(
        status=Article.Status.DRAFT,
        headline="Council delays transit vote",
        slug="council-delays-transit-vote",
        body="<p>The council postponed the vote.</p>",
        category=make_category(name="Politics", slug="politics"),
        authors=[reporter.author],
        created_by=reporter,
    )
    return live_server.url, article


def log_in(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def test_reporter_submits_and_editor_schedules_publishes_corrects_and_withdraws(page, desk, screenshot):
    base, article = desk
    change = f"{base}/admin/articles/article/{article.pk}/change/"

    log_in(page, base, "rita")
    page.goto(change)
    page.locator("[contenteditable=true].ProseMirror").click()
    page.keyboard.press("End")
    page.keyboard.type(" A new review of ridership forecasts was ordered.")
    page.click("input[name=_continue]")
    assert "was changed successfully" in page.locator(".messagelist").inner_text()
    page.fill("form[action$='/workflow/submit/'] textarea[name=comment]", "Ready for a look")
    page.click("text=Submit for review")
    assert "Submitted for review" in page.locator(".messagelist").inner_text()
    assert page.locator(".workflow-state").inner_text() == "In review"
    assert page.locator("text=Publish or schedule").count() == 0
    screenshot("workflow-reporter-submitted")

    log_in(page, base, "eddie")
    assert "Council delays transit vote" in page.locator(".editorial-dashboard").inner_text()
    screenshot("workflow-dashboard")
    page.click(".editorial-dashboard >> text=Council delays transit vote")
    later = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    page.fill("input[name=publish_at]", later)
    page.click("text=Publish or schedule")
    assert page.locator(".workflow-state").inner_text().startswith("Scheduled for")
    screenshot("workflow-scheduled")
    with page.context.expect_page() as opened:
        page.click(".object-tools >> text=Preview")
    preview = opened.value
    preview.wait_for_load_state()
    assert "Preview: not published." in preview.locator(".preview-banner").inner_text()
    preview.screenshot(path=str(ARTIFACTS / "workflow-staff-preview.png"), full_page=True)
    preview.close()
    page.goto(f"{base}/admin/articles/article/")
    assert "Scheduled for" in page.locator("#result_list").inner_text()
    article.refresh_from_db()
    assert page.goto(base + article.get_absolute_url()).status == 404

    page.goto(change)
    page.click("text=Unschedule (back to review)")
    page.click("text=Publish or schedule")  # no time: now
    assert page.locator(".workflow-state").inner_text() == "Published"
    page.fill("form[action$='/corrections/add/'] textarea[name=text]", "An earlier version misstated the vote date.")
    page.click("text=Add to the article")
    article.refresh_from_db()
    page.goto(base + article.get_absolute_url())
    assert "An earlier version misstated the vote date." in page.locator(".story-corrections").inner_text()
    assert "ridership forecasts" in page.locator(".story-body").inner_text()
    screenshot("workflow-live-corrected")
    page.goto(f"{base}/corrections/")
    assert "Council delays transit vote" in page.locator(".correction-list").inner_text()
    screenshot("workflow-corrections-page")

    page.goto(f"{base}/admin/articles/article/{article.pk}/revisions/")
    assert page.locator("table.workflow-revisions tbody tr").count() >= 2
    screenshot("workflow-revisions")
    page.click('button:text-is("Compare")')
    assert page.locator("td.diff ins").first.inner_text() == "A new review of ridership forecasts was ordered."
    screenshot("workflow-compare")

    page.goto(change)
    page.fill("form[action$='/workflow/withdraw/'] textarea[name=comment]", "Legal asked us to pull it")
    page.fill("form[action$='/workflow/withdraw/'] textarea[name=notice]", "Withdrawn pending a legal review.")
    page.click("form[action$='/workflow/withdraw/'] button")
    assert page.locator(".workflow-state").inner_text() == "Withdrawn"
    history = page.locator(".workflow-history").inner_text()
    for step in [
        "Submitted for review",
        "Scheduled for",
        "Unscheduled",
        "Published",
        "Correction added",
        "Withdrawn",
        "Legal asked us to pull it",
    ]:
        assert step in history
    screenshot("workflow-history")
    response = page.goto(base + article.get_absolute_url())
    assert response.status == 410
    assert "Withdrawn pending a legal review." in page.content()
    screenshot("workflow-withdrawn-410")


def test_second_save_is_refused_with_the_diff_and_keeps_the_input(browser, desk):
    base, article = desk
    change = f"{base}/admin/articles/article/{article.pk}/change/"
    rita, eddie = browser.new_context().new_page(), browser.new_context().new_page()
    try:
        log_in(rita, base, "rita")
        log_in(eddie, base, "eddie")
        rita.goto(change)
        eddie.goto(change)
        assert "Rita Reporter opened this article for editing" in eddie.locator(".messagelist").inner_text()

        rita.fill("#id_headline", "Council postpones transit vote")
        rita.click("input[name=_continue]")
        assert "was changed successfully" in rita.locator(".messagelist").inner_text()

        eddie.fill("#id_dek", "A review of ridership forecasts comes first.")
        eddie.click("input[name=_continue]")
        conflict = eddie.locator(".workflow-conflict")
        assert "Rita Reporter saved this article at" in conflict.inner_text()
        assert conflict.locator("td.diff del").first.inner_text() == "delays"
        assert conflict.locator("td.diff ins").first.inner_text() == "postpones"
        assert eddie.input_value("#id_dek") == "A review of ridership forecasts comes first."
        eddie.set_viewport_size({"width": 1280, "height": 900})
        ARTIFACTS.mkdir(exist_ok=True)
        eddie.screenshot(path=str(ARTIFACTS / "workflow-conflict.png"), full_page=True)

        eddie.check("input[name=overwrite_version]")
        eddie.click("input[name=_continue]")
        assert "was changed successfully" in eddie.locator(".messagelist").inner_text()
    finally:
        rita.context.close()
        eddie.context.close()
    article.refresh_from_db()
    # Eddie kept his version: his dek, and the headline as his form had it.
    assert article.dek == "A review of ridership forecasts comes first."
    assert article.version == 3
