from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from articles.models import Article, Transition
from articles.workflow import InvalidTransition

pytestmark = pytest.mark.django_db

DRAFT, REVIEW, PUBLISHED, WITHDRAWN = (
    Article.Status.DRAFT,
    Article.Status.REVIEW,
    Article.Status.PUBLISHED,
    Article.Status.WITHDRAWN,
)


@pytest.fixture
def editor(make_editor):
    return make_editor(first_name="Eddie", last_name="Editor")


@pytest.fixture
def reporter(make_reporter):
    return make_reporter(first_name="Rita", last_name="Reporter")


@pytest.fixture
def story(make_article, reporter):
    """A complete draft by the reporter, ready to go through the workflow."""

    def make(status=DRAFT, **fields):
        if status == PUBLISHED:
            fields.setdefault("published_at", timezone.now() - timedelta(hours=1))
        return make_article(status=status, authors=[reporter.author], created_by=reporter, **fields)

    return make


def test_roles_are_groups_with_the_workflow_permissions():
    reporter = set(Group.objects.get(name="Reporter").permissions.values_list("codename", flat=True))
    editor = set(Group.objects.get(name="Editor").permissions.values_list("codename", flat=True))
    assert {"add_article", "change_article", "submit_article", "comment_article"} <= reporter
    assert not {"publish_article", "withdraw_article", "edit_any_article", "add_correction"} & reporter
    assert {"publish_article", "withdraw_article", "edit_any_article", "add_correction", "share_preview"} <= editor
    assert {"change_author", "change_source", "change_category", "change_tag"} <= editor
    assert Group.objects.filter(name="Newsletter manager").exists()


def test_reporter_submits_own_draft_and_it_is_logged(story, reporter):
    article = story()
    transition = article.submit(by=reporter, comment="Ready when you are")
    article.refresh_from_db()
    assert article.status == REVIEW
    assert (transition.from_status, transition.to_status, transition.actor, transition.comment) == (
        DRAFT,
        REVIEW,
        reporter,
        "Ready when you are",
    )
    assert transition.label == "Submitted for review"


def test_reporter_cannot_submit_someone_elses_draft(make_article, make_reporter):
    article = make_article(status=DRAFT)
    with pytest.raises(PermissionDenied, match="only your own"):
        article.submit(by=make_reporter())
    assert Article.objects.get(pk=article.pk).status == DRAFT
    assert not Transition.objects.exists()


def test_editor_submits_any_draft(make_article, editor):
    article = make_article(status=DRAFT)
    article.submit(by=editor)
    assert Article.objects.get(pk=article.pk).status == REVIEW


@pytest.mark.parametrize("status", [REVIEW, PUBLISHED, WITHDRAWN])
def test_submit_is_refused_outside_draft(story, reporter, status):
    article = story(status=status)
    with pytest.raises(InvalidTransition, match="Cannot submit"):
        article.submit(by=reporter)


def test_editor_requests_changes_with_a_comment(story, editor):
    article = story(status=REVIEW)
    article.request_changes(by=editor, comment="Second source for the casualty figure, please.")
    article.refresh_from_db()
    assert article.status == DRAFT
    assert article.transitions.get().comment == "Second source for the casualty figure, please."


def test_request_changes_needs_a_comment(story, editor):
    article = story(status=REVIEW)
    with pytest.raises(ValidationError, match="Say what needs to change"):
        article.request_changes(by=editor, comment="   ")
    assert Article.objects.get(pk=article.pk).status == REVIEW


@pytest.mark.parametrize("step", ["request_changes", "publish", "withdraw", "restore", "unschedule"])
def test_reporter_is_refused_editor_steps(story, reporter, step):
    article = story(status=REVIEW)
    with pytest.raises(PermissionDenied, match="You may not"):
        getattr(article, step)(by=reporter, **({"comment": "x"} if step in ("request_changes", "withdraw") else {}))
    assert Article.objects.get(pk=article.pk).status == REVIEW


def test_editor_publishes_now(story, editor):
    article = story(status=REVIEW)
    transition = article.publish(by=editor)
    article.refresh_from_db()
    assert article.status == PUBLISHED and article.is_live
    assert transition.publish_at == article.published_at
    assert article in Article.objects.published()


def test_editor_schedules_for_later(story, editor):
    article = story(status=REVIEW)
    at = timezone.now() + timedelta(hours=3)
    article.publish(by=editor, at=at)
    article.refresh_from_db()
    assert article.status == PUBLISHED and article.published_at == at
    assert article.is_scheduled and article.state_label.startswith("Scheduled for ")
    assert article not in Article.objects.published()


def test_publish_time_in_the_past_is_refused(story, editor):
    article = story(status=REVIEW)
    with pytest.raises(InvalidTransition, match="in the past"):
        article.publish(by=editor, at=timezone.now() - timedelta(days=2))


@pytest.mark.parametrize("status", [DRAFT, PUBLISHED, WITHDRAWN])
def test_publish_is_refused_outside_review(story, editor, status):
    article = story(status=status)
    with pytest.raises(InvalidTransition, match="Cannot publish"):
        article.publish(by=editor)


def test_publish_lists_everything_missing(make_article, editor):
    article = make_article(status=REVIEW, body="<p> </p>", category=None, authors=[])
    with pytest.raises(InvalidTransition) as refused:
        article.publish(by=editor)
    assert "a body, a primary category and at least one byline" in refused.value.messages[0]
    assert Article.objects.get(pk=article.pk).status == REVIEW


def test_unschedule_returns_a_scheduled_article_to_review(story, editor):
    article = story(status=REVIEW)
    article.publish(by=editor, at=timezone.now() + timedelta(days=1))
    article.unschedule(by=editor, comment="Hold for legal")
    article.refresh_from_db()
    assert article.status == REVIEW and article.published_at is None


def test_unschedule_refuses_a_live_article(story, editor):
    article = story(status=PUBLISHED)
    with pytest.raises(InvalidTransition, match="withdrawn instead"):
        article.unschedule(by=editor)


def test_withdraw_needs_a_reason_and_keeps_the_public_notice(story, editor):
    article = story(status=PUBLISHED)
    with pytest.raises(ValidationError, match="reason"):
        article.withdraw(by=editor, comment="")
    article.withdraw(by=editor, comment="Legal request", notice="Withdrawn at the request of a court.")
    article.refresh_from_db()
    assert article.status == WITHDRAWN
    assert article.withdrawal_notice == "Withdrawn at the request of a court."
    assert article.withdrawn_at is not None
    assert article.transitions.get().comment == "Legal request"


@pytest.mark.parametrize("status", [DRAFT, REVIEW, WITHDRAWN])
def test_withdraw_is_refused_unless_published(story, editor, status):
    with pytest.raises(InvalidTransition):
        story(status=status).withdraw(by=editor, comment="why")


def test_restore_brings_a_withdrawn_article_back_to_draft(story, editor):
    article = story(status=PUBLISHED)
    article.withdraw(by=editor, comment="Mistake", notice="Gone")
    article.restore(by=editor)
    article.refresh_from_db()
    assert article.status == DRAFT and article.withdrawal_notice == "" and article.withdrawn_at is None


@pytest.mark.parametrize("status", [DRAFT, REVIEW, PUBLISHED])
def test_restore_is_refused_unless_withdrawn(story, editor, status):
    with pytest.raises(InvalidTransition):
        story(status=status).restore(by=editor)


def test_comment_is_logged_without_changing_state(story, reporter):
    article = story(status=REVIEW)
    note = article.comment(by=reporter, text="Photos are on the way")
    assert note.is_comment and note.label == "Comment"
    assert Article.objects.get(pk=article.pk).status == REVIEW


def test_full_life_is_logged_in_order(story, reporter, editor):
    article = story()
    article.submit(by=reporter)
    article.request_changes(by=editor, comment="Tighten the top")
    article.submit(by=reporter)
    article.publish(by=editor)
    article.withdraw(by=editor, comment="Legal")
    article.restore(by=editor)
    steps = [t.label for t in article.transitions.order_by("at", "id")]
    assert steps == [
        "Submitted for review",
        "Changes requested",
        "Submitted for review",
        "Published",
        "Withdrawn",
        "Restored to draft",
    ]
    assert Article.objects.get(pk=article.pk).version == 7


def test_superuser_may_do_everything(story, make_user):
    boss = make_user(is_staff=True, is_superuser=True)
    article = story()
    article.submit(by=boss)
    article.publish(by=boss)
    assert Article.objects.get(pk=article.pk).is_live


def test_inactive_editor_is_refused(story, make_editor):
    article = story(status=REVIEW)
    with pytest.raises(PermissionDenied):
        article.publish(by=make_editor(is_active=False))


def test_transition_reads_the_state_from_the_database_not_a_stale_copy(story, editor):
    article = story(status=REVIEW)
    stale = Article.objects.get(pk=article.pk)
    article.publish(by=editor)
    with pytest.raises(InvalidTransition, match="it is published"):
        stale.publish(by=editor)
    assert Transition.objects.filter(to_status=PUBLISHED).count() == 1


@pytest.mark.parametrize(
    ("status", "owner", "allowed"),
    [(DRAFT, True, True), (DRAFT, False, False), (REVIEW, True, False), (PUBLISHED, True, False)],
)
def test_reporter_edits_only_own_drafts(story, make_article, reporter, status, owner, allowed):
    article = story(status=status) if owner else make_article(status=status)
    assert article.can_edit(reporter) is allowed


@pytest.mark.parametrize("status", [DRAFT, REVIEW, PUBLISHED, WITHDRAWN])
def test_editor_edits_in_any_state(story, editor, status):
    assert story(status=status).can_edit(editor)


def test_save_edit_refuses_a_reporter_on_a_submitted_article(story, reporter):
    article = story(status=REVIEW)
    article.headline = "Changed after submission"
    with pytest.raises(PermissionDenied, match="only an editor can change it now"):
        article.save_edit(by=reporter, expected_version=article.version)
    assert Article.objects.get(pk=article.pk).headline != "Changed after submission"


# Every step against every state, for an editor and for the reporter whose story it is: the model method and the
# admin's can_* question (which decides what buttons show) must agree.
STEPS = ["submit", "request_changes", "publish", "unschedule", "withdraw", "restore"]
STATES = ["draft", "review", "scheduled", "live", "withdrawn"]
EDITOR_MAY = {
    ("submit", "draft"),
    ("request_changes", "review"),
    ("publish", "review"),
    ("unschedule", "scheduled"),
    ("withdraw", "scheduled"),
    ("withdraw", "live"),
    ("restore", "withdrawn"),
}
REPORTER_MAY = {("submit", "draft")}


def in_state(story, state):
    if state == "scheduled":
        return story(status=PUBLISHED, published_at=timezone.now() + timedelta(hours=1))
    if state == "live":
        return story(status=PUBLISHED)
    return story(status={"draft": DRAFT, "review": REVIEW, "withdrawn": WITHDRAWN}[state])


@pytest.mark.parametrize("role", ["editor", "reporter"])
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("step", STEPS)
def test_every_step_in_every_state_by_role(story, editor, reporter, role, state, step):
    user = editor if role == "editor" else reporter
    allowed = (step, state) in (EDITOR_MAY if role == "editor" else REPORTER_MAY)
    article = in_state(story, state)
    before = Article.objects.get(pk=article.pk)
    assert getattr(article, "can_" + step)(user) is allowed
    kwargs = {"comment": "Because"} if step in ("request_changes", "withdraw") else {}
    if allowed:
        transition = getattr(article, step)(by=user, **kwargs)
        assert transition.from_status == before.status and transition.actor == user
        assert Article.objects.get(pk=article.pk).version == before.version + 1
    else:
        with pytest.raises((PermissionDenied, InvalidTransition)) as refused:
            getattr(article, step)(by=user, **kwargs)
        assert str(refused.value.messages[0] if hasattr(refused.value, "messages") else refused.value)
        after = Article.objects.get(pk=article.pk)
        assert (after.status, after.published_at, after.version) == (before.status, before.published_at, before.version)
        assert not Transition.objects.filter(article=article).exists()
