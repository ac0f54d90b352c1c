"""Postmark's bounce and complaint webhooks, read by django-anymail and authenticated with HTTP basic auth as
anymail documents (the credentials are part of the webhook URL configured at Postmark)."""

import base64
import json

import pytest

from mailinglist.models import Subscriber
from newsletters import sending
from newsletters.models import Delivery

pytestmark = pytest.mark.django_db

URL = "/newsletter/webhooks/postmark/"


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": "postmark:s3cret-webhook-password"}


def basic_auth(credentials="postmark:s3cret-webhook-password"):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(credentials.encode()).decode()}


def bounce(email, *, kind="HardBounce", type_code=1, record_type="Bounce", metadata=None):
    """A Postmark bounce webhook body as Postmark documents it."""
    return {
        "RecordType": record_type,
        "MessageStream": "broadcast",
        "ID": 4323372036854775807,
        "Type": kind,
        "TypeCode": type_code,
        "Name": "Hard bounce" if kind == "HardBounce" else kind,
        "Tag": "newsletter",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Metadata": metadata or {},
        "ServerID": 23,
        "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": email,
        "From": "briefing@news.example.com",
        "BouncedAt": "2026-11-26T06:33:54.9070259Z",
        "DumpAvailable": False,
        "Inactive": True,
        "CanActivate": True,
        "Subject": "Your morning briefing",
    }


def complaint(email):
    return {
        "RecordType": "SpamComplaint",
        "MessageStream": "broadcast",
        "ID": 42,
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "Name": "Spam complaint",
        "MessageID": "00000000-0000-0000-0000-000000000000",
        "Metadata": {},
        "Description": "The subscriber explicitly marked this message as spam.",
        "Details": "Test spam complaint details",
        "Email": email,
        "From": "briefing@news.example.com",
        "BouncedAt": "2026-11-26T06:33:54Z",
        "Subject": "Your morning briefing",
    }


def post(client, payload, **headers):
    return client.post(URL, json.dumps(payload), content_type="application/json", **headers)


def test_a_hard_bounce_stops_all_further_mail_to_the_address(client, make_issue, make_subscriber, add_subscribers):
    issue = make_issue()
    reader = make_subscriber(email="Gone@Example.com".lower(), lists=[issue.mailing_list])
    add_subscribers(issue.mailing_list, 2)
    sending.start(issue)  # the reader's delivery is queued, not yet sent

    response = post(client, bounce("GONE@example.com"), **basic_auth())

    assert response.status_code == 200
    assert Subscriber.objects.get(pk=reader.pk).status == Subscriber.Status.BOUNCED
    assert Delivery.objects.get(issue=issue, subscriber=reader).status == Delivery.Status.SKIPPED
    later = make_issue(mailing_list=issue.mailing_list)
    sending.start(later)
    assert not later.deliveries.filter(subscriber=reader).exists()


def test_the_bounced_delivery_is_found_from_the_metadata_sent_with_it(client, make_issue, make_subscriber):
    issue = make_issue()
    reader = make_subscriber(email="gone@example.com", lists=[issue.mailing_list])
    sending.start(issue)
    delivery = Delivery.objects.get(issue=issue)
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SENT)

    post(client, bounce(reader.email, metadata={"issue": str(issue.pk), "delivery": str(delivery.pk)}), **basic_auth())

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.BOUNCED
    assert "postmark" in delivery.last_error.lower()


def test_the_provider_needs_no_csrf_token(make_subscriber, make_mailing_list):
    from django.test import Client

    reader = make_subscriber(email="gone@example.com", lists=[make_mailing_list()])

    response = post(Client(enforce_csrf_checks=True), bounce(reader.email), **basic_auth())

    assert response.status_code == 200
    assert Subscriber.objects.get(pk=reader.pk).status == Subscriber.Status.BOUNCED


def test_a_spam_complaint_marks_the_subscriber_complained(client, make_subscriber, make_mailing_list):
    reader = make_subscriber(email="angry@example.com", lists=[make_mailing_list()])

    response = post(client, complaint(reader.email), **basic_auth())

    assert response.status_code == 200
    assert Subscriber.objects.get(pk=reader.pk).status == Subscriber.Status.COMPLAINED


def test_a_soft_bounce_changes_nothing(client, make_subscriber, make_mailing_list):
    reader = make_subscriber(email="full@example.com", lists=[make_mailing_list()])

    response = post(client, bounce(reader.email, kind="SoftBounce", type_code=4096), **basic_auth())

    assert response.status_code == 200
    assert Subscriber.objects.get(pk=reader.pk).status == Subscriber.Status.ACTIVE


@pytest.mark.parametrize(
    "headers",
    [{}, basic_auth("postmark:wrong-password"), basic_auth("someone:s3cret-webhook-password")],
    ids=["no credentials", "wrong password", "wrong user"],
)
def test_an_unauthenticated_webhook_changes_nothing(client, make_subscriber, make_mailing_list, headers):
    reader = make_subscriber(email="victim@example.com", lists=[make_mailing_list()])

    response = post(client, bounce(reader.email), **headers)

    assert response.status_code == 400
    assert Subscriber.objects.get(pk=reader.pk).status == Subscriber.Status.ACTIVE


def test_without_a_configured_secret_the_webhook_is_off(client, settings, make_subscriber, make_mailing_list):
    settings.ANYMAIL = {}
    reader = make_subscriber(email="victim@example.com", lists=[make_mailing_list()])

    response = post(client, bounce(reader.email))

    assert response.status_code == 404
    assert Subscriber.objects.get(pk=reader.pk).status == Subscriber.Status.ACTIVE


def test_an_unknown_provider_or_address_is_harmless(client, make_subscriber):
    assert post(client, bounce("nobody@example.com"), **basic_auth()).status_code == 200
    assert client.post("/newsletter/webhooks/nosuch/", "{}", content_type="application/json").status_code == 404


def test_a_malformed_body_is_refused_without_an_error(client):
    response = client.post(URL, "not json", content_type="application/json", **basic_auth())

    assert response.status_code == 400
