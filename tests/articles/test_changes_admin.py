"""Changes to a live story through the admin: a reporter's edit of their live story is saved for review, an editor
sees "Live, with changes awaiting review" and the diff, publishes the changes now or at a time, or discards them;
quick fixes to the live story meanwhile show in the diff and survive."""

from datetime import timedelta

import pytest
from django.utils import timezone
from reversion.models import Version

from articles.models import Article, PendingVersion
from tests.articles.workflow_helpers import change_form_data

pytestmark = pytest.mark.django_db


def change_url(article, query=""):
    return f"/admin/articles/article/{article.pk}/change/{query}"


def reviewable_data(article, **overrides):
    """The form as the admin draws it for a save for review: no slug or publication time (read-only there)."""
    data = change_form_data(article, **overrides)
    for name in ("slug", "published_at_0", "published_at_1"):
        data.pop(name, None)
    return data


def test_a_reporter_opens_their_live_story_with_only_save_for_review(client, story, reporter):
    client.force_login(reporter)
    html = client.get(change_url(story)).content.decode()
    assert 'name="_save_for_review"' in html
    assert 'name="_save"' not in html and 'name="_continue"' not in html
    assert "your edits are saved as changes for review" in html


def test_a_reporters_save_is_kept_for_review_and_the_public_page_keeps_the_live_text(client, story, reporter):
    client.force_login(reporter)
    response = client.post(change_url(story), reviewable_data(story, headline="Talks stall in Geneva"))
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.headline == "Talks open in Geneva"
    assert PendingVersion.objects.get(article=story).content["headline"] == "Talks stall in Geneva"
    assert story.transitions.first().label == "Changes saved for review"
    client.logout()
    public = client.get(story.get_absolute_url()).content.decode()
    assert "Talks open in Geneva" in public and "Talks stall" not in public
    # The story's revisions record what readers get: nothing new until the changes are published.
    assert not Version.objects.get_for_object(story).filter(revision__comment="Saved changes for review.").exists()


def test_the_reporter_reopens_the_changes_and_saves_them_again(client, story, reporter):
    client.force_login(reporter)
    client.post(change_url(story), reviewable_data(story, headline="Talks stall in Geneva"))
    html = client.get(change_url(story)).content.decode()
    assert 'value="Talks stall in Geneva"' in html and 'name="expected_pending" value="1"' in html
    data = reviewable_data(story, headline="Talks stall again", expected_pending=1)
    data |= {"bylines-INITIAL_FORMS": "0", "bylines-0-id": ""}
    assert client.post(change_url(story), data).status_code == 302
    waiting = PendingVersion.objects.get(article=story)
    assert (waiting.content["headline"], waiting.version) == ("Talks stall again", 2)
    assert waiting.content["bylines"] == [[reporter.author.pk, "By", 0]]


def test_a_save_for_review_from_a_stale_form_is_refused_and_keeps_the_input(client, story, reporter, editor):
    opened = reviewable_data(story, headline="Reporter's headline")
    story.dek = "Delegates meet in Geneva."
    story.save_edit(by=editor, expected_version=story.version)
    client.force_login(reporter)
    response = client.post(change_url(story), opened)
    html = response.content.decode()
    assert response.status_code == 200 and "after you opened it" in html
    assert "Reporter&#x27;s headline" in html or "Reporter's headline" in html
    assert not PendingVersion.objects.exists()


def test_a_reporter_may_not_save_straight_to_their_live_story(client, story, reporter):
    client.force_login(reporter)
    client.post(change_url(story), reviewable_data(story, headline="Sneaked in", _save="Save"))
    story.refresh_from_db()
    assert story.headline == "Talks open in Geneva"
    assert PendingVersion.objects.get().content["headline"] == "Sneaked in"


def test_an_editor_sees_the_state_and_the_diff_then_publishes(client, story, reporter, editor):
    story.save_for_review(
        by=reporter, content={**_content(story), "headline": "Talks stall in Geneva"}, expected_version=story.version
    )
    client.force_login(editor)
    html = client.get(change_url(story)).content.decode()
    assert "Live, with changes awaiting review" in html
    assert "<del>open</del> <ins>stall</ins>" in html
    assert "Live, with changes awaiting review" in client.get("/admin/articles/article/").content.decode()
    response = client.post(f"/admin/articles/article/{story.pk}/changes/publish/", {"comment": "OK"}, follow=True)
    assert "Changes published" in response.content.decode()
    story.refresh_from_db()
    assert story.headline == "Talks stall in Geneva"
    assert Version.objects.get_for_object(story).first().revision.comment == "Published the changes saved for review."


def test_a_quick_fix_meanwhile_shows_in_the_diff_and_survives_publication(client, story, reporter, editor):
    story.save_for_review(
        by=reporter, content={**_content(story), "headline": "Talks stall"}, expected_version=story.version
    )
    client.force_login(editor)
    client.post(change_url(story), change_form_data(story, dek="Delegates meet in Geneva."))
    html = client.get(change_url(story)).content.decode()
    assert "Changed on the live story since these changes were saved" in html
    assert "<del>meet.</del> <ins>meet in Geneva.</ins>" in html
    client.post(f"/admin/articles/article/{story.pk}/changes/publish/")
    story.refresh_from_db()
    assert (story.headline, story.dek) == ("Talks stall", "Delegates meet in Geneva.")


def test_the_diff_warns_when_publishing_replaces_a_quick_fix(client, story, reporter, editor):
    story.save_for_review(by=reporter, content={**_content(story), "dek": "Reporter's dek"}, expected_version=1)
    story.refresh_from_db()
    story.dek = "Editor's dek"
    story.save_edit(by=editor, expected_version=story.version)
    client.force_login(editor)
    assert "replaces the quick fix to: Dek" in client.get(change_url(story)).content.decode()


def test_an_editor_schedules_the_changes(client, story, reporter, editor):
    story.save_for_review(by=reporter, content={**_content(story), "headline": "Later"}, expected_version=1)
    at = timezone.localtime(timezone.now() + timedelta(hours=3)).replace(second=0, microsecond=0)
    client.force_login(editor)
    response = client.post(
        f"/admin/articles/article/{story.pk}/changes/publish/", {"publish_at": at.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.headline == "Talks open in Geneva" and story.pending.publish_at == at
    assert "Live, with changes scheduled for" in client.get(change_url(story)).content.decode()


def test_an_editor_discards_the_changes(client, story, reporter, editor):
    story.save_for_review(by=reporter, content={**_content(story), "headline": "Nope"}, expected_version=1)
    client.force_login(editor)
    response = client.post(f"/admin/articles/article/{story.pk}/changes/discard/", follow=True)
    assert "Changes discarded" in response.content.decode()
    assert not PendingVersion.objects.exists()


def test_a_reporter_sees_no_publish_button_and_cannot_publish(client, story, reporter):
    story.save_for_review(by=reporter, content={**_content(story), "headline": "Mine"}, expected_version=1)
    client.force_login(reporter)
    assert "Publish the changes" not in client.get(change_url(story)).content.decode()
    response = client.post(f"/admin/articles/article/{story.pk}/changes/publish/", follow=True)
    assert "You may not publish changes to live stories." in response.content.decode()
    story.refresh_from_db()
    assert story.headline == "Talks open in Geneva"


def test_an_editor_edits_the_changes_from_their_own_form(client, story, reporter, editor):
    story.save_for_review(by=reporter, content={**_content(story), "headline": "Stall"}, expected_version=1)
    client.force_login(editor)
    live_form = client.get(change_url(story)).content.decode()
    assert 'name="_save_for_review"' not in live_form and "?changes=1" in live_form
    html = client.get(change_url(story, "?changes=1")).content.decode()
    assert 'value="Stall"' in html and 'name="_save"' not in html and "You are editing the changes" in html
    data = reviewable_data(story, headline="Stall, edited", expected_pending=1)
    data |= {"bylines-INITIAL_FORMS": "0", "bylines-0-id": ""}
    client.post(change_url(story, "?changes=1"), data)
    story.refresh_from_db()
    assert story.headline == "Talks open in Geneva" and story.pending.content["headline"] == "Stall, edited"


def test_the_staff_preview_shows_the_changes(client, story, reporter, editor):
    story.save_for_review(by=reporter, content={**_content(story), "headline": "Talks stall"}, expected_version=1)
    client.force_login(editor)
    html = client.get(f"/admin/articles/article/{story.pk}/preview/").content.decode()
    assert "Talks stall" in html and "changes awaiting review, not published" in html


def test_a_preview_link_of_a_live_story_shows_its_changes_while_they_wait(client, story, reporter, editor):
    assert not story.can_share_preview(editor)
    story.save_for_review(by=reporter, content={**_content(story), "headline": "Talks stall"}, expected_version=1)
    assert story.can_share_preview(editor)
    link = story.create_preview_link(by=editor)
    response = client.get(link.get_absolute_url())
    assert response.status_code == 200 and "Talks stall" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    story.discard_changes(by=editor)
    assert client.get(link.get_absolute_url())["Location"] == story.get_absolute_url()


def test_the_dashboard_lists_changes_awaiting_review(client, story, reporter, editor):
    story.save_for_review(by=reporter, content={**_content(story), "headline": "X"}, expected_version=1)
    client.force_login(editor)
    html = client.get("/admin/").content.decode()
    assert "Changes awaiting review" in html and "Talks open in Geneva" in html


def _content(article):
    from articles import pending

    return pending.live_content(Article.objects.get(pk=article.pk))
