"""Staff sign-in: throttling and lockout (django-axes), two-factor (django-otp), safe redirects."""

import re
from base64 import b32encode

import lxml.html
import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.core import mail
from django_otp.oath import totp
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

PASSWORD = "a long staff passphrase"


@pytest.fixture
def staff(make_user):
    return make_user(username="eddie", password=PASSWORD, is_staff=True, is_superuser=True)


def sign_in(client, username="eddie", password=PASSWORD, meta=None, **extra):
    """`extra` are more form fields, `meta` request headers as WSGI keys (REMOTE_ADDR, HTTP_X_FORWARDED_FOR)."""
    return client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password, **extra}, **(meta or {})
    )


def current_code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_correct_password_signs_in(client, staff):
    response = sign_in(client)
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_repeated_failures_lock_the_account_with_a_clear_message(client, staff, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, password="wrong").status_code == 200
    locked = sign_in(client, password="wrong")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    # Even the right password is refused while locked.
    assert sign_in(client).status_code == 429


def test_lockout_is_per_username_and_address(client, staff, make_user, settings):
    make_user(username="rita", password=PASSWORD, is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, password="wrong")
    assert sign_in(client, username="rita").status_code == 302


def test_behind_a_proxy_a_stranger_cannot_lock_an_editor_out(client, staff, settings):
    """Every request reaches the app from the proxy's address; the lockout must count the client's address from
    X-Forwarded-For, by the same rule as the signup limits, or one stranger locks out the whole newsroom."""
    settings.NEWSROOM_TRUSTED_PROXY_COUNT = 1
    stranger = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, password="wrong", meta=stranger)
    assert sign_in(client, meta=stranger).status_code == 429
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.66"]
    editor = sign_in(client, meta={"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.7"})
    assert editor.status_code == 302 and editor["Location"] == "/admin/"


def test_behind_a_proxy_a_forged_forwarded_address_changes_nothing(client, staff, settings):
    """The client can write anything in X-Forwarded-For; only the entry our own proxy appended counts."""
    settings.NEWSROOM_TRUSTED_PROXY_COUNT = 1
    for n in range(settings.AXES_FAILURE_LIMIT):
        forged = f"192.0.2.{n}, 203.0.113.66"
        sign_in(client, password="wrong", meta={"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": forged})
    locked = sign_in(client, meta={"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "192.0.2.200, 203.0.113.66"})
    assert locked.status_code == 429


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(client, staff, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, password="wrong", meta={"HTTP_X_FORWARDED_FOR": f"192.0.2.{n}"})
    assert sign_in(client, meta={"HTTP_X_FORWARDED_FOR": "192.0.2.99"}).status_code == 429


def test_an_administrator_unlocks_by_deleting_the_attempt(client, staff, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, password="wrong")
    assert AccessAttempt.objects.filter(username="eddie").exists()
    AccessAttempt.objects.filter(username="eddie").delete()
    assert sign_in(client).status_code == 302


def test_admin_lists_access_attempts_for_unlocking(admin_client):
    assert admin_client.get("/admin/axes/accessattempt/").status_code == 200


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_login_never_redirects_off_site(client, staff, target):
    response = client.post("/admin/login/", {"username": "eddie", "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_logout_never_redirects_off_site(client, staff):
    client.force_login(staff)
    response = client.post("/admin/logout/", {"next": "https://evil.example/"})
    assert "evil.example" not in response.get("Location", "")


class TestTwoFactor:
    @pytest.fixture
    def editor(self, staff, settings):
        settings.NEWSROOM_2FA_REQUIRED_GROUPS = ["Editor"]
        staff.groups.add(Group.objects.get_or_create(name="Editor")[0])
        return staff

    def test_required_editor_without_a_device_is_sent_to_set_it_up(self, client, editor):
        sign_in(client)
        response = client.get("/admin/")
        assert response.status_code == 302
        follow = client.get(response["Location"], follow=True)
        assert follow.redirect_chain[-1][0] == "/admin/two-factor/"
        assert "Your role requires two-factor authentication" in follow.content.decode()

    def test_enrolment_starts_with_a_code_emailed_to_the_account(self, client, editor):
        sign_in(client)
        first = client.get("/admin/two-factor/")
        html = first.content.decode()
        assert "we have emailed a 6-digit code to u••••@example.com" in html
        assert "otpauth" not in html and "Key:" not in html, "no secret before the inbox is proven"
        [message] = mail.outbox
        assert message.to == [editor.email]
        code = re.search(r"Your code: (\d{6})", message.body).group(1)

        wrong = client.post("/admin/two-factor/", {"action": "email_code", "email_code": "000000"})
        assert wrong.status_code == 400 and "did not match" in wrong.content.decode()
        EmailDevice.objects.get(user=editor).throttle_reset()  # django-otp makes the next try wait; the test does not
        assert client.post("/admin/two-factor/", {"action": "email_code", "email_code": code}).status_code == 302

        app_step = client.get("/admin/two-factor/").content.decode()
        assert "Key:" in app_step
        device = TOTPDevice.objects.get(user=editor, confirmed=False)
        bad = client.post(
            "/admin/two-factor/", {"otp_token": "000000" if current_code(device) != "000000" else "111111"}
        )
        assert bad.status_code == 400 and "did not match" in bad.content.decode()
        device.refresh_from_db()
        device.throttle_reset()
        response = client.post("/admin/two-factor/", {"otp_token": current_code(device)})
        assert response.status_code == 302
        device.refresh_from_db()
        assert device.confirmed
        assert client.get("/admin/").status_code == 200
        assert len(mail.outbox) == 1

    def test_a_stolen_password_cannot_enrol_the_attackers_device(self, client, editor):
        """The attacker has the password but not the inbox: no secret is shown, and no code they can make from
        what they see turns two-factor on."""
        stale = TOTPDevice.objects.create(user=editor, name="seen by someone", confirmed=False)
        sign_in(client)
        page = client.get("/admin/two-factor/").content.decode()
        assert "otpauth" not in page
        assert b32encode(stale.bin_key).decode().rstrip("=") not in page
        for guess in ("123456", current_code(stale)):
            client.post("/admin/two-factor/", {"otp_token": guess})
            client.post("/admin/two-factor/", {"action": "email_code", "email_code": guess})
        assert not TOTPDevice.objects.filter(user=editor, confirmed=True).exists()
        assert client.get("/admin/").status_code == 302
        assert "is setting up two-factor" in mail.outbox[0].body, "the owner learns that their password is known"

    def test_the_secret_is_made_afresh_once_the_inbox_is_proven(self, client, editor):
        stale = TOTPDevice.objects.create(user=editor, name="seen by someone", confirmed=False)
        sign_in(client)
        client.get("/admin/two-factor/")
        code = re.search(r"Your code: (\d{6})", mail.outbox[0].body).group(1)
        client.post("/admin/two-factor/", {"action": "email_code", "email_code": code})
        fresh = TOTPDevice.objects.get(user=editor, confirmed=False)
        assert fresh.key != stale.key

    def test_an_account_without_an_address_is_told_to_ask_an_administrator(self, client, editor):
        editor.email = ""
        editor.save()
        sign_in(client)
        response = client.get("/admin/two-factor/")
        assert response.status_code == 403
        assert "Ask an administrator to add your address" in response.content.decode()
        assert not mail.outbox

    def test_a_stolen_password_alone_does_not_open_an_enrolled_account(self, client, editor):
        device = TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
        response = sign_in(client)
        assert response.status_code == 200
        assert client.get("/admin/").status_code == 302
        wrong = sign_in(client, otp_token="123456" if current_code(device) != "123456" else "654321")
        assert wrong.status_code == 200
        assert client.get("/admin/").status_code == 302

    def test_the_code_step_does_not_reveal_that_the_password_was_right(self, client, editor):
        device = TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
        wrong_code = "123456" if current_code(device) != "123456" else "654321"

        def error(**fields):
            return lxml.html.fromstring(sign_in(client, **fields).content).cssselect(".errornote")[0].text_content()

        wrong_password = error(password="not the password", otp_token=wrong_code)
        assert error() == wrong_password, "right password, no code"
        assert error(otp_token=wrong_code) == wrong_password, "right password, wrong code"

    def test_wrong_codes_count_towards_the_lockout(self, client, editor, settings):
        device = TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
        wrong_code = "123456" if current_code(device) != "123456" else "654321"
        for _ in range(settings.AXES_FAILURE_LIMIT):
            device.throttle_reset()
            sign_in(client, otp_token=wrong_code)
        device.throttle_reset()
        assert sign_in(client, otp_token=current_code(device)).status_code == 429

    def test_password_and_code_open_an_enrolled_account(self, client, editor):
        device = TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
        response = sign_in(client, otp_token=current_code(device))
        assert response.status_code == 302
        assert client.get("/admin/").status_code == 200

    def test_a_used_code_cannot_be_replayed(self, client, editor, make_user):
        device = TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
        code = current_code(device)
        assert sign_in(client, otp_token=code).status_code == 302
        other = client.__class__()
        replay = sign_in(other, otp_token=code)
        assert replay.status_code == 200

    def test_two_factor_is_optional_when_not_required(self, client, staff, settings):
        settings.NEWSROOM_2FA_REQUIRED_GROUPS = []
        sign_in(client)
        assert client.get("/admin/").status_code == 200
        assert client.get("/admin/two-factor/").status_code == 200


def test_staff_sessions_expire_within_a_day(client, staff, settings):
    assert 0 < settings.SESSION_COOKIE_AGE <= 60 * 60 * 24
    sign_in(client)
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
