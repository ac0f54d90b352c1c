from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from articles.models import Article, Byline, format_bylines
from website.models import PromoBanner

pytestmark = pytest.mark.django_db


def test_single_author_byline(make_article, make_author):
    article = make_article(authors=[make_author(name="Lisa Schlein")])
    assert article.byline_text == "By Lisa Schlein"


def test_two_author_byline_uses_and(make_article, make_author):
    article = make_article(authors=[make_author(name="A"), make_author(name="B")])
    assert article.byline_text == "By A and B"


def test_three_author_byline_uses_commas_then_and(make_article, make_author):
    article = make_article(authors=[make_author(name="A"), make_author(name="B"), make_author(name="C")])
    assert article.byline_text == "By A, B and C"


def test_byline_groups_roles_in_order(make_article, make_author):
    article = make_article(authors=[])
    a, b, c = make_author(name="A"), make_author(name="B"), make_author(name="C")
    Byline.objects.create(article=article, author=a, role="By", order=0)
    Byline.objects.create(article=article, author=c, role="Photos by", order=2)
    Byline.objects.create(article=article, author=b, role="By", order=1)
    assert format_bylines(article.bylines.select_related("author")) == "By A and B; Photos by C"


def test_credit_follows_byline_with_source(make_article, make_author, make_source):
    article = make_article(authors=[make_author(name="Lisa Schlein")], source=make_source())
    assert article.credit_text == "By Lisa Schlein · VOA"


def test_byline_order_is_editable(make_article, make_author):
    article = make_article(authors=[make_author(name="A"), make_author(name="B")])
    first = article.bylines.get(author__name="A")
    first.order = 5
    first.save()
    assert article.byline_text == "By B and A"


@pytest.mark.parametrize(
    ("hostile", "forbidden"),
    [
        ("<p>Hi</p><script>alert(1)</script>", "<script"),
        ('<p onclick="alert(1)">Hi</p>', "onclick"),
        ('<img src=x onerror="alert(1)">', "onerror"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', "data:"),
        ("<iframe src='https://evil.example'></iframe>", "<iframe"),
        ("<style>body{display:none}</style>", "<style"),
        ('<p style="background:url(javascript:alert(1))">x</p>', "style="),
    ],
)
def test_body_is_sanitised_when_saved(make_article, hostile, forbidden):
    article = make_article(body=hostile)
    article.refresh_from_db()
    assert forbidden not in article.body.lower()


def test_body_keeps_allowed_markup(make_article):
    html = '<h2>Sub</h2><p><strong>Bold</strong> <em>it</em> <a href="https://voanews.com">VOA</a></p><blockquote><p>Q</p></blockquote>'
    article = make_article(body=html)
    article.refresh_from_db()
    for kept in ("<h2>Sub</h2>", "<strong>Bold</strong>", '<a href="https://voanews.com"', "<blockquote>"):
        assert kept in article.body


def test_body_is_sanitised_through_queryset_update(make_article):
    article = make_article()
    Article.objects.filter(pk=article.pk).update(body="<p>x</p><script>alert(1)</script>")
    article.refresh_from_db()
    assert "<script" not in article.body


def test_body_is_sanitised_through_bulk_create(make_category):
    Article.objects.bulk_create(
        [Article(headline="Bulk", slug="bulk", body="<p>x</p><script>alert(1)</script>", category=make_category())]
    )
    assert "<script" not in Article.objects.get(slug="bulk").body


def test_slug_is_unique(make_article):
    make_article(slug="same-slug")
    with pytest.raises(IntegrityError):
        make_article(slug="same-slug")


def test_published_excludes_drafts_reviews_withdrawn_and_embargoed(make_article):
    live = make_article()
    make_article(status=Article.Status.DRAFT)
    make_article(status=Article.Status.REVIEW)
    make_article(status=Article.Status.WITHDRAWN, published_at=timezone.now() - timedelta(days=1))
    make_article(published_at=timezone.now() + timedelta(hours=1))
    assert list(Article.objects.published()) == [live]


def test_category_allows_only_one_level_of_nesting(make_category):
    top = make_category()
    child = make_category(parent=top)
    grandchild = make_category(parent=child)
    with pytest.raises(ValidationError):
        grandchild.full_clean()


def test_category_label_prefers_short_name(make_category):
    assert make_category(name="Weapons of Mass Destruction (WMD)", short_name="WMD").label == "WMD"
    assert make_category(name="World").label == "World"


def test_banner_is_active_only_inside_its_window(make_banner):
    now = timezone.now()
    make_banner(text="Past", active_from=now - timedelta(days=3), active_until=now - timedelta(days=1))
    make_banner(text="Future", active_from=now + timedelta(days=1))
    current = make_banner(text="Current", active_from=now - timedelta(days=1))
    assert list(PromoBanner.objects.active()) == [current]


def test_banner_window_must_end_after_it_starts(make_banner):
    now = timezone.now()
    banner = make_banner(active_from=now, active_until=now - timedelta(hours=1))
    with pytest.raises(ValidationError):
        banner.full_clean()
