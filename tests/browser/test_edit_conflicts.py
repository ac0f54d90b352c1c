"""Two editors change one story at once, each in their own browser: the second keeps their change without undoing
the first one's."""

import pytest

from articles.models import Article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def editor_page(browser, base, username):
    page = browser.new_context().new_page()
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    return page


def test_saving_my_version_after_a_conflict_keeps_a_colleagues_other_change(
    browser, live_server, make_editor, make_article, screenshot
):
    make_editor(username="eddie", first_name="Eddie", last_name="Editor", password=PASSWORD)
    make_editor(username="erin", first_name="Erin", last_name="Second", password=PASSWORD)
    article = make_article(headline="Cease-fire breaks down", dek="Shelling resumed.")
    change = f"{live_server.url}/admin/articles/article/{article.pk}/change/"
    eddie, erin = editor_page(browser, live_server.url, "eddie"), editor_page(browser, live_server.url, "erin")
    eddie.goto(change)
    erin.goto(change)

    eddie.fill("#id_headline", "Civilian killings mount as cease-fire breaks down")
    eddie.click("input[name=_continue]")
    eddie.get_by_text("was changed successfully").wait_for()

    erin.fill("#id_dek", "Shelling resumed at dawn, the UN says.")
    erin.click("input[name=_continue]")
    conflict = erin.locator(".workflow-conflict")
    conflict.wait_for()
    assert "Eddie Editor saved this article" in conflict.inner_text()
    assert "Headline: only they changed it; their change is kept when you save." in conflict.inner_text()
    screenshot("conflict-merge")
    erin.get_by_label("Save my changes together with theirs").check()
    erin.click("input[name=_continue]")
    erin.get_by_text("was changed successfully").wait_for()

    assert erin.locator("#id_headline").input_value() == "Civilian killings mount as cease-fire breaks down"
    assert erin.locator("#id_dek").input_value() == "Shelling resumed at dawn, the UN says."
    saved = Article.objects.get(pk=article.pk)
    assert (saved.headline, saved.dek) == (
        "Civilian killings mount as cease-fire breaks down",
        "Shelling resumed at dawn, the UN says.",
    )
    for page in (eddie, erin):
        page.context.close()
