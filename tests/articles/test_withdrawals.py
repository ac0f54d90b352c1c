from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, ArticleRedirect
from tests.articles.workflow_helpers import change_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(make_editor):
    return make_editor()


def test_withdrawn_article_answers_410_with_the_notice(client, make_article, editor):
    article = make_article(headline="A story we pulled")
    url = article.get_absolute_url()
    article.withdraw(by=editor, comment="Source recanted", notice="This article relied on a source who recanted.")
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 410
    assert "This article has been withdrawn" in html
    assert "This article relied on a source who recanted." in html
    assert "A story we pulled" not in html and "Source recanted" not in html


def test_withdrawn_article_at_another_date_is_404(client, make_article, editor):
    article = make_article()
    article.withdraw(by=editor, comment="x")
    assert client.get(f"/1999/01/01/{article.slug}/").status_code == 404


def test_slug_change_leaves_a_301_behind(client, make_article, editor):
    article = make_article(slug="old-slug")
    old_url = article.get_absolute_url()
    client.force_login(editor)
    url = f"/admin/articles/article/{article.pk}/change/"
    assert client.post(url, change_form_data(article, slug="new-slug")).status_code == 302
    client.logout()
    article.refresh_from_db()
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url() and "new-slug" in response["Location"]


def test_date_change_leaves_a_301_behind(client, make_article, editor):
    article = make_article(published_at=timezone.now() - timedelta(days=10))
    old_url = article.get_absolute_url()
    earlier = timezone.localtime(timezone.now() - timedelta(days=20))
    client.force_login(editor)
    data = change_form_data(
        article, published_at_0=earlier.strftime("%Y-%m-%d"), published_at_1=earlier.strftime("%H:%M:%S")
    )
    assert client.post(f"/admin/articles/article/{article.pk}/change/", data).status_code == 302
    article.refresh_from_db()
    assert article.get_absolute_url() != old_url
    response = client.get(old_url)
    assert response.status_code == 301 and response["Location"] == article.get_absolute_url()


def test_republished_article_redirects_from_its_first_address(client, make_article, editor):
    article = make_article(published_at=timezone.now() - timedelta(days=3))
    old_url = article.get_absolute_url()
    article.withdraw(by=editor, comment="Fix")
    assert client.get(old_url).status_code == 410
    article.restore(by=editor)
    article.submit(by=editor)
    article.publish(by=editor)
    response = client.get(old_url)
    assert response.status_code == 301 and response["Location"] == article.get_absolute_url()


def test_redirect_to_a_withdrawn_article_answers_410(client, make_article, editor):
    article = make_article(slug="first-slug")
    old_url = article.get_absolute_url()
    article.slug = "second-slug"
    article.save_edit(by=editor, expected_version=article.version)
    article.withdraw(by=editor, comment="x", notice="Withdrawn.")
    assert client.get(old_url).status_code == 410


def test_editing_a_draft_leaves_no_redirect(make_article, editor):
    article = make_article(status=Article.Status.DRAFT, slug="draft-slug")
    article.slug = "draft-slug-2"
    article.save_edit(by=editor, expected_version=article.version)
    assert not ArticleRedirect.objects.exists()


def test_taking_back_an_old_address_removes_its_redirect(make_article, editor):
    article = make_article(slug="one")
    first_url = article.get_absolute_url()
    article.slug = "two"
    article.save_edit(by=editor, expected_version=1)
    article.slug = "one"
    article.save_edit(by=editor, expected_version=2)
    assert list(ArticleRedirect.objects.values_list("old_path", flat=True)) == [first_url.replace("/one/", "/two/")]
