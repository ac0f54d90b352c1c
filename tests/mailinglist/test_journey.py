"""The whole subscriber journey through a real SMTP server: sign up, read the email, confirm, leave in one click."""

import pytest
from django.test import Client

from mailinglist.models import ConsentEvent, Subscriber
from tests.mailinglist.conftest import links_in, path_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(settings):
    settings.SITE_URL = "https://news.example.com"
    settings.SITE_NAME = "Newsroom"


def test_signup_confirm_and_one_click_unsubscribe_through_smtp(
    client, site, smtp_settings, make_mailing_list, signup_data
):
    daily = make_mailing_list(name="Daily briefing", slug="daily-briefing", default_checked=True)
    alerts = make_mailing_list(name="WMD alerts", slug="wmd-alerts")

    response = client.post(
        "/newsletter/",
        signup_data(email="  Reader@Example.COM ", lists=[daily.pk, alerts.pk], source="/category/wmd/"),
        HTTP_USER_AGENT="Journey/1.0",
    )
    assert response.status_code == 303
    assert "Check your inbox" in client.get(response["Location"]).content.decode()

    [message] = smtp_settings.inbox.messages
    [envelope] = smtp_settings.inbox.envelopes
    assert envelope.rcpt_tos == ["reader@example.com"]
    assert message["To"] == "reader@example.com"
    assert message["Subject"] == "Confirm your subscription to Newsroom"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Daily briefing, WMD alerts" in text
    confirm_url = next(url for url in links_in(text) if "/newsletter/confirm/" in url)
    assert confirm_url.startswith("https://news.example.com/newsletter/confirm/")
    assert confirm_url in html
    unsubscribe_url = next(url for url in links_in(text) if "/newsletter/unsubscribe/" in url)
    assert f'href="{unsubscribe_url}"' in html, "the HTML part has a visible unsubscribe link"

    # Long headers are folded before the "<"; unfolded, the value is exactly the one HTTPS link.
    assert message["List-Unsubscribe"].strip() == f"<{unsubscribe_url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    subscriber = Subscriber.objects.get()
    assert subscriber.email == "reader@example.com"
    assert subscriber.status == Subscriber.Status.PENDING
    signed_up = subscriber.consent_events.get()
    assert signed_up.kind == ConsentEvent.Kind.SIGNED_UP
    assert signed_up.ip_address == "127.0.0.1"
    assert signed_up.user_agent == "Journey/1.0"
    assert signed_up.source == "/category/wmd/"
    assert "unsubscribe" in signed_up.wording
    assert signed_up.lists == ["Daily briefing", "WMD alerts"]

    # A mail scanner following the link confirms nothing.
    page = client.get(path_of(confirm_url))
    assert page.status_code == 200
    assert b">Confirm</button>" in page.content
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING

    confirmed = client.post(path_of(confirm_url))
    assert confirmed.status_code == 200
    assert "You are subscribed" in confirmed.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE
    assert subscriber.confirmed_at is not None
    assert sorted(subscriber.lists.values_list("slug", flat=True)) == ["daily-briefing", "wmd-alerts"]
    assert subscriber.consent_events.filter(kind=ConsentEvent.Kind.CONFIRMED).count() == 1

    # The unsubscribe link opened in a browser changes nothing.
    assert client.get(path_of(unsubscribe_url)).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE

    # The mail provider's one-click POST: no cookies, no CSRF token, answered 200 without a redirect.
    provider = Client(enforce_csrf_checks=True)
    one_click = provider.post(
        path_of(unsubscribe_url), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert one_click.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert not subscriber.lists.exists()
    assert subscriber.consent_events.filter(kind=ConsentEvent.Kind.UNSUBSCRIBED).count() == 1

    again = provider.post(
        path_of(unsubscribe_url), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert again.status_code == 200
    assert subscriber.consent_events.filter(kind=ConsentEvent.Kind.UNSUBSCRIBED).count() == 1
    assert len(smtp_settings.inbox.envelopes) == 1
