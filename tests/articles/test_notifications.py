from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import default_task_backend

from articles.models import Article
from articles.tasks import notify_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(make_editor):
    return make_editor(first_name="Eddie", last_name="Editor", email="eddie@example.com")


@pytest.fixture
def reporter(make_reporter):
    return make_reporter(first_name="Rita", last_name="Reporter", email="rita@example.com")


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run what the transaction would have run after committing (tests run inside one that never commits)."""

    def run(step):
        with django_capture_on_commit_callbacks(execute=True):
            return step()

    return run


def test_editors_are_told_of_a_submission(make_article, make_editor, reporter, editor, run_on_commit, mailoutbox):
    other_editor = make_editor(email="erin@example.com")
    article = make_article(status=Article.Status.DRAFT, authors=[reporter.author], headline="Idlib story")
    run_on_commit(lambda: article.submit(by=reporter, comment="Ready"))
    assert sorted(m.to[0] for m in mailoutbox) == sorted([editor.email, other_editor.email])
    message = mailoutbox[0]
    assert message.subject == "[Newsroom] For review: Idlib story"
    assert "Rita Reporter submitted “Idlib story” for review." in message.body
    assert "Ready" in message.body
    assert f"/admin/articles/article/{article.pk}/change/" in message.body


def test_reporter_is_told_what_to_change(make_article, reporter, editor, run_on_commit, mailoutbox):
    article = make_article(status=Article.Status.REVIEW, authors=[reporter.author], headline="Idlib story")
    run_on_commit(lambda: article.request_changes(by=editor, comment="Add the UN figure."))
    assert [m.to for m in mailoutbox] == [[reporter.email]]
    assert mailoutbox[0].subject == "[Newsroom] Changes requested: Idlib story"
    assert "Add the UN figure." in mailoutbox[0].body and "Eddie Editor" in mailoutbox[0].body


def test_reporter_is_told_of_publication(make_article, reporter, editor, run_on_commit, mailoutbox):
    article = make_article(status=Article.Status.REVIEW, authors=[reporter.author], headline="Idlib story")
    run_on_commit(lambda: article.publish(by=editor))
    assert [m.to for m in mailoutbox] == [[reporter.email]]
    assert mailoutbox[0].subject == "[Newsroom] Published: Idlib story"
    assert article.get_absolute_url() in mailoutbox[0].body


def test_reporter_is_told_of_a_schedule_with_its_time(make_article, reporter, editor, run_on_commit, mailoutbox):
    article = make_article(status=Article.Status.REVIEW, authors=[reporter.author], headline="Idlib story")
    run_on_commit(lambda: article.publish(by=editor, at=timezone.now() + timedelta(days=1)))
    assert mailoutbox[0].subject == "[Newsroom] Scheduled: Idlib story"
    assert "to go live at" in mailoutbox[0].body


def test_wire_authors_without_accounts_get_nothing(make_article, make_author, editor, run_on_commit, mailoutbox):
    article = make_article(status=Article.Status.REVIEW, authors=[make_author()])
    run_on_commit(lambda: article.publish(by=editor))
    assert mailoutbox == []


def test_nobody_is_told_of_their_own_step(make_article, editor, run_on_commit, mailoutbox):
    article = make_article(status=Article.Status.DRAFT)
    run_on_commit(lambda: article.submit(by=editor))
    assert mailoutbox == []


def test_notifications_go_through_the_tasks_backend(
    settings, make_article, reporter, editor, run_on_commit, mailoutbox
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": []}}
    default_task_backend.clear()
    article = make_article(status=Article.Status.DRAFT, authors=[reporter.author])
    transition = run_on_commit(lambda: article.submit(by=reporter))
    [result] = default_task_backend.results
    assert result.task.func is notify_transition.func
    assert result.task.queue_name == "email"
    assert result.args == [transition.pk]
    assert mailoutbox == []  # queued for the worker, not sent inside the request


def test_nothing_is_sent_when_the_step_rolls_back(make_article, reporter, editor, run_on_commit, mailoutbox):
    article = make_article(status=Article.Status.REVIEW, authors=[reporter.author])
    with pytest.raises(Exception, match="Say what needs to change"):
        run_on_commit(lambda: article.request_changes(by=editor, comment=""))
    assert mailoutbox == []


def test_task_for_a_deleted_article_does_nothing(make_article, reporter, run_on_commit, mailoutbox):
    article = make_article(status=Article.Status.DRAFT, authors=[reporter.author])
    transition = article.submit(by=reporter)
    article.delete()
    assert notify_transition.call(transition.pk) == 0
