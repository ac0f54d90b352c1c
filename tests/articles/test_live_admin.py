"""Live coverage in the admin: the coverage buttons, the quick update form on the article's page and the live desk,
editing and deleting updates with their history, and a key update's breaking alert."""

import re

import pytest
from django.utils import timezone
from reversion.models import Version

from articles.models import Article, LiveUpdate

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(make_editor):
    return make_editor(first_name="Eddie", last_name="Editor")


@pytest.fixture
def reporter(make_reporter):
    return make_reporter(first_name="Rita", last_name="Reporter")


@pytest.fixture
def story(make_article, editor):
    article = make_article(headline="Summit talks", published_at=timezone.now())
    article.change_coverage(by=editor, to=Article.Coverage.LIVE)
    article.refresh_from_db()
    return article


def change_url(article):
    return f"/admin/articles/article/{article.pk}/change/"


def test_an_editor_starts_live_coverage_from_the_article_page(client, make_article, editor):
    article = make_article()
    client.force_login(editor)
    html = client.get(change_url(article)).content.decode()
    assert "Start live coverage" in html and "Announce live coverage" in html
    response = client.post(f"/admin/articles/article/{article.pk}/coverage/live/", follow=True)
    assert "Live coverage started" in response.content.decode()
    article.refresh_from_db()
    assert article.coverage == "live"


def test_a_reporter_sees_no_coverage_buttons_and_cannot_post_them(client, story, reporter):
    client.force_login(reporter)
    html = client.get(change_url(story)).content.decode()
    assert "End live coverage" not in html and "Post update" in html
    response = client.post(f"/admin/articles/article/{story.pk}/coverage/ended/", follow=True)
    assert "You may not start or end live coverage." in response.content.decode()
    story.refresh_from_db()
    assert story.coverage == "live"


def test_an_unknown_coverage_step_is_not_found(client, story, editor):
    client.force_login(editor)
    assert client.post(f"/admin/articles/article/{story.pk}/coverage/paused/").status_code == 404


def test_a_reporter_posts_an_update_from_the_live_desk_and_it_is_a_revision(client, story, reporter):
    client.force_login(reporter)
    desk = client.get(f"/admin/articles/article/{story.pk}/live/")
    assert desk.status_code == 200 and 'name="text"' in desk.content.decode()
    response = client.post(
        f"/admin/articles/article/{story.pk}/live/post/", {"text": "Delegates arrive.", "key": "on", "back": "desk"}
    )
    assert response["Location"] == f"/admin/articles/article/{story.pk}/live/"
    update = LiveUpdate.objects.get()
    assert (update.key, update.created_by, update.author) == (True, reporter, reporter.author)
    assert Version.objects.get_for_object(update).count() == 1


def test_posting_needs_a_get_free_post(client, story, reporter):
    client.force_login(reporter)
    assert client.get(f"/admin/articles/article/{story.pk}/live/post/").status_code == 405


def test_an_empty_update_is_refused_with_a_message(client, story, reporter):
    client.force_login(reporter)
    response = client.post(f"/admin/articles/article/{story.pk}/live/post/", {"text": " "}, follow=True)
    assert "Write the update." in response.content.decode()
    assert not LiveUpdate.objects.exists()


def test_a_reporter_edits_their_update_but_not_anothers(client, story, reporter, make_reporter):
    mine = story.post_update(by=reporter, text="Mine")
    theirs = story.post_update(by=make_reporter(), text="Theirs")
    client.force_login(reporter)
    page = client.get(f"/admin/articles/article/{story.pk}/live/").content.decode()
    assert f"/admin/articles/liveupdate/{mine.pk}/change/" in page
    assert f"/admin/articles/liveupdate/{theirs.pk}/change/" not in page
    response = client.post(f"/admin/articles/liveupdate/{mine.pk}/change/", {"body": "<p>Mine, fixed</p>"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.body == "<p>Mine, fixed</p>" and mine.edited_by == reporter
    client.post(f"/admin/articles/liveupdate/{theirs.pk}/change/", {"body": "<p>Hijacked</p>"})
    theirs.refresh_from_db()
    assert theirs.body == "<p>Theirs</p>"


def test_an_editor_deletes_an_update_and_it_can_be_recovered_from_its_history(client, story, editor, reporter):
    import reversion

    with reversion.create_revision():
        update = story.post_update(by=reporter, text="Wrong town named")
    client.force_login(editor)
    response = client.post(f"/admin/articles/liveupdate/{update.pk}/delete/", {"post": "yes"})
    assert response["Location"] == f"/admin/articles/article/{story.pk}/live/"
    assert not LiveUpdate.objects.exists()
    assert "/admin/articles/liveupdate/recover/" in client.get("/admin/articles/liveupdate/").content.decode()
    assert "Wrong town named" in client.get("/admin/articles/liveupdate/recover/").content.decode()
    deleted = Version.objects.get_deleted(LiveUpdate).get()
    client.post(f"/admin/articles/liveupdate/recover/{deleted.pk}/", {"body": "<p>Wrong town named</p>"})
    assert LiveUpdate.objects.get().body == "<p>Wrong town named</p>"


def test_a_reporter_may_not_recover_deleted_updates(client, story, reporter):
    client.force_login(reporter)
    assert "/recover/" not in client.get("/admin/articles/liveupdate/").content.decode()
    assert client.get("/admin/articles/liveupdate/recover/").status_code == 403


def test_a_key_update_of_a_live_story_can_go_out_as_a_breaking_alert(client, story, editor, reporter, role):
    key = story.post_update(by=reporter, text="Both sides agree to a truce.", key=True)
    plain = story.post_update(by=reporter, text="Delegates arrive.")
    editor.groups.add(role("Newsletter manager"))
    client.force_login(editor)
    html = client.get(change_url(story)).content.decode()
    assert f"/admin/newsletters/issue/alert/{story.pk}/?update={key.pk}" in html
    assert f"?update={plain.pk}" not in html
    form = client.get(f"/admin/newsletters/issue/alert/{story.pk}/?update={key.pk}").content.decode()
    assert "Breaking: Both sides agree to a truce." in form


def test_the_alert_from_a_key_update_leads_with_its_words(client, story, editor, reporter, role, make_mailing_list):
    from newsletters.models import Issue

    make_mailing_list(name="Breaking news alerts", slug="alerts")
    key = story.post_update(by=reporter, text="Both sides agree to a truce.\n\nTalks resume at noon.", key=True)
    editor.groups.add(role("Newsletter manager"))
    client.force_login(editor)
    url = f"/admin/newsletters/issue/alert/{story.pk}/"
    mailing_list = Issue._meta.get_field("mailing_list").related_model.objects.get(slug="alerts")
    confirm = client.post(url, {"mailing_list": mailing_list.pk, "subject": "Breaking: truce", "update": key.pk})
    body = confirm.content.decode()
    assert "Talks resume at noon." in body
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', body))
    client.post(url, fields)
    issue = Issue.objects.get()
    assert issue.intro == "Both sides agree to a truce.\n\nTalks resume at noon."
    assert issue.preheader == "Both sides agree to a truce. Talks resume at noon."
