from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from articles.models import Article
from mailinglist.roles import NEWSLETTER_MANAGER
from newsletters.models import Issue, MailServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, make_editor):
    editor = make_editor(username="ed", email="ed@news.example.com")
    client.force_login(editor)
    client.user = editor
    return client


def confirm_sending(client, issue, **kwargs):
    """Press "Send now", then confirm on the page that shows the list, its size and the subject."""
    page = client.get(f"/admin/newsletters/issue/{issue.pk}/send/")
    assert page.status_code == 200, page
    return client.post(f"/admin/newsletters/issue/{issue.pk}/send/", page.context["fields"], **kwargs)


def inline_data(articles, prefix="items"):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(articles)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for n, article in enumerate(articles):
        data[f"{prefix}-{n}-order"] = str(n)
        data[f"{prefix}-{n}-article"] = str(article.pk)
    return data


def test_an_editor_composes_an_issue_from_published_articles_in_order(editor_client, make_mailing_list, make_article):
    daily = make_mailing_list(name="Daily briefing")
    first, second = make_article(headline="First"), make_article(headline="Second")

    response = editor_client.post(
        "/admin/newsletters/issue/add/",
        {"mailing_list": daily.pk, "kind": "digest", "subject": "Morning", "preheader": "", "intro": "Hi"}
        | inline_data([second, first]),
    )

    assert response.status_code == 302
    issue = Issue.objects.get()
    assert issue.article_ids() == [second.pk, first.pk]
    assert issue.created_by == editor_client.user
    assert issue.status == Issue.Status.DRAFT


def test_an_unpublished_article_is_refused_in_an_issue(editor_client, make_mailing_list, make_article):
    draft = make_article(headline="Not yet", status=Article.Status.DRAFT)

    response = editor_client.post(
        "/admin/newsletters/issue/add/",
        {"mailing_list": make_mailing_list().pk, "kind": "digest", "subject": "Morning"} | inline_data([draft]),
    )

    assert response.status_code == 200
    assert not Issue.objects.exists()
    assert "Select a valid choice" in response.content.decode() or "published" in response.content.decode()


def test_todays_briefing_prefills_articles_since_the_last_issue_in_its_sections(
    editor_client, make_issue, make_article, make_category
):
    world, sport = make_category(name="World"), make_category(name="Sport")
    old = make_article(
        headline="Yesterday's world story", category=world, published_at=timezone.now() - timedelta(days=2)
    )
    last = make_issue(articles=[old])
    Issue.objects.filter(pk=last.pk).update(
        status=Issue.Status.SENT, started_at=timezone.now() - timedelta(hours=20), sent_at=timezone.now()
    )
    fresh = make_article(headline="Fresh world story", category=world, published_at=timezone.now() - timedelta(hours=2))
    make_article(headline="Sport story", category=sport, published_at=timezone.now() - timedelta(hours=1))
    make_article(headline="Embargoed world story", category=world, published_at=timezone.now() + timedelta(hours=1))
    issue = make_issue(mailing_list=last.mailing_list, articles=[])

    response = editor_client.post(f"/admin/newsletters/issue/{issue.pk}/briefing/", follow=True)

    assert response.redirect_chain[0][1] == 302
    assert issue.article_ids() == [fresh.pk]
    assert "Today&#x27;s briefing: 1 article published since the last issue." in response.content.decode()


def test_the_preview_shows_the_email_under_a_policy_that_allows_no_script(editor_client, make_issue, make_article):
    issue = make_issue(articles=[make_article(headline="Idlib cease-fire")])

    response = editor_client.get(f"/admin/newsletters/issue/{issue.pk}/preview/")
    text = editor_client.get(f"/admin/newsletters/issue/{issue.pk}/preview/?format=text")

    assert response.status_code == 200
    assert "Idlib cease-fire" in response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy and "script" not in policy
    assert text["Content-Type"].startswith("text/plain")
    assert "Idlib cease-fire" in text.content.decode()


def test_a_test_email_goes_to_the_editor_only(editor_client, make_issue, add_subscribers):
    issue = make_issue(subject="Morning")
    add_subscribers(issue.mailing_list, 3)

    response = editor_client.post(f"/admin/newsletters/issue/{issue.pk}/test/")

    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["ed@news.example.com"]
    assert message.subject == "[Test] Morning"
    assert not issue.deliveries.exists()
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.DRAFT


def test_send_now_from_the_admin_sends_and_reports_progress(
    editor_client, make_issue, add_subscribers, django_capture_on_commit_callbacks
):
    issue = make_issue()
    add_subscribers(issue.mailing_list, 12)

    with django_capture_on_commit_callbacks(execute=True):
        response = confirm_sending(editor_client, issue)
    progress = editor_client.get(f"/admin/newsletters/issue/{issue.pk}/progress/").json()
    page = editor_client.get(f"/admin/newsletters/issue/{issue.pk}/change/")

    assert response.status_code == 302
    assert len(mail.outbox) == 12
    assert (progress["status"], progress["sent"], progress["total"]) == ("sent", 12, 12)
    assert progress["percent"] == 100.0
    assert 'class="issue-progress"' in page.content.decode()
    assert "issue_progress.js" in page.content.decode()


def test_sending_twice_from_the_admin_sends_once(
    editor_client, make_issue, add_subscribers, django_capture_on_commit_callbacks
):
    issue = make_issue()
    add_subscribers(issue.mailing_list, 3)

    confirmation = editor_client.get(f"/admin/newsletters/issue/{issue.pk}/send/").context["fields"]
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(f"/admin/newsletters/issue/{issue.pk}/send/", confirmation)
        second = editor_client.post(f"/admin/newsletters/issue/{issue.pk}/send/", confirmation, follow=True)

    assert len(mail.outbox) == 3
    assert "can no longer change" in second.content.decode()


def test_send_now_first_shows_the_list_its_size_and_the_subject(editor_client, make_issue, add_subscribers):
    issue = make_issue(subject="Morning briefing: Idlib")
    add_subscribers(issue.mailing_list, 7)
    add_subscribers(issue.mailing_list, 2, prefix="gone", status="unsubscribed")

    page = editor_client.get(f"/admin/newsletters/issue/{issue.pk}/send/")

    html = page.content.decode()
    assert page.status_code == 200
    assert issue.mailing_list.name in html and "7 active subscribers" in html and "Morning briefing: Idlib" in html
    assert "Send now to 7 subscribers" in html
    assert not mail.outbox and Issue.objects.get(pk=issue.pk).status == Issue.Status.DRAFT


def test_a_send_that_was_not_confirmed_sends_nothing(
    editor_client, make_issue, add_subscribers, django_capture_on_commit_callbacks
):
    issue = make_issue()
    add_subscribers(issue.mailing_list, 3)

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(f"/admin/newsletters/issue/{issue.pk}/send/")
        forged = editor_client.post(f"/admin/newsletters/issue/{issue.pk}/send/", {"confirmed": "yes"})

    assert response.status_code == forged.status_code == 302
    assert response["Location"] == f"/admin/newsletters/issue/{issue.pk}/send/"
    assert not mail.outbox and Issue.objects.get(pk=issue.pk).status == Issue.Status.DRAFT


def test_a_confirmation_goes_stale_when_the_subject_changes(
    editor_client, make_issue, add_subscribers, django_capture_on_commit_callbacks
):
    issue = make_issue(subject="Morning")
    add_subscribers(issue.mailing_list, 3)
    confirmation = editor_client.get(f"/admin/newsletters/issue/{issue.pk}/send/").context["fields"]
    Issue.objects.filter(pk=issue.pk).update(subject="Evening")

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(f"/admin/newsletters/issue/{issue.pk}/send/", confirmation, follow=True)

    assert "The issue changed since that page was shown" in response.content.decode()
    assert "Evening" in response.content.decode()
    assert not mail.outbox and Issue.objects.get(pk=issue.pk).status == Issue.Status.DRAFT


def test_scheduling_from_the_admin(editor_client, settings, make_issue):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": []}}
    issue = make_issue()
    when = timezone.localtime() + timedelta(days=1)

    response = editor_client.post(
        f"/admin/newsletters/issue/{issue.pk}/schedule/", {"scheduled_at": when.strftime("%Y-%m-%dT%H:%M")}
    )

    issue.refresh_from_db()
    assert response.status_code == 302
    assert issue.status == Issue.Status.SCHEDULED
    assert abs((issue.scheduled_at - when).total_seconds()) < 60


@pytest.mark.parametrize("value", ["", "tomorrow", "2020-01-01T06:00"])
def test_a_bad_schedule_time_is_refused_with_a_message(editor_client, settings, make_issue, value):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": []}}
    issue = make_issue()

    response = editor_client.post(
        f"/admin/newsletters/issue/{issue.pk}/schedule/", {"scheduled_at": value}, follow=True
    )

    assert response.status_code == 200
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.DRAFT
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_a_sent_issue_is_read_only(editor_client, make_issue):
    issue = make_issue()
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENT)

    response = editor_client.post(
        f"/admin/newsletters/issue/{issue.pk}/change/", {"subject": "Changed afterwards", "mailing_list": 1}
    )

    assert response.status_code == 403
    assert Issue.objects.get(pk=issue.pk).subject == "Your morning briefing"


def test_someone_without_the_send_permission_cannot_send(client, make_user, role, make_issue, add_subscribers):
    reporter = make_user(is_staff=True)
    reporter.groups.add(role("Reporter"))
    client.force_login(reporter)
    issue = make_issue()
    add_subscribers(issue.mailing_list, 2)

    assert client.post(f"/admin/newsletters/issue/{issue.pk}/send/").status_code == 403
    assert client.get(f"/admin/newsletters/issue/{issue.pk}/progress/").status_code == 403
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.DRAFT


def test_the_newsletter_manager_may_send(client, make_user, role, make_issue):
    manager = make_user(is_staff=True)
    manager.groups.add(role(NEWSLETTER_MANAGER))

    assert manager.has_perm("newsletters.send_issue")
    assert manager.has_perm("newsletters.add_issue")


def test_a_breaking_alert_from_the_article_page(
    editor_client, make_article, make_mailing_list, add_subscribers, django_capture_on_commit_callbacks
):
    alerts = make_mailing_list(name="WMD alerts", slug="wmd-alerts")
    make_mailing_list(name="Daily briefing", slug="daily-briefing")
    add_subscribers(alerts, 4)
    article = make_article(headline="Cease-fire breaks down", dek="Shelling resumed at dawn.")
    alert_url = f"/admin/newsletters/issue/alert/{article.pk}/"

    article_page = editor_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    form = editor_client.get(alert_url)
    with django_capture_on_commit_callbacks(execute=True):
        confirmation = editor_client.post(
            alert_url, {"mailing_list": alerts.pk, "subject": "Breaking: Cease-fire breaks down"}
        )
    asked = confirmation.content.decode()
    nothing_yet = (Issue.objects.count(), len(mail.outbox))
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(alert_url, confirmation.context["fields"])

    assert f"/admin/newsletters/issue/alert/{article.pk}/" in article_page
    assert form.status_code == 200
    assert form.context["form"].initial["mailing_list"] == alerts.pk
    assert confirmation.status_code == 200
    assert "WMD alerts" in asked and "4 active subscribers" in asked and "Breaking: Cease-fire breaks down" in asked
    assert nothing_yet == (0, 0)
    issue = Issue.objects.get()
    assert response.status_code == 302
    assert (issue.kind, issue.status, issue.article_ids()) == (Issue.Kind.ALERT, Issue.Status.SENT, [article.pk])
    assert len(mail.outbox) == 4
    assert "BREAKING NEWS" in mail.outbox[0].body


def test_the_breaking_alert_link_is_only_for_live_articles_and_those_who_may_send(
    client, make_user, role, make_article, make_editor
):
    live, draft = make_article(), make_article(status=Article.Status.DRAFT, published_at=None)
    editor, reporter = make_editor(), make_user(is_staff=True)
    reporter.groups.add(role("Reporter"))

    def link_on(user, article):
        client.force_login(user)
        return (
            f"/admin/newsletters/issue/alert/{article.pk}/"
            in client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
        )

    assert link_on(editor, live)
    assert not link_on(editor, draft)
    assert not link_on(reporter, live)


def test_confirming_an_alert_twice_sends_it_once(
    editor_client, make_article, make_mailing_list, add_subscribers, django_capture_on_commit_callbacks
):
    alerts = make_mailing_list(name="WMD alerts", slug="wmd-alerts")
    add_subscribers(alerts, 3)
    article = make_article(headline="Cease-fire breaks down")
    alert_url = f"/admin/newsletters/issue/alert/{article.pk}/"
    fields = editor_client.post(alert_url, {"mailing_list": alerts.pk, "subject": "Breaking"}).context["fields"]

    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(alert_url, fields)
        again = editor_client.post(alert_url, fields, follow=True)

    assert Issue.objects.count() == 1 and len(mail.outbox) == 3
    assert "confirmed already; nothing more was sent" in again.content.decode()


def test_an_alert_whose_subject_was_changed_after_the_confirmation_page_is_asked_again(
    editor_client, make_article, make_mailing_list, add_subscribers
):
    alerts = make_mailing_list(name="WMD alerts", slug="wmd-alerts")
    add_subscribers(alerts, 3)
    article = make_article(headline="Cease-fire breaks down")
    alert_url = f"/admin/newsletters/issue/alert/{article.pk}/"
    fields = editor_client.post(alert_url, {"mailing_list": alerts.pk, "subject": "Breaking"}).context["fields"]

    response = editor_client.post(alert_url, {**fields, "subject": "Breaking: something else"})

    assert response.status_code == 200 and "Breaking: something else" in response.content.decode()
    assert not Issue.objects.exists() and not mail.outbox


def test_no_alert_for_an_unpublished_article(editor_client, make_article):
    draft = make_article(status=Article.Status.DRAFT)

    assert editor_client.get(f"/admin/newsletters/issue/alert/{draft.pk}/").status_code == 404
    assert "breaking alert" not in editor_client.get(f"/admin/articles/article/{draft.pk}/change/").content.decode()


def test_the_article_picker_offers_only_live_articles(editor_client, make_article):
    make_article(headline="Live Idlib story")
    make_article(headline="Draft Idlib story", status=Article.Status.DRAFT)
    make_article(headline="Embargoed Idlib story", published_at=timezone.now() + timedelta(hours=1))

    response = editor_client.get(
        "/admin/autocomplete/",
        {"term": "Idlib", "app_label": "newsletters", "model_name": "issuearticle", "field_name": "article"},
    )

    assert [result["text"] for result in response.json()["results"]] == ["Live Idlib story"]


def test_an_outage_of_the_mail_server_shows_in_the_admin(admin_client):
    MailServer.report_failure("connection: ConnectionRefusedError", now=timezone.now(), backoff=lambda n: 5)

    page = admin_client.get("/admin/newsletters/mailserver/").content.decode()

    assert "down since" in page and "ConnectionRefusedError" in page


def test_a_newsletter_manager_chooses_articles_for_a_digest(client, make_user, role, make_article):
    manager = make_user(is_staff=True)
    manager.groups.add(role(NEWSLETTER_MANAGER))
    client.force_login(manager)
    make_article(headline="Live Idlib story")
    make_article(headline="Draft Idlib story", status=Article.Status.DRAFT)
    make_article(headline="Embargoed Idlib story", published_at=timezone.now() + timedelta(hours=1))
    picker = {"term": "Idlib", "app_label": "newsletters", "model_name": "issuearticle", "field_name": "article"}

    response = client.get("/admin/autocomplete/", picker)

    assert client.get("/admin/newsletters/issue/add/").status_code == 200
    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == ["Live Idlib story"]
    # Choosing for a digest opens nothing else: the article list and other pickers stay closed to them.
    assert client.get("/admin/articles/article/").status_code == 403
    other_picker = {"term": "", "app_label": "articles", "model_name": "article", "field_name": "category"}
    assert client.get("/admin/autocomplete/", other_picker).status_code == 403


def test_someone_who_may_not_compose_issues_cannot_search_articles_through_the_picker(client, make_user, make_article):
    make_article(headline="Live Idlib story")
    client.force_login(make_user(is_staff=True))
    picker = {"term": "Idlib", "app_label": "newsletters", "model_name": "issuearticle", "field_name": "article"}

    assert client.get("/admin/autocomplete/", picker).status_code == 403
