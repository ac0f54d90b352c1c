import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def logged_in_editor(page, live_server, make_user):
    make_user(username="eddie", password="a long demo passphrase", is_staff=True, is_superuser=True)
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "eddie")
    page.fill("#id_password", "a long demo passphrase")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    return page


def test_tag_input_suggests_existing_tags_as_the_editor_types(logged_in_editor, live_server, make_article, screenshot):
    make_article(tags=["Syria", "Sudan"])
    page = logged_in_editor
    page.goto(live_server.url + "/admin/articles/article/add/")
    page.fill("#id_tags", "Idlib, Sy")
    page.locator("#id_tags").dispatch_event("input")
    option = page.locator("#id_tags-suggestions option")
    option.first.wait_for(state="attached")
    assert option.evaluate_all("els => els.map(e => e.value)") == ["Idlib, Syria"]
    screenshot("admin-article-add")
