from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from articles.models import Article, Byline
from tests.articles.workflow_helpers import change_form_data

pytestmark = pytest.mark.django_db

DRAFT, REVIEW, PUBLISHED = Article.Status.DRAFT, Article.Status.REVIEW, Article.Status.PUBLISHED


@pytest.fixture
def editor(make_editor):
    return make_editor(first_name="Eddie", last_name="Editor")


@pytest.fixture
def reporter(make_reporter):
    return make_reporter(first_name="Rita", last_name="Reporter")


def change_url(article):
    return f"/admin/articles/article/{article.pk}/change/"


def step_url(article, step):
    return f"/admin/articles/article/{article.pk}/workflow/{step}/"


def test_reporter_sees_submit_but_no_editor_buttons(client, make_article, reporter):
    article = make_article(status=DRAFT, authors=[reporter.author])
    client.force_login(reporter)
    html = client.get(change_url(article)).content.decode()
    assert "Submit for review" in html
    assert "Publish or schedule" not in html and "Withdraw" not in html and "Request changes" not in html


def test_editor_sees_publish_and_request_changes_on_an_article_in_review(client, make_article, editor):
    article = make_article(status=REVIEW)
    client.force_login(editor)
    html = client.get(change_url(article)).content.decode()
    assert "Publish or schedule" in html and "Request changes" in html
    assert "Submit for review" not in html and "Withdraw" not in html


def test_scheduled_article_says_so_in_the_admin(client, make_article, editor):
    article = make_article(status=PUBLISHED, published_at=timezone.now() + timedelta(days=2))
    client.force_login(editor)
    assert "Scheduled for " in client.get(change_url(article)).content.decode()
    assert "Scheduled for " in client.get("/admin/articles/article/").content.decode()


def test_reporter_submits_through_the_admin(client, make_article, reporter, editor):
    article = make_article(status=DRAFT, authors=[reporter.author])
    client.force_login(reporter)
    response = client.post(step_url(article, "submit"), {"comment": "Done"}, follow=True)
    assert "Submitted for review" in response.content.decode()
    assert Article.objects.get(pk=article.pk).status == REVIEW


def test_editor_schedules_through_the_admin_in_the_site_time_zone(client, make_article, editor, settings):
    settings.TIME_ZONE = "America/New_York"
    article = make_article(status=REVIEW)
    when = timezone.localtime(timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    client.force_login(editor)
    response = client.post(step_url(article, "publish"), {"publish_at": when.strftime("%Y-%m-%dT%H:%M")}, follow=True)
    article.refresh_from_db()
    assert article.published_at == when
    assert "Scheduled for" in response.content.decode()


def test_refused_step_explains_and_changes_nothing(client, make_article, editor):
    article = make_article(status=REVIEW)
    client.force_login(editor)
    response = client.post(step_url(article, "request_changes"), {"comment": ""}, follow=True)
    assert "Say what needs to change" in response.content.decode()
    assert Article.objects.get(pk=article.pk).status == REVIEW


def test_bad_publication_time_is_a_message_not_a_500(client, make_article, editor):
    article = make_article(status=REVIEW)
    client.force_login(editor)
    response = client.post(step_url(article, "publish"), {"publish_at": "next tuesday"}, follow=True)
    assert response.status_code == 200
    assert "not a date and time" in response.content.decode()
    assert Article.objects.get(pk=article.pk).status == REVIEW


def test_reporter_posting_an_editor_step_is_refused(client, make_article, reporter):
    article = make_article(status=REVIEW, authors=[reporter.author])
    client.force_login(reporter)
    response = client.post(step_url(article, "publish"), follow=True)
    assert "You may not publish" in response.content.decode()
    assert Article.objects.get(pk=article.pk).status == REVIEW


def test_workflow_steps_need_post(client, make_article, editor):
    article = make_article(status=REVIEW)
    client.force_login(editor)
    assert client.get(step_url(article, "publish")).status_code == 405
    assert client.post(step_url(article, "teleport")).status_code == 404


def test_reporter_cannot_save_a_submitted_article(client, make_article, reporter):
    article = make_article(status=REVIEW, authors=[reporter.author], created_by=reporter)
    client.force_login(reporter)
    page = client.get(change_url(article))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    response = client.post(change_url(article), change_form_data(article, headline="Sneaky edit"))
    assert response.status_code == 403
    assert "only an editor can change it now" in response.content.decode()
    assert Article.objects.get(pk=article.pk).headline != "Sneaky edit"


def test_reporter_edits_own_draft(client, make_article, reporter):
    article = make_article(status=DRAFT, authors=[reporter.author], created_by=reporter)
    client.force_login(reporter)
    response = client.post(change_url(article), change_form_data(article, headline="Better headline"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.headline == "Better headline" and article.edited_by == reporter and article.version == 2


def test_new_article_by_a_reporter_carries_their_byline(client, make_category, reporter):
    client.force_login(reporter)
    response = client.post(
        "/admin/articles/article/add/",
        {
            "headline": "Fresh story",
            "slug": "fresh-story",
            "body": "<p>Words</p>",
            "category": make_category().pk,
            "bylines-TOTAL_FORMS": "0",
            "bylines-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get(slug="fresh-story")
    assert article.status == DRAFT and article.created_by == reporter
    assert [b.author for b in article.bylines.all()] == [reporter.author]


def test_status_cannot_be_posted_through_the_form(client, make_article, editor):
    article = make_article(status=REVIEW)
    client.force_login(editor)
    client.post(change_url(article), change_form_data(article, status="published"))
    assert Article.objects.get(pk=article.pk).status == REVIEW


def test_live_article_cannot_be_hidden_by_moving_its_time(client, make_article, editor):
    article = make_article()
    client.force_login(editor)
    later = timezone.localtime(timezone.now() + timedelta(days=3))
    data = change_form_data(
        article, published_at_0=later.strftime("%Y-%m-%d"), published_at_1=later.strftime("%H:%M:%S")
    )
    response = client.post(change_url(article), data)
    assert response.status_code == 200
    assert "Withdraw it instead" in response.content.decode()
    assert Article.objects.get(pk=article.pk).is_live


def test_bulk_publish_reports_each_article(client, make_article, editor):
    ready = make_article(status=REVIEW, headline="Ready story")
    incomplete = make_article(status=REVIEW, headline="Incomplete story", authors=[])
    client.force_login(editor)
    response = client.post(
        "/admin/articles/article/",
        {"action": "publish_selected_now", "_selected_action": [ready.pk, incomplete.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "Published 1 article." in html
    assert "at least one byline" in html
    assert Article.objects.get(pk=ready.pk).is_live
    assert Article.objects.get(pk=incomplete.pk).status == REVIEW


def test_reporter_has_no_publish_bulk_action(client, make_article, reporter):
    make_article(status=DRAFT, authors=[reporter.author])
    client.force_login(reporter)
    html = client.get("/admin/articles/article/").content.decode()
    assert "submit_selected" in html and "publish_selected_now" not in html


def test_editor_adds_a_correction_from_the_article_page(client, make_article, editor):
    article = make_article()
    client.force_login(editor)
    response = client.post(
        f"/admin/articles/article/{article.pk}/corrections/add/",
        {"kind": "correction", "text": "An earlier version misspelled Idlib."},
        follow=True,
    )
    assert "Correction added" in response.content.decode()
    assert article.corrections.get().created_by == editor


def test_correction_on_an_unpublished_article_is_refused(client, make_article, editor):
    article = make_article(status=DRAFT)
    client.force_login(editor)
    response = client.post(
        f"/admin/articles/article/{article.pk}/corrections/add/", {"kind": "update", "text": "x"}, follow=True
    )
    assert "live articles only" in response.content.decode()
    assert not article.corrections.exists()


def test_dashboard_lists_the_desk(client, make_article, editor, reporter):
    make_article(status=REVIEW, headline="Waiting story")
    make_article(status=PUBLISHED, published_at=timezone.now() + timedelta(hours=5), headline="Timed story")
    make_article(status=DRAFT, headline="Editor own draft", created_by=editor, authors=[])
    make_article(headline="Live story")
    make_article(status=Article.Status.WITHDRAWN, headline="Pulled story", withdrawn_at=timezone.now())
    client.force_login(editor)
    html = client.get("/admin/").content.decode()
    for heading, headline in [
        ("Awaiting review", "Waiting story"),
        ("Scheduled", "Timed story"),
        ("My drafts", "Editor own draft"),
        ("Recently published", "Live story"),
        ("Recently withdrawn", "Pulled story"),
    ]:
        assert heading in html and headline in html
    assert "goes live" in html


def test_dashboard_drafts_are_the_users_own(client, make_article, reporter):
    make_article(status=DRAFT, headline="Someone else's draft")
    make_article(status=DRAFT, headline="Rita's draft", authors=[reporter.author])
    client.force_login(reporter)
    html = client.get("/admin/").content.decode()
    assert "Rita&#x27;s draft" in html or "Rita's draft" in html
    assert "Someone else" not in html


def test_dashboard_query_count_does_not_grow(client, make_article, editor, django_assert_max_num_queries):
    for n in range(12):
        make_article(status=REVIEW, headline=f"Waiting {n}")
    client.force_login(editor)
    with django_assert_max_num_queries(20):
        client.get("/admin/")


def test_transition_history_shows_on_the_article_page(client, make_article, editor):
    article = make_article(status=REVIEW)
    article.request_changes(by=editor, comment="Needs a second source")
    client.force_login(editor)
    html = client.get(change_url(article)).content.decode()
    assert "Changes requested" in html and "Needs a second source" in html and "Eddie Editor" in html


def test_byline_is_kept_when_the_reporter_credits_someone_else(client, make_category, make_author, reporter):
    other = make_author(name="Wire Writer")
    client.force_login(reporter)
    response = client.post(
        "/admin/articles/article/add/",
        {
            "headline": "Wire story",
            "slug": "wire-story",
            "body": "<p>Words</p>",
            "category": make_category().pk,
            "bylines-TOTAL_FORMS": "1",
            "bylines-INITIAL_FORMS": "0",
            "bylines-0-author": other.pk,
            "bylines-0-role": "By",
            "bylines-0-order": "0",
        },
    )
    assert response.status_code == 302
    assert list(Byline.objects.filter(article__slug="wire-story").values_list("author__name", flat=True)) == [
        "Wire Writer"
    ]


@pytest.mark.parametrize(("state", "expected"), [("scheduled", "Timed story"), ("live", "Live story")])
def test_article_list_filters_by_newsroom_state(client, make_article, editor, state, expected):
    make_article(status=PUBLISHED, published_at=timezone.now() + timedelta(hours=5), headline="Timed story")
    make_article(headline="Live story")
    client.force_login(editor)
    html = client.get("/admin/articles/article/", {"state": state}).content.decode()
    assert expected in html
    assert ({"Timed story", "Live story"} - {expected}).pop() not in html


def test_history_includes_corrections_in_order(client, make_article, editor):
    article = make_article()
    article.add_correction(by=editor, kind="update", text="Added the UN's response.")
    article.withdraw(by=editor, comment="Legal")
    client.force_login(editor)
    html = client.get(change_url(article)).content.decode()
    history = html[html.index('class="workflow-history"') :]
    assert history.index("Withdrawn") < history.index("Update added") < history.index("Added the UN")


def test_a_story_whose_history_names_a_deleted_account_still_opens(client, make_article, make_editor, editor):
    article = make_article(status=REVIEW)
    departed = make_editor(username="departed", first_name="Dana", last_name="Departed")
    article.publish(by=departed, comment="Checked with legal")
    departed.delete()  # Transition.actor becomes NULL
    client.force_login(editor)
    response = client.get(change_url(article))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Checked with legal" in html and "Dana Departed" not in html


def test_a_story_made_without_an_actor_opens(client, make_article, editor):
    article = make_article(status=REVIEW)
    article.transitions.create(from_status=DRAFT, to_status=REVIEW, actor=None, comment="Filed by the wire")
    client.force_login(editor)
    response = client.get(change_url(article))
    assert response.status_code == 200
    assert "Filed by the wire" in response.content.decode()


def test_a_reporter_reads_their_submitted_story_as_text_not_markup(client, make_article, reporter):
    article = make_article(
        status=REVIEW,
        authors=[reporter.author],
        body='<p>The <strong>cease-fire</strong> broke down.</p><p><a href="https://example.com/">Report</a></p>',
    )
    client.force_login(reporter)
    html = client.get(change_url(article)).content.decode()
    assert "&lt;p&gt;" not in html and "&lt;strong&gt;" not in html
    assert "<p>The <strong>cease-fire</strong> broke down.</p>" in html
    assert '<a href="https://example.com/">Report</a>' in html


def test_the_read_only_body_is_sanitised_again_when_shown(client, make_article, reporter):
    article = make_article(status=REVIEW, authors=[reporter.author])
    # Written past the field's sanitiser (raw SQL, as a restore of an old dump could): still no script on the page.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Article._meta.db_table} SET body = %s WHERE id = %s",  # noqa: S608 - table name from the model
            ["<p onclick=alert(1)>Text</p><script>alert(1)</script>", article.pk],
        )
    client.force_login(reporter)
    html = client.get(change_url(article)).content.decode()
    assert "<script>alert(1)</script>" not in html and "onclick" not in html
