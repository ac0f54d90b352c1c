import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from articles.models import Article, Correction

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(make_editor):
    return make_editor()


def test_correction_shows_at_the_foot_and_updates_the_time(client, make_article, editor):
    article = make_article()
    article.add_correction(by=editor, kind="correction", text="An earlier version misstated the date.")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Corrections and updates" in html
    assert "An earlier version misstated the date." in html
    assert '<span class="updated">Updated <time datetime=' in html


def test_corrections_page_lists_newest_first_only_for_live_articles(client, make_article, editor):
    live = make_article(headline="Live story")
    live.add_correction(by=editor, kind="update", text="First note")
    live.add_correction(by=editor, kind="clarification", text="Second note")
    pulled = make_article(headline="Pulled story")
    pulled.add_correction(by=editor, kind="correction", text="Pulled note")
    pulled.withdraw(by=editor, comment="x")
    html = client.get("/corrections/").content.decode()
    assert html.index("Second note") < html.index("First note")
    assert "Pulled note" not in html and "Pulled story" not in html
    assert "Clarification" in html and "Update" in html


def test_corrections_page_is_linked_from_every_page(client):
    assert 'href="/corrections/"' in client.get("/").content.decode()


def test_corrections_page_query_count_is_constant(client, make_article, editor, django_assert_max_num_queries):
    for n in range(15):
        make_article().add_correction(by=editor, kind="correction", text=f"Note {n}")
    with django_assert_max_num_queries(8):  # 6 for the page, 2 for the page cache on a miss
        client.get("/corrections/")


def test_reporter_cannot_add_corrections(make_article, make_reporter):
    with pytest.raises(PermissionDenied):
        make_article().add_correction(by=make_reporter(), kind="correction", text="x")


@pytest.mark.parametrize(("kind", "text"), [("rumour", "x"), ("correction", "   ")])
def test_bad_correction_is_refused(make_article, editor, kind, text):
    with pytest.raises(ValidationError):
        make_article().add_correction(by=editor, kind=kind, text=text)
    assert not Correction.objects.exists()


def test_bad_page_number_is_404(client):
    assert client.get("/corrections/?page=abc").status_code == 404


def test_correction_needs_a_live_article(make_article, editor):
    with pytest.raises(ValidationError, match="live articles only"):
        make_article(status=Article.Status.REVIEW).add_correction(by=editor, kind="update", text="x")


def test_correction_times_are_valid_html_datetimes(client, make_article, editor):
    """HTML's <time datetime> takes at most three digits of a second; Django's "c" format writes six."""
    import re

    article = make_article()
    article.add_correction(by=editor, kind="correction", text="An earlier version misstated the date.")
    for url in (article.get_absolute_url(), "/corrections/"):
        html = client.get(url).content.decode()
        times = re.findall(r'<time datetime="([^"]+)"', html)
        assert times, url
        assert all(re.fullmatch(r"\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d[+-]\d{4})?", value) for value in times), times
