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


def test_the_slug_follows_the_headline_while_it_is_typed_or_pasted(logged_in_editor, live_server):
    page = logged_in_editor
    page.goto(live_server.url + "/admin/articles/article/add/")
    # fill() sends what pasting or dictation sends: input events, no key presses.
    page.locator("#id_headline").fill("Civilian Killings Mount in Idlib")
    assert page.locator("#id_slug").input_value() == "civilian-killings-mount-in-idlib"
    page.locator("#id_headline").press_sequentially(" as Cease-fire Breaks Down")
    assert page.locator("#id_slug").input_value() == "civilian-killings-mount-in-idlib-as-cease-fire-breaks-down"


def test_a_drafts_slug_follows_a_rewritten_headline_until_edited_by_hand(logged_in_editor, live_server, make_article):
    from articles.models import Article

    draft = make_article(status=Article.Status.DRAFT, headline="Talks resume", slug="talks-resume")
    page = logged_in_editor
    page.goto(f"{live_server.url}/admin/articles/article/{draft.pk}/change/")
    page.locator("#id_headline").fill("Talks resume in Geneva")
    assert page.locator("#id_slug").input_value() == "talks-resume-in-geneva"

    page.locator("#id_slug").fill("geneva-talks")
    page.locator("#id_headline").fill("Geneva talks resume for a third round")
    assert page.locator("#id_slug").input_value() == "geneva-talks"


def test_a_published_storys_slug_stays_when_its_headline_changes(logged_in_editor, live_server, make_article):
    live = make_article(headline="Talks resume", slug="talks-resume")
    page = logged_in_editor
    page.goto(f"{live_server.url}/admin/articles/article/{live.pk}/change/")
    page.locator("#id_headline").fill("Talks resume in Geneva")
    page.locator("#id_headline").press_sequentially(" today")
    assert page.locator("#id_slug").input_value() == "talks-resume"
