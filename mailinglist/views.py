from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from mailinglist import ratelimit, services, tasks, tokens
from mailinglist.consent import SIGNUP_WORDING, Consent
from mailinglist.forms import PreferencesForm, SignupForm, form_started_token
from mailinglist.models import MailingList, Subscriber
from newsroom.security import client_ip

CHECK_INBOX = (
    "Check your inbox. If the address can receive our email, a message is on its way with a link to confirm. "
    "It can take a few minutes; look in the spam folder too."
)
TOO_FAST = "That was quicker than we expected. Please check your address and press “Join” once more."
TOO_MANY_FROM_NETWORK = (
    "There have been a lot of signups from your network in the last hour. Please try again in an hour or so."
)
TOO_MANY_FOR_ADDRESS = (
    "This address has been submitted several times in the last hour. Any email we sent is on its way; "
    "please check your inbox and spam folder, or try again in an hour."
)
FORM_TOO_OLD = (
    "This form was opened a long time ago, so we could not accept it. The form is fresh now: please press “Join” again."
)
NO_LISTS = "The mailing list is not open for signups at the moment."
BUSY = "We cannot take signups this minute. Nothing was sent; please try again shortly."
CROSS_SITE = "This signup came from another website, so we did not accept it. To join, use the form on our own pages."
CONFIRM_WORDING = "Confirm my subscription to the lists named on this page."
PREFERENCES_WORDING = "The lists ticked on my preferences page."


def _local_path(value: str | None, default: str = "") -> str:
    if value and value.startswith("/") and url_has_allowed_host_and_scheme(value, allowed_hosts=None):
        return value[:500]
    return default


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _no_referrer(response):
    # Token pages must not hand their URL to other sites. (Not "no-referrer": browsers then send "Origin: null"
    # with the page's own forms, which Django's CSRF check rightly refuses.)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def _from_another_site(request) -> bool:
    """Whether a browser sent this POST from another site's page. Browsers say so in ``Sec-Fetch-Site``, and send
    ``Origin`` with every cross-origin POST; a request with neither did not come from a page on another site."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    return origin != f"{request.scheme}://{request.get_host()}" and origin not in settings.CSRF_TRUSTED_ORIGINS


# The form sits in the footer of every public page, which a shared cache keeps as one copy for every reader, so it
# carries no CSRF token: the origin check above stands in for it (docs/security.md says why that is enough here).
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def signup(request):
    if request.method == "POST":
        return _submit_signup(request)
    return render(
        request,
        "mailinglist/signup.html",
        {"form": SignupForm(), "back": _local_path(request.GET.get("from"))},
    )


def _refuse(request, form, message, *, status, fresh_start=False):
    if _wants_json(request):
        errors = {name: [str(error) for error in errors] for name, errors in form.errors.items()} if form else {}
        answer = {"ok": False, "message": message, "errors": errors}
        if fresh_start:
            # The enhanced form stays on the page: give it a new start time so that pressing Join again works.
            answer["started"] = form_started_token()
        return JsonResponse(answer, status=status)
    response = render(
        request,
        "mailinglist/signup.html",
        {"form": form or SignupForm(), "refusal": message, "back": _local_path(request.POST.get("source"))},
        status=status,
    )
    if status == 429:
        response["Retry-After"] = str(settings.MAILINGLIST_RATE_WINDOW)
    if status == 503:
        response["Retry-After"] = "60"
    return response


def _accepted(request, source: str):
    if _wants_json(request):
        return JsonResponse({"ok": True, "message": CHECK_INBOX})
    messages.success(request, CHECK_INBOX)
    url = reverse("mailinglist:signup")
    if source and source != url:
        url += "?" + urlencode({"from": source})
    return HttpResponseRedirect(url, status=303)


def _submit_signup(request):
    try:
        return _checked_signup(request)
    except ratelimit.Unavailable:
        # The limits that guard email cannot count (Redis is away): refuse rather than send without them.
        return _refuse(request, None, BUSY, status=503)


def _checked_signup(request):
    """Every outcome a stranger can see depends only on what they typed and how often, never on whether the
    address is known: the lookup and any email happen in a task."""
    form = SignupForm(request.POST)
    source = _local_path(request.POST.get("source"), default=reverse("mailinglist:signup"))
    if _from_another_site(request):
        return _refuse(request, None, CROSS_SITE, status=403)
    network = ratelimit.network_of(client_ip(request))
    window = settings.MAILINGLIST_RATE_WINDOW
    if not ratelimit.hit("signup-ip", network, limit=settings.MAILINGLIST_SIGNUPS_PER_IP, window=window):
        return _refuse(request, None, TOO_MANY_FROM_NETWORK, status=429)
    if form.is_bot:
        return _accepted(request, source)
    if not form.is_valid():
        first_error = next(iter(form.errors.values()))[0]
        return _refuse(request, form, first_error, status=400)
    if form.too_fast:
        return _refuse(request, form, TOO_FAST, status=400)
    if form.stale:
        return _refuse(request, form, FORM_TOO_OLD, status=400, fresh_start=True)
    if not MailingList.objects.for_signup_form():
        return _refuse(request, form, NO_LISTS, status=400)
    email = form.cleaned_data["email"]
    if not ratelimit.hit("signup-address", email, limit=settings.MAILINGLIST_SIGNUPS_PER_ADDRESS, window=window):
        return _refuse(request, form, TOO_MANY_FOR_ADDRESS, status=429)
    consent = Consent.from_request(request, source=source, wording=SIGNUP_WORDING)
    tasks.process_signup.enqueue(email, form.cleaned_data["lists"], consent.as_dict())
    return _accepted(request, source)


def _invalid_link(request):
    return _no_referrer(render(request, "mailinglist/link_invalid.html", status=400))


def _email_link(request, subscriber, kind: str, list_ids=()):
    """Send a fresh link to the subscriber's own address (at most one email an hour reaches the inbox): the only
    way from a link that may have been forwarded to pages that show or change their data."""
    tasks.send_notice.enqueue(subscriber.pk, kind, list(list_ids))
    return _no_referrer(render(request, "mailinglist/link_sent.html", {"message": CHECK_INBOX}))


def _spent_link(request):
    return _no_referrer(render(request, "mailinglist/link_used.html", status=410))


def _expired_link(request, expired: tokens.ExpiredToken, *, kind: str):
    """An authentic but old link: offer a fresh one by email (at most one an hour reaches the inbox)."""
    if request.method == "POST" and request.POST.get("action") == "resend":
        list_ids, _mark = tokens.confirm_payload(expired.extra) if kind == "confirm" else ([], 0)
        return _email_link(request, expired.subscriber, kind, list_ids)
    return _no_referrer(render(request, "mailinglist/link_expired.html", {"kind": kind}, status=410))


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def confirm(request, token):
    """Following the link shows a button; only the POST confirms, so mail scanners that open links confirm
    nothing."""
    try:
        link = tokens.read_token(token, tokens.CONFIRM, max_age=settings.MAILINGLIST_CONFIRM_MAX_AGE)
    except tokens.ExpiredToken as expired:
        return _expired_link(request, expired, kind="confirm")
    except tokens.InvalidToken:
        return _invalid_link(request)
    subscriber = link.subscriber
    list_ids, mark = tokens.confirm_payload(link.extra)
    if subscriber.confirmation_spent(mark):
        return _spent_link(request)
    lists = services.lists_from_ids(list_ids, public_only=False) or services.default_lists()
    context = {"subscriber": subscriber, "lists": lists}
    if request.method == "POST":
        consent = Consent.from_request(request, source="confirmation email link", wording=CONFIRM_WORDING)
        try:
            services.confirm(subscriber=subscriber, list_ids=[m.pk for m in lists], consent=consent, mark=mark)
        except tokens.SpentToken:
            return _spent_link(request)
        return _no_referrer(render(request, "mailinglist/confirmed.html", context))
    wanted = {mailing_list.pk for mailing_list in lists}
    context["already"] = subscriber.status == Subscriber.Status.ACTIVE and wanted <= subscriber.list_ids()
    return _no_referrer(render(request, "mailinglist/confirm.html", context))


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def unsubscribe(request, token):
    """RFC 8058: a POST with `List-Unsubscribe=One-Click`, from a mail provider with no cookies and no CSRF token,
    unsubscribes at once and answers 200. The signed token is the credential, so CSRF protection adds nothing.
    A GET changes nothing. This link does nothing else: no way from it to the subscriber's data."""
    try:
        link = tokens.read_token(token, tokens.UNSUBSCRIBE)
    except (tokens.InvalidToken, tokens.ExpiredToken):
        return _invalid_link(request)
    subscriber = link.subscriber
    mailing_list = MailingList.objects.filter(pk=link.extra).first() if isinstance(link.extra, int) else None
    context = {"subscriber": subscriber, "mailing_list": mailing_list}
    if request.method == "GET":
        return _no_referrer(render(request, "mailinglist/unsubscribe.html", context))
    if request.POST.get("action") == "email_preferences":
        # An unsubscribe link never expires and sits in every email, forwarded ones too: it leads to the
        # preferences page (data download, erasure) only through a fresh link sent to the address.
        return _email_link(request, subscriber, "preferences_link")
    if request.POST.get("List-Unsubscribe") != "One-Click":
        return _no_referrer(
            render(request, "mailinglist/unsubscribe.html", context | {"error": "Use the button below."}, status=400)
        )
    from_page = request.POST.get("via") == "page"
    everything = request.POST.get("scope") == "all" or mailing_list is None
    consent = Consent.from_request(
        request, source="unsubscribe page" if from_page else "one-click unsubscribe (List-Unsubscribe-Post)"
    )
    subscriber.unsubscribe(consent=consent, mailing_list=None if everything else mailing_list)
    context["left_everything"] = everything
    return _no_referrer(render(request, "mailinglist/unsubscribed.html", context))


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def preferences(request, token):
    try:
        link = tokens.read_token(token, tokens.PREFERENCES, max_age=settings.MAILINGLIST_PREFERENCES_MAX_AGE)
    except tokens.ExpiredToken as expired:
        return _expired_link(request, expired, kind="preferences_link")
    except tokens.InvalidToken:
        return _invalid_link(request)
    subscriber = link.subscriber
    here = reverse("mailinglist:preferences", args=[token])
    action = request.POST.get("action") if request.method == "POST" else None
    form = PreferencesForm(request.POST if action == "save" else None, subscriber=subscriber)
    context = {"subscriber": subscriber, "form": form, "token": token}
    consent = Consent.from_request(request, source="preferences page", wording=PREFERENCES_WORDING)
    if action is None:
        return _no_referrer(render(request, "mailinglist/preferences.html", context))
    if action == "save":
        if not form.is_valid():
            return _no_referrer(render(request, "mailinglist/preferences.html", context, status=400))
        subscriber.change_preferences(lists=form.cleaned_data["lists"], name=form.cleaned_data["name"], consent=consent)
        if form.cleaned_data["lists"]:
            messages.success(request, "Saved. You will get the lists ticked below.")
        else:
            messages.success(request, "Saved. You chose no lists, so you are unsubscribed from everything.")
        return HttpResponseRedirect(here, status=303)
    if action == "unsubscribe":
        subscriber.unsubscribe(consent=consent)
        messages.success(request, "You are unsubscribed from everything. You can tick lists again here at any time.")
        return HttpResponseRedirect(here, status=303)
    if action == "download":
        response = JsonResponse(subscriber.personal_data(), json_dumps_params={"indent": 2})
        response["Content-Disposition"] = 'attachment; filename="my-newsletter-data.json"'
        return _no_referrer(response)
    if action == "erase":
        if request.POST.get("confirm_erase") != "yes":
            context["erase_error"] = "Tick the box to confirm that you want everything deleted."
            return _no_referrer(render(request, "mailinglist/preferences.html", context, status=400))
        services.erase(subscriber=subscriber, consent=consent)
        return _no_referrer(render(request, "mailinglist/erased.html"))
    context["error"] = "That button is not one we know. Please use the buttons on this page."
    return _no_referrer(render(request, "mailinglist/preferences.html", context, status=400))
