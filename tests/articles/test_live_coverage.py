"""Live coverage on the model: the coverage steps, who may take them, and posting, changing and deleting updates."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from articles.models import Article, LiveUpdate
from articles.signals import live_updates_changed
from articles.workflow import InvalidTransition

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(make_editor):
    return make_editor(first_name="Eddie", last_name="Editor")


@pytest.fixture
def reporter(make_reporter):
    return make_reporter(first_name="Rita", last_name="Reporter")


@pytest.fixture
def live_story(make_article, editor):
    article = make_article(headline="Summit talks", published_at=timezone.now() - timedelta(hours=1))
    article.change_coverage(by=editor, to=Article.Coverage.LIVE)
    article.refresh_from_db()
    return article


def test_an_editor_starts_and_ends_coverage_and_each_step_is_logged(make_article, editor):
    article = make_article()
    article.change_coverage(by=editor, to="upcoming")
    article.change_coverage(by=editor, to="live", comment="Talks begin")
    article.change_coverage(by=editor, to="ended")
    article.refresh_from_db()
    assert article.coverage == "ended"
    assert article.coverage_started_at <= article.coverage_ended_at
    steps = [t.label for t in article.transitions.all()]
    assert steps == ["Live coverage ended", "Live coverage started", "Live coverage announced"]
    assert all(not t.is_comment and t.from_status == t.to_status for t in article.transitions.all())


def test_reopening_keeps_the_start_and_clears_the_end(live_story, editor):
    started = live_story.coverage_started_at
    live_story.change_coverage(by=editor, to="ended")
    live_story.change_coverage(by=editor, to="live")
    live_story.refresh_from_db()
    assert (live_story.coverage, live_story.coverage_started_at, live_story.coverage_ended_at) == (
        "live",
        started,
        None,
    )


def test_a_reporter_may_not_change_coverage(live_story, reporter):
    assert live_story.coverage_steps(reporter) == []
    with pytest.raises(PermissionDenied):
        live_story.change_coverage(by=reporter, to="ended")


def test_a_step_out_of_order_is_refused(make_article, editor):
    article = make_article()
    with pytest.raises(InvalidTransition):
        article.change_coverage(by=editor, to="ended")


def test_the_edit_form_cannot_change_coverage(live_story, editor):
    """Coverage is the workflow's: a save from a stale copy of the story leaves it as it is."""
    stale = Article.objects.get(pk=live_story.pk)
    live_story.change_coverage(by=editor, to="ended")
    stale.headline = "Summit talks resume"
    stale.save_edit(by=editor, expected_version=stale.version)
    stale.refresh_from_db()
    assert stale.coverage == "ended"


def test_a_reporter_posts_an_update_as_text_with_their_byline(live_story, reporter):
    update = live_story.post_update(by=reporter, text="Delegates arrive.\n\nTalks start at noon: https://example.com/a")
    assert update.author == reporter.author
    assert update.created_by == reporter
    assert update.body.startswith("<p>Delegates arrive.</p>")
    assert '<a href="https://example.com/a" rel="nofollow">' in update.body
    assert update.summary == "Delegates arrive. Talks start at noon: https://example.com/a"


def test_posted_text_is_escaped_and_the_body_sanitised(live_story, reporter):
    update = live_story.post_update(by=reporter, text="<script>alert(1)</script> & more")
    assert "<script>" not in update.body and "&lt;script&gt;" in update.body
    update = live_story.post_update(
        by=reporter, body='<p onclick="x()">Rich <strong>text</strong></p><iframe></iframe>'
    )
    assert update.body == "<p>Rich <strong>text</strong></p>"


def test_an_empty_update_is_refused(live_story, reporter):
    with pytest.raises(ValidationError):
        live_story.post_update(by=reporter, text="   ")


def test_updates_are_posted_only_while_coverage_is_upcoming_or_live(make_article, live_story, editor, reporter):
    with pytest.raises(InvalidTransition):
        make_article().post_update(by=reporter, text="Not a live story")
    live_story.change_coverage(by=editor, to="ended")
    with pytest.raises(InvalidTransition, match="upcoming or live"):
        live_story.post_update(by=reporter, text="Too late")


def test_posting_changing_and_deleting_an_update_announce_it_once_committed(
    live_story, reporter, django_capture_on_commit_callbacks
):
    heard = []

    def listener(sender, article_id, **kwargs):
        heard.append(article_id)

    live_updates_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            update = live_story.post_update(by=reporter, text="First")
        update.body = "<p>First, corrected</p>"
        with django_capture_on_commit_callbacks(execute=True):
            update.save_edit(by=reporter)
        with django_capture_on_commit_callbacks(execute=True):
            update.remove(by=reporter)
    finally:
        live_updates_changed.disconnect(listener)
    assert heard == [live_story.pk] * 3
    assert not LiveUpdate.objects.exists()


def test_a_reporter_changes_only_their_own_updates_and_an_editor_any(live_story, reporter, make_reporter, editor):
    update = live_story.post_update(by=reporter, text="Mine")
    other = make_reporter()
    assert update.can_change(reporter) and update.can_change(editor) and not update.can_change(other)
    with pytest.raises(PermissionDenied):
        update.save_edit(by=other)
    with pytest.raises(PermissionDenied):
        update.remove(by=other)


def test_public_updates_are_those_of_live_stories(make_article, live_story, reporter, editor):
    shown = live_story.post_update(by=reporter, text="Shown")
    draft = make_article(status=Article.Status.DRAFT)
    draft.change_coverage(by=editor, to="upcoming")
    draft.post_update(by=reporter, text="Not yet")
    assert list(LiveUpdate.objects.public()) == [shown]


def test_the_photo_library_knows_a_picture_shown_in_a_live_update(live_story, reporter, make_image):
    from photos.usage import uses_of

    image = make_image(renditions=False)
    update = live_story.post_update(by=reporter, text="A picture from the market.", image=image)
    [use] = uses_of([image])[image.pk]
    assert (use.how, use.published, use.title) == ("in a live update", True, "Summit talks")
    assert use.admin_url == f"/admin/articles/liveupdate/{update.pk}/change/"
