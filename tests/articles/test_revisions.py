import pytest

from articles import revisions
from articles.models import Article, Byline
from articles.services import restore_revision
from tests.articles.workflow_helpers import change_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(make_editor):
    return make_editor(first_name="Eddie", last_name="Editor")


@pytest.fixture
def edited(client, make_article, make_author, editor):
    """An article saved twice in the admin: headline, body, byline and tags changed the second time."""
    lisa, maya = make_author(name="Lisa Schlein"), make_author(name="Maya Okafor")
    article = make_article(
        headline="Civilian killings mount",
        body="<p>The cease-fire broke down.</p><p>Aid groups warn.</p>",
        authors=[lisa],
        tags=["Syria"],
    )
    client.force_login(editor)
    url = f"/admin/articles/article/{article.pk}/change/"
    assert client.post(url, change_form_data(article, dek="First dek")).status_code == 302
    article.refresh_from_db()
    data = change_form_data(
        article,
        headline="Civilian deaths mount in Idlib",
        body="<p>The cease-fire collapsed.</p><p>Aid groups warn.</p>",
        tags="Syria, Idlib",
        **{"bylines-0-author": maya.pk},
    )
    assert client.post(url, data).status_code == 302
    article.refresh_from_db()
    return article


def test_every_admin_save_is_a_revision_with_bylines_and_tags(edited):
    versions = list(revisions.versions_of(edited))
    # The baseline recorded before the first admin edit, then one per save.
    assert len(versions) == 3
    newest, middle = revisions.snapshot(versions[0]), revisions.snapshot(versions[1])
    assert newest.fields["headline"] == "Civilian deaths mount in Idlib"
    assert middle.fields["headline"] == "Civilian killings mount"
    diffs = {d.label: d for d in revisions.compare(middle, newest)}
    assert diffs["Bylines"].old == "By Lisa Schlein" and diffs["Bylines"].new == "By Maya Okafor"
    assert diffs["Tags"].old == "Syria" and diffs["Tags"].new == "Idlib, Syria"
    assert versions[0].revision.user.first_name == "Eddie"


def test_revision_list_shows_who_and_when(client, edited):
    html = client.get(f"/admin/articles/article/{edited.pk}/revisions/").content.decode()
    assert html.count('name="old"') == 3
    assert "Eddie Editor" in html
    assert "Changed Headline" in html or "Changed headline" in html


def test_compare_shows_a_readable_word_diff(client, edited):
    versions = list(revisions.versions_of(edited))
    response = client.get(
        f"/admin/articles/article/{edited.pk}/revisions/compare/", {"old": versions[1].pk, "new": versions[0].pk}
    )
    html = response.content.decode()
    assert "<del>killings</del>" in html and "<ins>deaths</ins>" in html
    assert "<del>broke down.</del>" in html and "<ins>collapsed.</ins>" in html
    assert "<del>Lisa Schlein</del>" in html and "<ins>Maya Okafor</ins>" in html


def test_compare_with_a_foreign_revision_is_a_message(client, edited):
    response = client.get(f"/admin/articles/article/{edited.pk}/revisions/compare/", {"old": "x", "new": "99999"})
    assert response.status_code == 302


def test_restore_brings_back_words_bylines_and_tags_as_a_new_revision(client, edited):
    versions = list(revisions.versions_of(edited))
    response = client.post(f"/admin/articles/article/{edited.pk}/revisions/{versions[1].pk}/restore/", follow=True)
    assert "Revision restored" in response.content.decode()
    article = Article.objects.get(pk=edited.pk)
    assert article.headline == "Civilian killings mount"
    assert "broke down" in article.body
    assert article.byline_text == "By Lisa Schlein"
    assert [t.name for t in article.tags.all()] == ["Syria"]
    assert article.status == Article.Status.PUBLISHED and article.slug == edited.slug
    assert article.version == edited.version + 1
    newest = revisions.versions_of(article).first()
    assert newest.revision.get_comment().startswith("Restored the revision of")
    assert revisions.snapshot(newest).fields["headline"] == "Civilian killings mount"
    assert len(revisions.snapshot(newest).bylines) == 1


def test_reporter_cannot_restore(client, make_reporter, edited):
    reporter = make_reporter()
    versions = list(revisions.versions_of(edited))
    client.force_login(reporter)
    response = client.post(f"/admin/articles/article/{edited.pk}/revisions/{versions[1].pk}/restore/", follow=True)
    assert "Only editors may restore" in response.content.decode()
    assert Article.objects.get(pk=edited.pk).headline == "Civilian deaths mount in Idlib"


def test_restore_does_not_publish_or_move_anything(edited, editor):
    edited.withdraw(by=editor, comment="Legal")
    versions = list(revisions.versions_of(edited))
    restore_revision(article=edited, version_id=versions[-1].pk, by=editor)
    article = Article.objects.get(pk=edited.pk)
    assert article.status == Article.Status.WITHDRAWN
    assert Byline.objects.filter(article=article).count() == 1


def test_inline_diff_escapes_html():
    assert str(revisions.inline_diff("a <b>", "a <i>")) == "a <del>&lt;b&gt;</del> <ins>&lt;i&gt;</ins>"
