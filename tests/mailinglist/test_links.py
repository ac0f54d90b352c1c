"""Confirm, unsubscribe and preferences links: what each accepts, and what forged or old ones get."""

import json
from types import SimpleNamespace

import pytest
from django.core import mail, signing
from django.test import Client

from mailinglist import emails, services, tokens
from mailinglist.consent import Consent
from mailinglist.models import ConsentEvent, Subscriber, Suppression
from tests.mailinglist.conftest import links_in, path_of

pytestmark = pytest.mark.django_db

ONE_CLICK = {"data": "List-Unsubscribe=One-Click", "content_type": "application/x-www-form-urlencoded"}


@pytest.fixture
def daily(make_mailing_list):
    return make_mailing_list(name="Daily briefing", slug="daily-briefing", default_checked=True)


@pytest.fixture
def alerts(make_mailing_list):
    return make_mailing_list(name="WMD alerts", slug="wmd-alerts")


def confirm_path(subscriber, lists):
    return f"/newsletter/confirm/{tokens.make_token(subscriber, tokens.CONFIRM, [m.pk for m in lists])}/"


def unsubscribe_path(subscriber, mailing_list=None):
    token = tokens.make_token(subscriber, tokens.UNSUBSCRIBE, getattr(mailing_list, "pk", None))
    return f"/newsletter/unsubscribe/{token}/"


def preferences_path(subscriber):
    return f"/newsletter/preferences/{tokens.make_token(subscriber, tokens.PREFERENCES)}/"


def test_a_confirmation_link_works_once(client, daily, make_subscriber):
    subscriber = make_subscriber()
    path = confirm_path(subscriber, [daily])
    assert client.post(path).status_code == 200
    again = client.post(path)
    assert again.status_code == 410
    assert "This link no longer works" in again.content.decode()
    assert client.get(path).status_code == 410
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE
    assert subscriber.subscriptions.count() == 1
    assert subscriber.consent_events.filter(kind=ConsentEvent.Kind.CONFIRMED).count() == 1


def test_an_old_confirmation_link_never_overrides_a_later_unsubscribe(client, daily, make_subscriber):
    subscriber = make_subscriber(email="changed-mind@example.com")
    services.sign_up(email=subscriber.email, list_ids=[daily.pk], consent=Consent(source="/"))
    [message] = mail.outbox
    path = path_of(next(url for url in links_in(message.body) if "/newsletter/confirm/" in url))
    assert client.post(path).status_code == 200
    client.post(unsubscribe_path(subscriber), **ONE_CLICK)

    for answer in (client.get(path), client.post(path)):
        assert answer.status_code == 410
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert not subscriber.subscriptions.exists()


def test_an_unused_confirmation_link_dies_with_an_unsubscribe(client, daily, make_subscriber):
    """The confirmation email carries an unsubscribe link too; following that first spends the confirm link."""
    subscriber = make_subscriber(email="never-mind@example.com")
    services.sign_up(email=subscriber.email, list_ids=[daily.pk], consent=Consent(source="/"))
    [message] = mail.outbox
    links = links_in(message.body)
    confirm = path_of(next(url for url in links if "/newsletter/confirm/" in url))
    client.post(path_of(next(url for url in links if "/newsletter/unsubscribe/" in url)), **ONE_CLICK)
    assert client.post(confirm).status_code == 410
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_a_new_signup_after_leaving_gets_a_link_that_works(client, daily, make_subscriber, settings):
    settings.MAILINGLIST_NOTICE_INTERVAL = 0
    subscriber = make_subscriber(email="back-again@example.com")
    services.sign_up(email=subscriber.email, list_ids=[daily.pk], consent=Consent(source="/"))
    client.post(path_of(next(u for u in links_in(mail.outbox[0].body) if "/confirm/" in u)))
    client.post(unsubscribe_path(subscriber), **ONE_CLICK)
    services.sign_up(email=subscriber.email, list_ids=[daily.pk], consent=Consent(source="/"))
    fresh = path_of(next(u for u in links_in(mail.outbox[1].body) if "/confirm/" in u))
    assert client.post(fresh).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE


def test_a_complaint_is_never_undone_by_an_old_confirmation_link(client, daily, make_subscriber):
    subscriber = make_subscriber()
    path = confirm_path(subscriber, [daily])
    subscriber.mark_complained()
    assert client.post(path).status_code == 410
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.COMPLAINED


def test_confirm_page_needs_csrf_for_the_post(daily, make_subscriber):
    subscriber = make_subscriber()
    assert Client(enforce_csrf_checks=True).post(confirm_path(subscriber, [daily])).status_code == 403
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING


def test_expired_confirm_link_offers_a_new_email(client, daily, make_subscriber, settings, time_machine):
    time_machine.move_to("2026-01-01 12:00Z", tick=False)
    subscriber = make_subscriber(email="late@example.com")
    path = confirm_path(subscriber, [daily])
    time_machine.move_to("2026-01-09 12:00Z", tick=False)
    page = client.get(path)
    assert page.status_code == 410
    assert "This link has expired" in page.content.decode()
    assert client.post(path).status_code == 410
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING

    resent = client.post(path, {"action": "resend"})
    assert resent.status_code == 200
    assert "Check your inbox" in resent.content.decode()
    [message] = mail.outbox
    assert message.to == ["late@example.com"]
    assert "/newsletter/confirm/" in message.body
    client.post(path, {"action": "resend"})
    assert len(mail.outbox) == 1, "still one email an hour"


@pytest.mark.parametrize(
    "token",
    ["nonsense", "WzEsImFiYyIsbnVsbF0:1xWRnb:forgedsignatureforgedsignatureforgedsig", "%00", "a" * 300],
)
@pytest.mark.parametrize("page", ["confirm", "unsubscribe", "preferences"])
def test_forged_links_get_a_clear_400_page(client, make_subscriber, page, token):
    make_subscriber()
    for response in [
        client.get(f"/newsletter/{page}/{token}/"),
        client.post(f"/newsletter/{page}/{token}/", **ONE_CLICK),
    ]:
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
        assert 'href="/newsletter/"' in response.content.decode()
    assert ConsentEvent.objects.count() == 0


def test_a_token_works_only_for_its_purpose(client, daily, make_subscriber):
    subscriber = make_subscriber(lists=[daily])
    confirm_token = tokens.make_token(subscriber, tokens.CONFIRM, [daily.pk])
    assert client.post(f"/newsletter/unsubscribe/{confirm_token}/", **ONE_CLICK).status_code == 400
    assert client.get(f"/newsletter/preferences/{confirm_token}/").status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE


def test_a_token_cannot_be_moved_to_another_subscriber(client, daily, make_subscriber):
    victim = make_subscriber(lists=[daily])
    attacker = make_subscriber(lists=[daily])
    _, timestamp, signature = tokens.make_token(attacker, tokens.UNSUBSCRIBE).rsplit(":", 2)
    payload = signing.b64_encode(json.dumps([victim.pk, attacker.token_key, None]).encode()).decode()
    assert client.post(f"/newsletter/unsubscribe/{payload}:{timestamp}:{signature}/", **ONE_CLICK).status_code == 400
    # Even a correctly signed token needs the victim's own key, which never leaves the database.
    guessed = tokens.make_token(SimpleNamespace(pk=victim.pk, token_key="guessed"), tokens.UNSUBSCRIBE)
    assert client.post(f"/newsletter/unsubscribe/{guessed}/", **ONE_CLICK).status_code == 400
    victim.refresh_from_db()
    assert victim.status == Subscriber.Status.ACTIVE


def test_replacing_the_key_revokes_old_links(client, daily, make_subscriber):
    subscriber = make_subscriber(lists=[daily])
    path = preferences_path(subscriber)
    subscriber.token_key = "fresh-key"
    subscriber.save()
    assert client.get(path).status_code == 400


def test_unsubscribe_get_changes_nothing(client, daily, make_subscriber):
    subscriber = make_subscriber(lists=[daily])
    page = client.get(unsubscribe_path(subscriber, daily))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Unsubscribe from Daily briefing" in html
    assert page["Referrer-Policy"] == "same-origin"
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE
    assert not ConsentEvent.objects.exists()


def test_a_forwarded_unsubscribe_link_leads_to_no_personal_data(client, daily, make_subscriber):
    """The unsubscribe link never expires and sits in every email's headers: neither its page nor the page after
    unsubscribing links to preferences (data download, erasure); they offer to email a fresh link instead."""
    subscriber = make_subscriber(email="forwarded@example.com", lists=[daily])
    path = unsubscribe_path(subscriber, daily)
    before = client.get(path).content.decode()
    after = client.post(path, {"List-Unsubscribe": "One-Click", "via": "page"}).content.decode()
    for html in (before, after):
        assert "/newsletter/preferences/" not in html
        assert "Email me a link to my preferences" in html
    assert not mail.outbox


def test_unsubscribe_page_emails_a_preferences_link_to_the_address(client, daily, make_subscriber):
    subscriber = make_subscriber(email="owner@example.com", lists=[daily])
    answer = client.post(unsubscribe_path(subscriber, daily), {"action": "email_preferences"})
    assert answer.status_code == 200
    assert "/newsletter/preferences/" not in answer.content.decode()
    assert "Check your inbox" in answer.content.decode()
    [message] = mail.outbox
    assert message.to == ["owner@example.com"]
    fresh = next(url for url in links_in(message.body) if "/newsletter/preferences/" in url)
    assert client.get(path_of(fresh)).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE, "asking for a link unsubscribes nothing"
    client.post(unsubscribe_path(subscriber, daily), {"action": "email_preferences"})
    assert len(mail.outbox) == 1, "still one email an hour"


def test_confirmation_pages_link_to_no_personal_data(client, daily, make_subscriber):
    subscriber = make_subscriber()
    path = confirm_path(subscriber, [daily])
    for html in (client.get(path).content.decode(), client.post(path).content.decode()):
        assert "/newsletter/preferences/" not in html


def test_one_click_for_one_list_leaves_the_others(daily, alerts, make_subscriber):
    subscriber = make_subscriber(lists=[daily, alerts])
    response = Client(enforce_csrf_checks=True).post(unsubscribe_path(subscriber, alerts), **ONE_CLICK)
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE
    assert list(subscriber.lists.values_list("slug", flat=True)) == ["daily-briefing"]
    event = subscriber.consent_events.get()
    assert (event.kind, event.lists) == (ConsentEvent.Kind.UNSUBSCRIBED, ["WMD alerts"])
    assert event.source == "one-click unsubscribe (List-Unsubscribe-Post)"


def test_one_click_from_the_last_list_leaves_the_mailing_list(daily, make_subscriber):
    subscriber = make_subscriber(lists=[daily])
    Client().post(unsubscribe_path(subscriber, daily), **ONE_CLICK)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None


def test_page_button_can_leave_everything(client, daily, alerts, make_subscriber):
    subscriber = make_subscriber(lists=[daily, alerts])
    response = client.post(
        unsubscribe_path(subscriber, daily), {"List-Unsubscribe": "One-Click", "via": "page", "scope": "all"}
    )
    assert response.status_code == 200
    assert "We will send no more newsletters" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert subscriber.consent_events.get().source == "unsubscribe page"


def test_one_click_also_accepts_multipart(daily, make_subscriber):
    subscriber = make_subscriber(lists=[daily])
    assert Client().post(unsubscribe_path(subscriber), {"List-Unsubscribe": "One-Click"}).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_post_without_the_one_click_body_changes_nothing(client, daily, make_subscriber):
    subscriber = make_subscriber(lists=[daily])
    response = client.post(unsubscribe_path(subscriber), {"something": "else"})
    assert response.status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE


def test_unsubscribe_links_do_not_expire(client, daily, make_subscriber, time_machine):
    time_machine.move_to("2020-01-01 00:00Z", tick=False)
    subscriber = make_subscriber(lists=[daily])
    path = unsubscribe_path(subscriber)
    time_machine.move_to("2026-01-01 00:00Z", tick=False)
    assert client.post(path, **ONE_CLICK).status_code == 200


def test_pending_subscriber_can_refuse_from_the_confirmation_email(client, daily, make_subscriber):
    subscriber = make_subscriber()
    client.post(unsubscribe_path(subscriber), **ONE_CLICK)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_headers_helper(settings, daily, make_subscriber):
    settings.SITE_URL = "https://news.example.com"
    subscriber = make_subscriber(lists=[daily])
    headers = emails.list_unsubscribe_headers(subscriber, mailing_list=daily)
    url = headers["List-Unsubscribe"][1:-1]
    assert headers["List-Unsubscribe"] == f"<{url}>"
    assert url.startswith("https://news.example.com/newsletter/unsubscribe/")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Id"] == "Daily briefing <daily-briefing.news.example.com>"
    link = tokens.read_token(url.rsplit("/", 2)[1], tokens.UNSUBSCRIBE)
    assert (link.subscriber, link.extra) == (subscriber, daily.pk)


# Preferences


def test_preferences_change_lists_and_name(client, daily, alerts, make_subscriber):
    subscriber = make_subscriber(lists=[daily])
    path = preferences_path(subscriber)
    page = client.get(path)
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"
    response = client.post(path, {"action": "save", "lists": [alerts.pk], "name": "Rita"})
    assert response.status_code == 303
    assert "Saved" in client.get(path).content.decode()
    subscriber.refresh_from_db()
    assert subscriber.name == "Rita"
    assert list(subscriber.lists.values_list("slug", flat=True)) == ["wmd-alerts"]
    event = subscriber.consent_events.get()
    assert (event.kind, event.lists, event.source) == (
        ConsentEvent.Kind.PREFERENCES_CHANGED,
        ["WMD alerts"],
        "preferences page",
    )


def test_preferences_with_no_list_is_leaving(client, daily, make_subscriber):
    subscriber = make_subscriber(lists=[daily])
    client.post(preferences_path(subscriber), {"action": "save"})
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_preferences_can_bring_a_reader_back(client, daily, make_subscriber):
    subscriber = make_subscriber(status=Subscriber.Status.UNSUBSCRIBED)
    client.post(preferences_path(subscriber), {"action": "save", "lists": [daily.pk]})
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE


def test_preferences_unsubscribe_from_all(client, daily, alerts, make_subscriber):
    subscriber = make_subscriber(lists=[daily, alerts])
    assert client.post(preferences_path(subscriber), {"action": "unsubscribe"}).status_code == 303
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert not subscriber.lists.exists()


def test_preferences_refuse_a_private_list_the_reader_is_not_on(client, daily, make_mailing_list, make_subscriber):
    private = make_mailing_list(name="Staff only", is_public=False)
    subscriber = make_subscriber(lists=[daily])
    response = client.post(preferences_path(subscriber), {"action": "save", "lists": [private.pk]})
    assert response.status_code == 400
    assert list(subscriber.lists.all()) == [daily]


def test_unknown_preferences_action_is_refused(client, daily, make_subscriber):
    subscriber = make_subscriber(lists=[daily])
    assert client.post(preferences_path(subscriber), {"action": "explode"}).status_code == 400


def test_download_my_data(client, daily, make_subscriber):
    subscriber = make_subscriber(email="me@example.com", name="Me", lists=[daily])
    subscriber.record(ConsentEvent.Kind.SIGNED_UP, Consent(source="/"))
    response = client.post(preferences_path(subscriber), {"action": "download"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["email"] == "me@example.com"
    assert data["lists"][0]["name"] == "Daily briefing"
    assert data["consent_record"][0]["event"] == "Signed up"


def test_expired_preferences_link_offers_a_fresh_one(client, daily, make_subscriber, time_machine):
    time_machine.move_to("2025-01-01 00:00Z", tick=False)
    subscriber = make_subscriber(email="old@example.com", lists=[daily])
    path = preferences_path(subscriber)
    time_machine.move_to("2026-01-01 00:00Z", tick=False)
    assert client.get(path).status_code == 410
    assert client.post(path, {"action": "resend"}).status_code == 200
    [message] = mail.outbox
    assert message.subject == "Your Newsroom newsletter preferences"
    fresh = next(line for line in message.body.splitlines() if "/newsletter/preferences/" in line)
    assert client.get("/" + fresh.split("/", 3)[3]).status_code == 200


# Erasure


def test_erase_needs_the_confirmation_box(client, daily, make_subscriber):
    subscriber = make_subscriber(lists=[daily])
    response = client.post(preferences_path(subscriber), {"action": "erase"})
    assert response.status_code == 400
    assert "Tick the box" in response.content.decode()
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()


def test_erase_deletes_personal_data_and_keeps_a_suppression_entry(client, daily, make_subscriber):
    subscriber = make_subscriber(email="forget.me@example.com", name="Forget Me", lists=[daily])
    subscriber.record(ConsentEvent.Kind.SIGNED_UP, Consent(source="/", ip_address="203.0.113.5", user_agent="UA"))
    path = preferences_path(subscriber)
    unsubscribe = unsubscribe_path(subscriber)
    response = client.post(path, {"action": "erase", "confirm_erase": "yes"})
    assert response.status_code == 200
    assert "Your data is erased" in response.content.decode()

    assert not Subscriber.objects.exists()
    assert list(ConsentEvent.objects.values_list("kind", "subscriber", "ip_address", "user_agent")) == [
        (ConsentEvent.Kind.ERASED, None, None, "")
    ]
    assert Suppression.objects.covering("Forget.Me@example.com").exists()
    stored = json.dumps(list(Suppression.objects.values()), default=str) + json.dumps(
        list(ConsentEvent.objects.values()), default=str
    )
    assert "forget" not in stored.lower() and "203.0.113.5" not in stored
    assert client.get(path).status_code == 400
    assert client.post(unsubscribe, **ONE_CLICK).status_code == 400


def test_signing_up_again_after_erasure_lifts_the_suppression_only_on_confirmation(
    client, daily, make_subscriber, signup_data
):
    services.erase(subscriber=make_subscriber(email="back@example.com", lists=[daily]), consent=Consent(source="t"))
    client.post("/newsletter/", signup_data(email="back@example.com"))
    assert Suppression.objects.covering("back@example.com").exists()
    subscriber = Subscriber.objects.get()
    client.post(confirm_path(subscriber, [daily]))
    assert not Suppression.objects.covering("back@example.com").exists()
    assert ConsentEvent.objects.filter(kind=ConsentEvent.Kind.ERASED).count() == 1


@pytest.mark.parametrize("kind", ["confirm", "unsubscribe", "preferences"])
def test_head_on_a_subscriber_link_is_answered_like_get(client, kind):
    """Issue 16 item 7: link checkers and mail scanners send HEAD; it answered 405."""
    get, head = client.get(f"/newsletter/{kind}/not-a-token/"), client.head(f"/newsletter/{kind}/not-a-token/")
    assert head.status_code == get.status_code != 405
    assert head.content == b""
