import re
import time

import pytest
from django.core import mail

from mailinglist.models import ConsentEvent, Subscriber

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def daily(make_mailing_list):
    return make_mailing_list(name="Daily briefing", slug="daily-briefing", default_checked=True)


def _comparable(response) -> tuple:
    """A response with the per-request secrets (CSRF token, signed start time) and the clock (Expires) left out."""
    body = re.sub(r'value="[^"]*"', 'value=""', response.content.decode())
    headers = sorted(
        (name, value) for name, value in response.headers.items() if name not in {"Content-Length", "Expires"}
    )
    return response.status_code, headers, body


def test_footer_form_is_on_every_page(client, daily, make_article):
    article = make_article()
    for url in ["/", article.get_absolute_url(), f"/category/{article.category.slug}/"]:
        html = client.get(url).content.decode()
        assert "Join the mailing list" in html
        assert 'action="/newsletter/"' in html
        assert 'name="csrfmiddlewaretoken"' not in html, "one copy of the page for every reader: no token"
        assert f'value="{daily.pk}" checked' in html
        assert "js/mailinglist.js" in html
        assert "<script>" not in html, "no inline scripts: the Content-Security-Policy forbids them"


def test_footer_costs_one_query_whatever_the_lists(
    client, make_mailing_list, make_article, django_assert_max_num_queries
):
    article = make_article()
    make_mailing_list()
    with django_assert_max_num_queries(10) as few:
        client.get(article.get_absolute_url())
    for _ in range(5):
        make_mailing_list()
    with django_assert_max_num_queries(10) as many:
        client.get(article.get_absolute_url())
    assert len(few) == len(many)


def test_without_lists_there_is_no_footer_form(client, make_article):
    article = make_article()
    assert "Join the mailing list" not in client.get(article.get_absolute_url()).content.decode()


def test_signup_page_renders(client, daily):
    response = client.get("/newsletter/", {"from": "/category/wmd/"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in html and "Join the mailing list" in html
    assert 'href="/category/wmd/"' in html
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_signup_page_ignores_a_foreign_back_link(client, daily):
    html = client.get("/newsletter/", {"from": "https://evil.example/"}).content.decode()
    assert "evil.example" not in html


@pytest.mark.parametrize("accept", [{}, JSON])
def test_answer_is_identical_for_new_pending_active_and_unsubscribed_addresses(
    client, daily, make_subscriber, signup_data, accept, settings
):
    settings.MAILINGLIST_SIGNUPS_PER_IP = 100
    make_subscriber(email="pending@example.com")
    make_subscriber(email="active@example.com", lists=[daily])
    make_subscriber(email="gone@example.com", status=Subscriber.Status.UNSUBSCRIBED)
    make_subscriber(email="spam@example.com", status=Subscriber.Status.COMPLAINED)
    answers = []
    for address in [
        "new@example.com",
        "pending@example.com",
        "active@example.com",
        "gone@example.com",
        "spam@example.com",
    ]:
        response = client.post("/newsletter/", signup_data(email=address), **accept)
        followed = client.get(response["Location"]) if response.status_code == 303 else None
        answers.append((_comparable(response), _comparable(followed) if followed else None))
    assert all(answer == answers[0] for answer in answers)
    assert "Check your inbox" in (answers[0][1] or answers[0][0])[2]


def test_each_address_gets_the_email_that_fits_it(client, daily, make_subscriber, signup_data, settings):
    make_subscriber(email="active@example.com", lists=[daily])
    make_subscriber(email="spam@example.com", status=Subscriber.Status.COMPLAINED)
    for address in ["new@example.com", "active@example.com", "spam@example.com"]:
        client.post("/newsletter/", signup_data(email=address))
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects == {
        "new@example.com": "Confirm your subscription to Newsroom",
        "active@example.com": "You are already subscribed to Newsroom",
    }


@pytest.mark.parametrize("address", ["not-an-address", "reader@localhost", "reader@example", "a b@example.com"])
def test_invalid_address_is_refused_with_a_clear_message(client, daily, signup_data, address):
    response = client.post("/newsletter/", signup_data(email=address))
    assert response.status_code == 400
    assert "Enter a complete email address, like name@example.com." in response.content.decode()
    assert f'value="{address}"' in response.content.decode()
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_invalid_address_in_json(client, daily, signup_data):
    response = client.post("/newsletter/", signup_data(email="a@"), **JSON)
    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert "email" in response.json()["errors"]


def test_unknown_list_is_refused(client, daily, signup_data):
    response = client.post("/newsletter/", signup_data(lists=["99999"]))
    assert response.status_code == 400
    assert "no longer offered" in response.content.decode()


def test_honeypot_looks_like_success_but_does_nothing(client, daily, signup_data):
    response = client.post("/newsletter/", signup_data(homepage="http://spam.example"))
    assert response.status_code == 303
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_too_fast_is_asked_to_press_again(client, daily, signup_data):
    from mailinglist.forms import form_started_token

    response = client.post("/newsletter/", signup_data(started=form_started_token()))
    assert response.status_code == 400
    assert "press “Join” once more" in response.content.decode()
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize("started", ["", "forged", "MTIz:1x:abc"])
def test_missing_or_forged_start_time_counts_as_too_fast(client, daily, signup_data, started):
    response = client.post("/newsletter/", signup_data(started=started))
    assert response.status_code == 400
    assert not Subscriber.objects.exists()


def test_a_browser_with_no_cookie_can_sign_up(daily, signup_data, django_capture_on_commit_callbacks):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True, headers={"origin": "http://testserver", "sec-fetch-site": "same-origin"})
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post("/newsletter/", signup_data(email="reader@example.com"))
    assert response.status_code == 303
    assert Subscriber.objects.filter(email="reader@example.com").exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example"},
        {"origin": "null"},
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site", "origin": "https://news.testserver"},
        {"sec-fetch-site": "cross-site", "origin": "http://testserver"},
    ],
)
def test_a_post_from_another_site_is_refused(daily, signup_data, headers):
    from django.test import Client

    response = Client(enforce_csrf_checks=True, headers=headers).post("/newsletter/", signup_data())
    assert response.status_code == 403
    assert "came from another website" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_a_trusted_origin_may_post(daily, signup_data, settings):
    from django.test import Client

    settings.CSRF_TRUSTED_ORIGINS = ["https://www.example.com"]
    response = Client(headers={"origin": "https://www.example.com"}).post("/newsletter/", signup_data())
    assert response.status_code == 303


def test_double_submit_makes_one_subscriber_and_one_email(client, daily, signup_data):
    first = client.post("/newsletter/", signup_data(email="twice@example.com"))
    second = client.post("/newsletter/", signup_data(email="TWICE@example.com"))
    assert first.status_code == second.status_code == 303
    assert Subscriber.objects.count() == 1
    assert len(mail.outbox) == 1
    assert Subscriber.objects.get().consent_events.filter(kind=ConsentEvent.Kind.SIGNED_UP).count() == 2


def test_the_confirmation_email_says_it_was_sent_automatically(client, daily, signup_data):
    client.post("/newsletter/", signup_data(email="auto@example.com"))

    [message] = mail.outbox
    assert message.message()["Auto-Submitted"] == "auto-generated"  # no vacation replies to it (RFC 3834)


def test_a_hammered_address_gets_one_email_an_hour(client, daily, signup_data, settings, time_machine):
    settings.MAILINGLIST_SIGNUPS_PER_ADDRESS = 1000
    settings.MAILINGLIST_SIGNUPS_PER_IP = 1000
    time_machine.move_to("2026-01-05 09:00Z", tick=False)
    for _ in range(10):
        client.post("/newsletter/", signup_data(email="victim@example.com"))
    assert len(mail.outbox) == 1
    time_machine.move_to("2026-01-05 10:00:01Z", tick=False)
    client.post("/newsletter/", signup_data(email="victim@example.com"))
    assert len(mail.outbox) == 2


def test_per_address_limit_gives_a_friendly_429(client, daily, signup_data, settings):
    settings.MAILINGLIST_SIGNUPS_PER_ADDRESS = 3
    codes = [client.post("/newsletter/", signup_data(email="x@example.com")).status_code for _ in range(4)]
    assert codes == [303, 303, 303, 429]
    response = client.post("/newsletter/", signup_data(email="x@example.com"))
    assert "submitted several times in the last hour" in response.content.decode()
    assert response["Retry-After"] == str(settings.MAILINGLIST_RATE_WINDOW)
    assert client.post("/newsletter/", signup_data(email="other@example.com")).status_code == 303


def test_per_ip_limit_counts_every_attempt(client, daily, signup_data, settings):
    settings.MAILINGLIST_SIGNUPS_PER_IP = 3
    for n in range(3):
        assert client.post("/newsletter/", signup_data(email=f"r{n}@example.com")).status_code == 303
    blocked = client.post("/newsletter/", signup_data(email="r9@example.com"), **JSON)
    assert blocked.status_code == 429
    assert "signups from your network" in blocked.json()["message"]
    assert client.post("/newsletter/", signup_data(), REMOTE_ADDR="192.0.2.7").status_code == 303


def test_ipv6_neighbours_share_a_limit(client, daily, signup_data, settings):
    settings.MAILINGLIST_SIGNUPS_PER_IP = 2
    for host in ["2001:db8::1", "2001:db8::2"]:
        assert (
            client.post("/newsletter/", signup_data(email=f"{host[-1]}@example.com"), REMOTE_ADDR=host).status_code
            == 303
        )
    assert (
        client.post("/newsletter/", signup_data(email="z@example.com"), REMOTE_ADDR="2001:db8::ffff").status_code == 429
    )


def test_trusted_proxy_supplies_the_client_address(client, daily, signup_data, settings):
    settings.NEWSROOM_TRUSTED_PROXY_COUNT = 1
    client.post(
        "/newsletter/",
        signup_data(email="p@example.com"),
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9",
    )
    assert ConsentEvent.objects.get().ip_address == "198.51.100.9"


def test_json_answer_for_the_enhanced_form(client, daily, signup_data):
    response = client.post("/newsletter/", signup_data(), **JSON)
    assert response.status_code == 200
    assert response.json() == {"ok": True, "message": response.json()["message"]}
    assert response.json()["message"].startswith("Check your inbox")


def test_ticking_nothing_gives_the_default_lists(client, daily, make_mailing_list, signup_data):
    make_mailing_list(name="Other")
    client.post("/newsletter/", signup_data())
    assert "Daily briefing" in mail.outbox[0].body
    assert "Other" not in mail.outbox[0].body


def test_private_lists_cannot_be_joined_from_the_form(client, daily, make_mailing_list, signup_data):
    private = make_mailing_list(name="Staff only", is_public=False)
    response = client.post("/newsletter/", signup_data(lists=[private.pk]))
    assert response.status_code == 400
    assert mail.outbox == []


def test_no_public_list_means_no_signup(client, signup_data):
    response = client.post("/newsletter/", signup_data())
    assert response.status_code == 400
    assert not Subscriber.objects.exists()


def test_redirect_returns_to_the_page_the_reader_was_on(client, daily, signup_data):
    response = client.post("/newsletter/", signup_data(source="/2020/01/17/story/"))
    assert response["Location"] == "/newsletter/?from=%2F2020%2F01%2F17%2Fstory%2F"
    assert 'href="/2020/01/17/story/"' in client.get(response["Location"]).content.decode()


def test_failed_send_frees_the_hourly_slot(client, daily, signup_data, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    client.post("/newsletter/", signup_data(email="retry@example.com"))
    assert Subscriber.objects.get().last_notice_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.post("/newsletter/", signup_data(email="retry@example.com"))
    assert len(mail.outbox) == 1


# ---- Address rotation (issue 17 item 7)


def _started(seconds_ago: int) -> str:
    import time

    from django.core import signing

    from mailinglist.forms import STARTED_SALT

    return signing.dumps(int(time.time()) - seconds_ago, salt=STARTED_SALT)


def test_a_site_wide_cap_stops_confirmations_from_rotating_addresses(
    client, daily, signup_data, settings, make_user, role, time_machine
):
    """Fifty source addresses once got fifty confirmation emails: per-network and per-address limits yield to
    rotation, the site-wide cap does not."""
    time_machine.move_to("2026-03-02 09:00Z", tick=False)
    settings.MAILINGLIST_CONFIRMATIONS_PER_HOUR = 3
    for n in range(6):
        answer = client.post("/newsletter/", signup_data(email=f"victim{n}@example.com"), REMOTE_ADDR=f"192.0.2.{n}")
        assert answer.status_code == 303, "the answer never tells a stranger that anything was withheld"
    assert sorted(message.to[0] for message in mail.outbox) == [f"victim{n}@example.com" for n in range(3)]
    assert Subscriber.objects.count() == 6, "each signup is still recorded"

    manager = make_user(is_staff=True)
    manager.groups.add(role("Newsletter manager"))
    client.force_login(manager)
    for url in ("/admin/", "/admin/mailinglist/subscriber/"):
        html = client.get(url).content.decode()
        assert "Confirmation emails were stopped" in html
        assert "3 signups since then got no email" in html
    client.logout()

    time_machine.move_to("2026-03-02 10:01Z", tick=False)
    client.post("/newsletter/", signup_data(email="victim5@example.com"), REMOTE_ADDR="198.51.100.1")
    assert mail.outbox[-1].to == ["victim5@example.com"], "a refused reader may try again once the hour is over"


def test_the_cap_alert_is_for_those_who_run_the_list(client, daily, signup_data, settings, make_reporter):
    settings.MAILINGLIST_CONFIRMATIONS_PER_HOUR = 0
    client.post("/newsletter/", signup_data())
    assert mail.outbox == []
    client.force_login(make_reporter())
    assert "Confirmation emails were stopped" not in client.get("/admin/").content.decode()


def test_no_alert_while_the_cap_holds(client, daily, signup_data, admin_client):
    client.post("/newsletter/", signup_data())
    assert len(mail.outbox) == 1
    assert "Confirmation emails were stopped" not in admin_client.get("/admin/").content.decode()


def test_ipv4_mapped_ipv6_counts_as_the_ipv4_address(client, daily, signup_data, settings):
    settings.MAILINGLIST_SIGNUPS_PER_IP = 1
    assert client.post("/newsletter/", signup_data(email="a@example.com"), REMOTE_ADDR="192.0.2.9").status_code == 303
    mapped = client.post("/newsletter/", signup_data(email="b@example.com"), REMOTE_ADDR="::ffff:192.0.2.9")
    assert mapped.status_code == 429


def test_a_day_old_form_is_still_accepted(client, daily, signup_data):
    assert client.post("/newsletter/", signup_data(started=_started(26 * 60 * 60))).status_code == 303


def test_an_expired_form_is_asked_to_press_join_again_with_a_fresh_form(client, daily, signup_data):
    old = signup_data(started=_started(3 * 24 * 60 * 60))
    refused = client.post("/newsletter/", old)
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "This form was opened a long time ago" in html
    assert not Subscriber.objects.exists()
    fresh = re.search(r'name="started" value="([^"]+)"', html).group(1)
    assert fresh != old["started"]

    import time_machine as tm

    with tm.travel(time.time() + 10, tick=False):
        assert client.post("/newsletter/", old | {"started": fresh}).status_code == 303
    assert Subscriber.objects.count() == 1


def test_an_expired_form_gets_a_fresh_start_time_in_json(client, daily, signup_data):
    refused = client.post("/newsletter/", signup_data(started=_started(3 * 24 * 60 * 60)), **JSON)
    assert refused.status_code == 400
    assert "press “Join” again" in refused.json()["message"]
    assert refused.json()["started"]
