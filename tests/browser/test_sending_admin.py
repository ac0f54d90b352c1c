"""The editor's view of sending: the issue page's progress bar follows the send, and the preview looks right in
light and dark mode."""

import pytest

from newsletters import sending
from newsletters.models import Issue
from tests.browser.conftest import ARTIFACTS
from tests.conftest import _role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def editor_page(page, live_server, settings, make_user):
    settings.DEBUG = False
    settings.SITE_URL = live_server.url  # so the preview's images load from the test server
    user = make_user(username="edna", email="edna@news.example.com", is_staff=True, password="a long enough password")
    user.groups.add(_role("Editor"))
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("edna")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/admin/")
    return page


@pytest.fixture
def briefing(make_article, make_image):
    from mailinglist.models import MailingList, Subscriber, Subscription

    daily = MailingList.objects.create(name="Daily briefing", slug="daily-briefing")
    readers = [Subscriber.objects.create(email=f"r{n}@example.com", status="active") for n in range(60)]
    Subscription.objects.bulk_create([Subscription(subscriber=reader, mailing_list=daily) for reader in readers])
    issue = Issue.objects.create(
        mailing_list=daily, subject="Morning briefing: Idlib", preheader="Cease-fire breaks down", intro="Good morning."
    )
    issue.set_articles(
        [
            make_article(
                headline="Civilian killings mount in Idlib as cease-fire breaks down",
                dek="The UN says civilians are again paying the price.",
                lead_image=make_image(),
            ),
            make_article(headline="Talks resume in Geneva", dek="Delegations meet for a third round."),
        ]
    )
    return issue


def test_the_progress_bar_follows_the_send(editor_page, live_server, briefing, screenshot):
    page = editor_page
    sending.start(briefing)
    sending.send_batch(briefing, size=15)
    page.goto(f"{live_server.url}/admin/newsletters/issue/{briefing.pk}/change/")
    assert page.locator(".issue-progress progress").get_attribute("value") == "25.0"
    assert page.locator("[data-field=sent]").inner_text() == "15"
    assert page.get_by_role("button", name="Cancel sending").is_visible()
    screenshot("sending-admin-progress-quarter")

    sending.drain(briefing, size=15)

    page.wait_for_function("() => document.querySelector('.issue-progress progress').value === 100")
    assert page.locator("[data-field=sent]").inner_text() == "60"
    assert page.locator("[data-field=status_label]").inner_text() == "Sent"
    # Nothing is left to cancel: the button goes without a reload.
    assert page.get_by_role("button", name="Cancel sending").count() == 0
    screenshot("sending-admin-progress-done")
    assert Issue.objects.get(pk=briefing.pk).status == Issue.Status.SENT


def test_the_editor_previews_tests_and_sends_from_the_issue_page(editor_page, live_server, briefing, screenshot):
    from django.core import mail

    page = editor_page
    page.goto(f"{live_server.url}/admin/newsletters/issue/{briefing.pk}/change/")
    screenshot("sending-admin-draft")

    with page.expect_popup() as popup:
        page.get_by_role("link", name="Preview", exact=True).click()
    preview = popup.value
    preview.wait_for_load_state()
    assert "Civilian killings mount in Idlib" in preview.content()
    preview.set_viewport_size({"width": 700, "height": 900})
    ARTIFACTS.mkdir(exist_ok=True)
    preview.screenshot(path=str(ARTIFACTS / "sending-preview-light.png"), full_page=True)
    preview.emulate_media(color_scheme="dark")
    preview.screenshot(path=str(ARTIFACTS / "sending-preview-dark.png"), full_page=True)

    page.get_by_role("button", name="Send a test to me").click()
    page.get_by_text("A test copy went to edna@news.example.com").wait_for()
    assert [message.to for message in mail.outbox] == [["edna@news.example.com"]]


def test_the_editor_sends_a_breaking_alert_from_the_article_page(editor_page, live_server, make_article, screenshot):
    from django.core import mail

    from mailinglist.models import MailingList, Subscriber, Subscription

    alerts = MailingList.objects.create(name="WMD alerts", slug="wmd-alerts")
    for n in range(5):
        Subscription.objects.create(
            subscriber=Subscriber.objects.create(email=f"alert{n}@example.com", status="active"), mailing_list=alerts
        )
    article = make_article(headline="Cease-fire breaks down in Idlib", dek="Shelling resumed at dawn.")
    page = editor_page
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")

    page.get_by_role("link", name="Send as breaking alert").click()
    assert page.get_by_label("Send to").input_value() == str(alerts.pk)
    assert page.get_by_label("Subject").input_value() == "Breaking: Cease-fire breaks down in Idlib"
    screenshot("sending-alert-form")
    page.get_by_label("Subject").fill("Breaking: Idlib cease-fire collapses")
    page.get_by_role("button", name="Send the alert now").click()

    # The confirmation page: the list, how many it reaches and the subject; nothing has gone out yet.
    page.get_by_role("heading", name="Send this to the whole list?").wait_for()
    assert page.locator("[data-fact=list]").inner_text() == "WMD alerts"
    assert page.locator("[data-fact=recipients]").inner_text() == "5 active subscribers"
    assert page.locator("[data-fact=subject]").inner_text() == "Breaking: Idlib cease-fire collapses"
    screenshot("sending-alert-confirm")
    assert not Issue.objects.exists() and not mail.outbox
    page.get_by_role("button", name="Change the list or subject").click()
    assert page.get_by_label("Subject").input_value() == "Breaking: Idlib cease-fire collapses"
    page.get_by_role("button", name="Send the alert now").click()
    page.get_by_role("button", name="Send the alert to 5 subscribers").click()

    page.get_by_text("Sending the alert to WMD alerts.").wait_for()
    page.wait_for_function("() => document.querySelector('.issue-progress progress').value === 100")
    screenshot("sending-alert-sent")
    issue = Issue.objects.get(kind=Issue.Kind.ALERT)
    assert issue.status == Issue.Status.SENT
    assert sorted(message.to[0] for message in mail.outbox) == [f"alert{n}@example.com" for n in range(5)]


def test_send_now_asks_for_confirmation_first(editor_page, live_server, briefing, screenshot):
    from django.core import mail

    page = editor_page
    page.goto(f"{live_server.url}/admin/newsletters/issue/{briefing.pk}/change/")
    page.get_by_role("button", name="Send now").click()

    page.get_by_role("heading", name="Send this to the whole list?").wait_for()
    assert page.locator("[data-fact=list]").inner_text() == "Daily briefing"
    assert page.locator("[data-fact=recipients]").inner_text() == "60 active subscribers"
    assert page.locator("[data-fact=subject]").inner_text() == "Morning briefing: Idlib"
    screenshot("sending-admin-confirm")
    page.get_by_role("link", name="Back to the issue").click()
    page.wait_for_url(f"{live_server.url}/admin/newsletters/issue/{briefing.pk}/change/")
    assert Issue.objects.get(pk=briefing.pk).status == Issue.Status.DRAFT and not mail.outbox

    page.get_by_role("button", name="Send now").click()
    page.get_by_role("button", name="Send now to 60 subscribers").click()
    page.get_by_text("Sending “Morning briefing: Idlib” to Daily briefing.").wait_for()
    page.wait_for_function("() => document.querySelector('.issue-progress progress').value === 100")
    assert Issue.objects.get(pk=briefing.pk).status == Issue.Status.SENT
    assert len(mail.outbox) == 60


def test_a_reader_browses_the_newsletter_archive(page, live_server, settings, briefing, screenshot):
    from django.utils import timezone

    settings.DEBUG = False
    Issue.objects.filter(pk=briefing.pk).update(status=Issue.Status.SENT, sent_at=timezone.now())

    page.goto(live_server.url + "/newsletter/archive/")
    screenshot("sending-archive")
    page.get_by_role("link", name="Morning briefing: Idlib").click()
    page.get_by_role("heading", name="Morning briefing: Idlib").wait_for()
    assert page.get_by_role("link", name="Talks resume in Geneva").is_visible()
    screenshot("sending-archive-issue")
