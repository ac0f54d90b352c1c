from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from newsroom import twofactor


class NewsroomLoginForm(AdminAuthenticationForm):
    """Password, then a TOTP code for staff who have set up a device; without a device no code is asked for.

    A missing or wrong code gets the same answer as a wrong password, and counts as a failed sign-in for the
    lockout: nothing tells someone trying stolen passwords which one was right.
    """

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": "Please enter the correct %(username)s and password for a staff account, and the current "
        "code from your authenticator app if you have set one up. Note that both fields may be case-sensitive.",
    }

    otp_token = forms.CharField(
        required=False,
        max_length=8,
        label="Two-factor code",
        help_text="The 6-digit code from your authenticator app, if you have set one up.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean(self):
        cleaned_data = super().clean()
        user = self.get_user()
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() if user else None
        if device is not None:
            token = cleaned_data.get("otp_token", "").strip()
            allowed, _ = device.verify_is_allowed()
            if not (token and allowed and device.verify_token(token)):
                user_login_failed.send(
                    sender=__name__, credentials={"username": cleaned_data.get("username")}, request=self.request
                )
                raise self.get_invalid_login_error()
            # django-otp's login signal handler marks the session verified with this device.
            user.otp_device = device
        return cleaned_data


class ChoicesAutocompleteView(AutocompleteJsonView):
    """The admin's autocomplete, also open to those who fill in the form a field belongs to when the field narrows
    its own choices (``limit_choices_to``): a Newsletter manager picks live articles for a digest without being
    allowed into the article admin. The search still answers only with the narrowed choices."""

    def has_perm(self, request, obj=None):
        if super().has_perm(request, obj):
            return True
        field = self.source_field
        if not field.get_limit_choices_to():
            return False
        opts = field.model._meta
        return any(
            request.user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}") for action in ("add", "change")
        )


class NewsroomAdminSite(admin.AdminSite):
    login_form = NewsroomLoginForm
    login_template = "admin/newsroom_login.html"

    def has_permission(self, request):
        return super().has_permission(request) and not twofactor.is_required_and_missing(request)

    def login(self, request, extra_context=None):
        # A staff member who must use two-factor but has not verified this session is sent on to set it up
        # (no device yet) or told to sign in again with a code, rather than being shown the form in a loop.
        if request.method == "GET" and twofactor.is_required_and_missing(request):
            if user_has_device(request.user):
                logout(request)
                messages.warning(request, "Your role requires a two-factor code. Sign in again with your code.")
            else:
                return HttpResponseRedirect(reverse("admin:two_factor_setup"))
        return super().login(request, extra_context)

    def autocomplete_view(self, request):
        return ChoicesAutocompleteView.as_view(admin_site=self)(request)

    def get_urls(self):
        return [
            path("two-factor/", twofactor.setup, {"site": self}, name="two_factor_setup"),
            *super().get_urls(),
        ]

    def each_context(self, request):
        context = super().each_context(request)
        context["two_factor_required_groups"] = settings.NEWSROOM_2FA_REQUIRED_GROUPS
        return context


class RecordAdmin(admin.ModelAdmin):
    """A record kept as evidence (workflow transitions, consent events, deliveries): listed and viewed, never added,
    changed or deleted through the admin, since a record that can be edited proves nothing."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def view_path(model_admin, route, view, name, *, methods=None):
    """A custom page of a ModelAdmin, added the one way every admin screen here adds them: behind the admin's sign-in
    and staff check (``admin_site.admin_view``, which also makes it never cached), limited to ``methods`` when given,
    and named ``admin:<app>_<model>_<name>``. The view still checks the object-level permission it needs."""
    if methods:
        view = require_http_methods(list(methods))(view)
    opts = model_admin.opts
    return path(route, model_admin.admin_site.admin_view(view), name=f"{opts.app_label}_{opts.model_name}_{name}")


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout page (AXES_LOCKOUT_CALLABLE) drawn inside the admin's frame, so it carries the site's
    admin title and header like every other admin page; axes' own page knows nothing of the admin site."""
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed sign-ins",
        "failure_limit": get_failure_limit(request, credentials),
        "username": get_client_username(request, credentials) or "",
        "cooloff_timedelta": get_cool_off(request),
    }
    # Rendered here: axes may return it from its middleware, after the point where template responses are rendered.
    return render(request, "admin/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
