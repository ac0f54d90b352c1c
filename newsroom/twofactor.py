"""Optional TOTP two-factor for staff, required for the groups named in NEWSROOM_2FA_REQUIRED_GROUPS.

Enrolling a first device needs more than the password: a code emailed to the account's address (django-otp's
EmailDevice), so someone who stole a password cannot put their own authenticator on the account, and the owner
learns from the email that their password is known. The authenticator's secret is made, and shown, only after that
code was entered.
"""

import time
from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

# Session key: when this session entered the emailed enrolment code. Enrolment must then finish within the window.
EMAIL_PROVEN = "newsroom_2fa_email_proven"
EMAIL_PROVEN_SECONDS = 15 * 60


def is_required_for(user) -> bool:
    required = settings.NEWSROOM_2FA_REQUIRED_GROUPS
    return bool(required) and user.is_authenticated and user.groups.filter(name__in=required).exists()


def is_required_and_missing(request) -> bool:
    user = request.user
    return user.is_authenticated and user.is_staff and not user.is_verified() and is_required_for(user)


def masked(address: str) -> str:
    """r•••••@example.com: enough for the owner to recognise, not a gift to someone looking over a shoulder."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}{'•' * max(len(local) - 1, 1)}@{domain}"


def _email_proven(request) -> bool:
    proven_at = request.session.get(EMAIL_PROVEN)
    return isinstance(proven_at, int) and time.time() - proven_at < EMAIL_PROVEN_SECONDS


@never_cache
@login_required(login_url="admin:login")
@require_http_methods(["GET", "POST"])
def setup(request, site):
    """Enrol an authenticator app: first the code we emailed, then the secret as a QR code, confirmed with a first
    code from the app."""
    user = request.user
    if not user.is_staff or not user.is_active:
        return redirect("admin:login")
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if confirmed and request.user.is_verified():
        return render(request, "admin/two_factor_setup.html", site.each_context(request) | {"enrolled": True})
    if confirmed:
        # A device exists but this session was not verified with it: the only way in is to sign in with a code.
        messages.info(request, "Sign in with the code from your authenticator app.")
        return redirect("admin:logout")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or not _email_proven(request):
        return _prove_email(request, site)

    error = ""
    if request.method == "POST":
        token = request.POST.get("otp_token", "").strip()
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            error = "Too many wrong codes. Wait a minute, then enter the current code."
        elif token.isdigit() and device.verify_token(token):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            EmailDevice.objects.filter(user=user, confirmed=False).delete()
            request.session.pop(EMAIL_PROVEN, None)
            otp_login(request, device)
            messages.success(request, "Two-factor authentication is on. You will be asked for a code at each sign-in.")
            return redirect("admin:index")
        else:
            error = "That code did not match. Check your device's clock and enter the current 6-digit code."
    context = site.each_context(request) | {
        "title": "Set up two-factor authentication",
        "step": "app",
        "required": is_required_for(user),
        # segno builds the SVG from our own otpauth URL; nothing in it comes from a request.
        "qr_svg": mark_safe(segno.make(device.config_url).svg_inline(scale=5)),  # noqa: S308 - segno draws the SVG from our own otpauth URL
        "secret": b32encode(device.bin_key).decode("ascii").rstrip("="),
        "error": error,
    }
    return render(request, "admin/two_factor_setup.html", context, status=400 if error else 200)


def _prove_email(request, site):
    """Step one: the code we email to the account's own address."""
    user = request.user
    context = site.each_context(request) | {
        "title": "Set up two-factor authentication",
        "step": "email",
        "required": is_required_for(user),
        "address": masked(user.email) if user.email else "",
    }
    if not user.email:
        context["error"] = (
            "Your account has no email address, so we cannot send you the code that starts the set-up. "
            "Ask an administrator to add your address."
        )
        return render(request, "admin/two_factor_setup.html", context, status=403)
    email_device, _ = EmailDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "Two-factor enrolment"}
    )
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "email_code":
        code = request.POST.get("email_code", "").strip()
        allowed, _ = email_device.verify_is_allowed()
        if allowed and code.isdigit() and email_device.verify_token(code):
            request.session[EMAIL_PROVEN] = int(time.time())
            # A fresh secret, made after the inbox was proven: one shown to anybody before is worth nothing.
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            TOTPDevice.objects.create(user=user, confirmed=False, name="Authenticator app")
            return redirect("admin:two_factor_setup")
        context["error"] = (
            "That code did not match, or it has expired. Enter the code from the newest email, or ask for a new one."
            if allowed
            else "Too many wrong codes. Wait a minute, then try again."
        )
    live = email_device.token and email_device.valid_until and email_device.valid_until > timezone.now()
    if action == "resend" or not live:
        email_device.generate_challenge({"user": user, "site_name": settings.SITE_NAME})
    return render(request, "admin/two_factor_setup.html", context, status=400 if context.get("error") else 200)
