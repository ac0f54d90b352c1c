"""Optional TOTP two-factor for staff, required for the groups named in NEWSROOM_2FA_REQUIRED_GROUPS."""

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice


def is_required_for(user) -> bool:
    required = settings.NEWSROOM_2FA_REQUIRED_GROUPS
    return bool(required) and user.is_authenticated and user.groups.filter(name__in=required).exists()


def is_required_and_missing(request) -> bool:
    user = request.user
    return user.is_authenticated and user.is_staff and not user.is_verified() and is_required_for(user)


@never_cache
@login_required(login_url="admin:login")
@require_http_methods(["GET", "POST"])
def setup(request, site):
    """Enrol an authenticator app: show the secret as a QR code, confirm with a first code."""
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

    device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=False, defaults={"name": "Authenticator app"})
    error = ""
    if request.method == "POST":
        token = request.POST.get("otp_token", "").strip()
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            error = "Too many wrong codes. Wait a minute, then enter the current code."
        elif token.isdigit() and device.verify_token(token):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, "Two-factor authentication is on. You will be asked for a code at each sign-in.")
            return redirect("admin:index")
        else:
            error = "That code did not match. Check your device's clock and enter the current 6-digit code."
    context = site.each_context(request) | {
        "title": "Set up two-factor authentication",
        "required": is_required_for(user),
        # segno builds the SVG from our own otpauth URL; nothing in it comes from a request.
        "qr_svg": mark_safe(segno.make(device.config_url).svg_inline(scale=5)),  # noqa: S308 - segno draws the SVG from our own otpauth URL
        "secret": b32encode(device.bin_key).decode("ascii").rstrip("="),
        "error": error,
    }
    return render(request, "admin/two_factor_setup.html", context, status=400 if error else 200)
