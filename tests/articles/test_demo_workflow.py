import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from articles.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, django_capture_on_commit_callbacks):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())


def test_demo_accounts_hold_roles_not_superpowers(demo):
    User = get_user_model()
    editor, reporter = User.objects.get(username="editor"), User.objects.get(username="reporter")
    assert not editor.is_superuser and not reporter.is_superuser
    assert list(editor.groups.values_list("name", flat=True)) == ["Editor"]
    assert list(reporter.groups.values_list("name", flat=True)) == ["Reporter"]
    assert editor.has_perm("articles.publish_article") and not reporter.has_perm("articles.publish_article")
    assert reporter.author.name == "Rita Reporter"


def test_demo_has_a_story_awaiting_review_with_its_log(demo, mailoutbox):
    story = Article.objects.awaiting_review().get()
    assert story.bylines.get().author.user.username == "reporter"
    assert story.transitions.get().label == "Submitted for review"
    assert [m.to for m in mailoutbox] == [["editor@example.com"]]


def test_loading_again_changes_nothing(demo):
    call_command("load_demo", stdout=io.StringIO())
    assert Article.objects.awaiting_review().count() == 1
    assert get_user_model().objects.filter(username__in=["editor", "reporter"]).count() == 2
