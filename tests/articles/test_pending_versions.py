"""Changes to a live story saved for review (a pending version), on the model: saving, publishing now or at a time,
discarding, quick fixes to the live text meanwhile, and who may do what."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from articles import pending
from articles.models import Article, PendingVersion
from articles.services import publish_due_changes
from articles.workflow import EditConflict, InvalidTransition

pytestmark = pytest.mark.django_db


def rewrite(article, **changes):
    content = pending.live_content(article)
    content.update(changes)
    return content


def test_a_reporter_saves_changes_to_their_live_story_for_review(story, reporter):
    assert not story.can_edit(reporter) and story.can_save_for_review(reporter)
    transition = story.save_for_review(
        by=reporter, content=rewrite(story, headline="Talks stall in Geneva"), expected_version=story.version
    )
    story.refresh_from_db()
    assert story.headline == "Talks open in Geneva"
    assert story.pending.content["headline"] == "Talks stall in Geneva"
    assert transition.label == "Changes saved for review" and transition.actor == reporter
    assert story.state_label == "Live, with changes awaiting review"


def test_a_reporter_may_not_save_changes_to_someone_elses_story(story, make_reporter):
    other = make_reporter()
    with pytest.raises(PermissionDenied):
        story.save_for_review(by=other, content=rewrite(story, headline="X"), expected_version=story.version)


def test_only_a_live_story_takes_changes_for_review(make_article, editor):
    draft = make_article(status=Article.Status.DRAFT)
    with pytest.raises(InvalidTransition):
        draft.save_for_review(by=editor, content=rewrite(draft), expected_version=draft.version)


def test_a_save_from_a_stale_copy_is_refused(story, reporter, editor):
    story.save_for_review(by=reporter, content=rewrite(story, headline="One"), expected_version=story.version)
    with pytest.raises(EditConflict):
        story.save_for_review(by=editor, content=rewrite(story, headline="Two"), expected_version=story.version)
    story.save_for_review(by=editor, content=rewrite(story, headline="Two"), expected_version=0, expected_pending=1)
    story.refresh_from_db()
    assert (story.pending.content["headline"], story.pending.version) == ("Two", 2)


def test_an_editor_publishes_the_changes_with_tags_and_bylines(story, reporter, editor, make_author):
    second = make_author(name="Ann Other")
    content = rewrite(
        story,
        headline="Talks stall in Geneva",
        tags=["Diplomacy", "Switzerland"],
        bylines=[[reporter.author.pk, "By", 0], [second.pk, "Reporting by", 1]],
    )
    story.save_for_review(by=reporter, content=content, expected_version=story.version)
    version = story.version
    transition = story.publish_changes(by=editor, comment="Good")
    story.refresh_from_db()
    assert story.headline == "Talks stall in Geneva"
    assert sorted(story.tags.names()) == ["Diplomacy", "Switzerland"]
    assert story.byline_text == "By Rita Reporter; Reporting by Ann Other"
    assert story.version == version + 1
    assert transition.label == "Changes published"
    assert not PendingVersion.objects.exists()


def test_a_quick_fix_meanwhile_is_kept_where_the_changes_left_the_field_alone(story, reporter, editor):
    story.save_for_review(by=reporter, content=rewrite(story, headline="Talks stall"), expected_version=story.version)
    story.refresh_from_db()
    story.dek = "Delegates meet in Geneva."
    story.save_edit(by=editor, expected_version=story.version)
    story.publish_changes(by=editor)
    story.refresh_from_db()
    assert (story.headline, story.dek) == ("Talks stall", "Delegates meet in Geneva.")


def test_a_reporter_may_not_publish_or_schedule_the_changes(story, reporter):
    story.save_for_review(by=reporter, content=rewrite(story, headline="X"), expected_version=story.version)
    with pytest.raises(PermissionDenied):
        story.publish_changes(by=reporter)


def test_discarding_drops_the_changes_and_logs_it(story, reporter, editor):
    story.save_for_review(by=reporter, content=rewrite(story, headline="X"), expected_version=story.version)
    transition = story.discard_changes(by=editor, comment="Not needed")
    story.refresh_from_db()
    assert story.headline == "Talks open in Geneva" and not PendingVersion.objects.exists()
    assert transition.label == "Changes discarded"
    with pytest.raises(InvalidTransition):
        story.discard_changes(by=editor)


def test_scheduled_changes_replace_the_live_text_at_their_time(story, reporter, editor):
    noon = timezone.now().replace(microsecond=0) + timedelta(days=1)
    at_three = noon + timedelta(hours=3)
    with time_machine.travel(noon, tick=False):
        story.save_for_review(
            by=reporter, content=rewrite(story, headline="Talks stall"), expected_version=story.version
        )
        story.publish_changes(by=editor, at=at_three)
        story.refresh_from_db()
        assert story.state_label.startswith("Live, with changes scheduled for")
        assert publish_due_changes() == at_three
    story.refresh_from_db()
    assert story.headline == "Talks open in Geneva"
    with time_machine.travel(at_three, tick=False):
        assert publish_due_changes() is None
    story.refresh_from_db()
    assert story.headline == "Talks stall"
    steps = [t.label for t in story.transitions.all()[:3]]
    assert steps == ["Changes published", "Changes scheduled", "Changes saved for review"]
    assert story.transitions.first().actor == editor


def test_saving_again_cancels_the_schedule(story, reporter, editor):
    story.save_for_review(by=reporter, content=rewrite(story, headline="A"), expected_version=story.version)
    story.publish_changes(by=editor, at=timezone.now() + timedelta(hours=1))
    story.save_for_review(by=reporter, content=rewrite(story, headline="B"), expected_version=0, expected_pending=1)
    story.refresh_from_db()
    assert story.pending.publish_at is None
    assert "schedule was cancelled" in story.transitions.first().comment


def test_scheduled_changes_to_a_story_withdrawn_meanwhile_are_not_published(story, reporter, editor):
    story.save_for_review(by=reporter, content=rewrite(story, headline="A"), expected_version=story.version)
    story.publish_changes(by=editor, at=timezone.now() + timedelta(minutes=10))
    story.refresh_from_db()
    story.withdraw(by=editor, comment="Legal")
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert publish_due_changes() is None
    story.refresh_from_db()
    assert story.headline == "Talks open in Geneva" and story.pending.publish_at is None


def test_a_time_in_the_past_is_refused(story, reporter, editor):
    story.save_for_review(by=reporter, content=rewrite(story, headline="A"), expected_version=story.version)
    with pytest.raises(InvalidTransition):
        story.publish_changes(by=editor, at=timezone.now() - timedelta(hours=1))


def test_merge_takes_the_changes_only_where_they_differ_from_their_base():
    base = {"headline": "A", "dek": "B"}
    assert pending.merge(base=base, proposed={"headline": "A2", "dek": "B"}, live={"headline": "A", "dek": "B3"}) == {
        **dict.fromkeys(pending.KEYS),
        "headline": "A2",
        "dek": "B3",
    }


def test_editors_are_told_of_changes_saved_for_review(
    story, reporter, editor, mailoutbox, django_capture_on_commit_callbacks
):
    editor.email = "eddie@example.com"
    editor.save()
    with django_capture_on_commit_callbacks(execute=True):
        story.save_for_review(
            by=reporter, content=rewrite(story, headline="Talks stall"), expected_version=story.version
        )
    assert [message.to for message in mailoutbox] == [["eddie@example.com"]]
    assert mailoutbox[0].subject == "[Newsroom] Changes for review: Talks open in Geneva"


def test_restoring_a_withdrawn_story_drops_the_changes_that_awaited_review(story, reporter, editor):
    story.save_for_review(by=reporter, content=rewrite(story, headline="A"), expected_version=story.version)
    story.refresh_from_db()
    story.withdraw(by=editor, comment="Legal")
    story.restore(by=editor)
    assert not PendingVersion.objects.exists()
