"""Composing and sending issues in the admin: pick published articles (or pre-fill today's briefing), preview in
the browser, send a test to yourself, send now or schedule, and watch the progress. Breaking alerts start from an
article's admin page (`breaking_alert_tool`, one of the article admin's `article_tools`)."""

from datetime import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from articles.models import Article, LiveUpdate
from mailinglist.models import MailingList, new_token_key
from newsletters import sending, services, tasks
from newsletters.models import Delivery, Issue, IssueArticle, IssueStateError, MailServer
from newsroom.admin_site import RecordAdmin, view_path

# The preview shows the email as mail programs do: its inline styles and remote images are the point. It is a
# page of our own making, with no script allowed at all, shown only to staff.
PREVIEW_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src * data:; frame-ancestors 'self'; sandbox"


class IssueArticleForm(forms.ModelForm):
    class Meta:
        model = IssueArticle
        fields = ["order", "article"]

    def clean_article(self):
        article = self.cleaned_data["article"]
        if article and not Article.objects.published().filter(pk=article.pk).exists():
            raise forms.ValidationError("Only published, live articles can go in an issue.")
        return article


class IssueArticleInline(admin.TabularInline):
    model = IssueArticle
    form = IssueArticleForm
    fields = ["order", "article"]
    autocomplete_fields = ["article"]
    extra = 3

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "article":
            kwargs["queryset"] = Article.objects.published()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return (obj is None or obj.is_editable) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return (obj is None or obj.is_editable) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.is_editable) and super().has_delete_permission(request, obj)


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ["subject", "mailing_list", "kind", "status", "scheduled_at", "started_at", "progress_display"]
    list_filter = ["status", "kind", "mailing_list"]
    search_fields = ["subject", "preheader"]
    date_hierarchy = "created_at"
    list_select_related = ["mailing_list"]
    fields = ["mailing_list", "kind", "subject", "preheader", "intro"]
    inlines = [IssueArticleInline]
    change_form_template = "admin/newsletters/issue/change_form.html"

    def has_change_permission(self, request, obj=None):
        return (obj is None or obj.is_editable) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Sent issues are the record of what went to whom.
        return (obj is None or obj.status == Issue.Status.DRAFT) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.status == Issue.Status.SENT and obj.mailing_list.is_public else None

    @admin.display(description="progress")
    def progress_display(self, obj):
        if obj.status == Issue.Status.SENT:
            return f"{obj.sent_count} sent, {obj.failed_count} failed"
        if obj.status == Issue.Status.SENDING:
            return f"{obj.progress()['percent']}%"
        return "—"

    def get_urls(self):
        get, post = ["GET", "HEAD"], ["POST"]
        return [
            view_path(self, "<int:pk>/preview/", self.preview_view, "preview", methods=get),
            view_path(self, "<int:pk>/progress/", self.progress_view, "progress", methods=get),
            view_path(self, "<int:pk>/test/", self.test_view, "test", methods=post),
            view_path(self, "<int:pk>/briefing/", self.briefing_view, "briefing", methods=post),
            view_path(self, "<int:pk>/send/", self.send_view, "send"),
            view_path(self, "<int:pk>/schedule/", self.schedule_view, "schedule", methods=post),
            view_path(self, "<int:pk>/cancel/", self.cancel_view, "cancel", methods=post),
            view_path(self, "alert/<int:article_pk>/", self.alert_view, "alert"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["sending"] = {
                "can_send": obj.is_editable and request.user.has_perm("newsletters.send_issue"),
                "can_edit": obj.is_editable and self.has_change_permission(request, obj),
                "can_cancel": obj.status in (Issue.Status.SCHEDULED, Issue.Status.SENDING)
                and request.user.has_perm("newsletters.send_issue"),
                "progress": obj.progress(),
                "recipients_now": obj.mailing_list.recipient_count(),
                "now_local": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                "user_email": request.user.email,
            }
        return super().render_change_form(request, context, add, change, form_url, obj)

    # ---- the views

    def _issue(self, request, pk, *, perm="view"):
        issue = get_object_or_404(Issue.objects.select_related("mailing_list"), pk=pk)
        allowed = {
            "view": self.has_view_or_change_permission(request, issue),
            "change": self.has_change_permission(request, issue),
            "send": request.user.has_perm("newsletters.send_issue"),
        }[perm]
        if not allowed:
            raise PermissionDenied
        return issue

    def _back(self, issue):
        return redirect(reverse("admin:newsletters_issue_change", args=[issue.pk]))

    @staticmethod
    def _refuse(request, issue, error):
        messages.error(request, str(error))
        return redirect(reverse("admin:newsletters_issue_change", args=[issue.pk]))

    def preview_view(self, request, pk):
        issue = self._issue(request, pk)
        rendered = sending.render_issue(issue, unsubscribe_url="#unsubscribe", preferences_url="#preferences")
        if request.GET.get("format") == "text":
            response = HttpResponse(rendered.text, content_type="text/plain; charset=utf-8")
        else:
            response = HttpResponse(rendered.html)
        response["Content-Security-Policy"] = PREVIEW_POLICY
        response["X-Frame-Options"] = "SAMEORIGIN"
        response._csp_exempt = True
        return response

    def progress_view(self, request, pk):
        issue = self._issue(request, pk)
        return JsonResponse(issue.progress())

    def test_view(self, request, pk):
        issue = self._issue(request, pk)
        if not request.user.email:
            return self._refuse(request, issue, "Your account has no email address: add one to receive a test.")
        services.send_test(issue=issue, to=request.user.email)
        messages.success(request, f"A test copy went to {request.user.email}.")
        return self._back(issue)

    def briefing_view(self, request, pk):
        issue = self._issue(request, pk, perm="change")
        try:
            count = services.prefill_briefing(issue=issue)
        except IssueStateError as error:
            return self._refuse(request, issue, error)
        if count:
            articles = f"{count} article{pluralize(count)}"
            messages.success(request, f"Today's briefing: {articles} published since the last issue.")
        else:
            messages.warning(request, "Nothing has been published in this list's sections since its last issue.")
        return self._back(issue)

    def send_view(self, request, pk):
        return require_http_methods(["GET", "POST"])(self._send)(request, pk)

    def _send(self, request, pk):
        """GET: what would go out, to how many, with the button that sends. POST: send what was confirmed."""
        issue = self._issue(request, pk, perm="send")
        try:
            mailing = services.mailing_for(issue=issue)
        except IssueStateError as error:
            return self._refuse(request, issue, error)
        if request.method == "POST":
            if request.POST.get("confirmed") == mailing.fingerprint:
                try:
                    services.send_now(issue=issue)
                except IssueStateError as error:
                    return self._refuse(request, issue, error)
                messages.success(request, f"Sending “{issue.subject}” to {issue.mailing_list.name}.")
                return self._back(issue)
            messages.warning(
                request, "The issue changed since that page was shown, or was not confirmed: check it and confirm."
            )
            return redirect(reverse("admin:newsletters_issue_send", args=[issue.pk]))
        return self._confirmation(
            request,
            mailing,
            issue=issue,
            button=f"Send now to {mailing.recipients} subscriber{pluralize(mailing.recipients)}",
            back_url=reverse("admin:newsletters_issue_change", args=[issue.pk]),
            fields={"confirmed": mailing.fingerprint},
        )

    def _confirmation(self, request, mailing, *, button, back_url, fields, issue=None, article=None):
        context = {
            **self.admin_site.each_context(request),
            "title": "Send this to the whole list?",
            "opts": self.model._meta,
            "original": issue,
            "article": article,
            "mailing": mailing,
            "button": button,
            "back_url": back_url,
            "fields": fields,
        }
        return TemplateResponse(request, "admin/newsletters/issue/send_confirm.html", context)

    def schedule_view(self, request, pk):
        issue = self._issue(request, pk, perm="send")
        raw = (request.POST.get("scheduled_at") or "").strip()
        try:
            naive = datetime.strptime(raw, "%Y-%m-%dT%H:%M")
        except ValueError:
            messages.error(request, "Give the sending time as a date and time, e.g. 2026-01-17T06:00.")
            return self._back(issue)
        at = timezone.make_aware(naive, timezone.get_current_timezone())
        try:
            services.schedule(issue=issue, at=at)
        except IssueStateError as error:
            return self._refuse(request, issue, error)
        messages.success(request, f"Scheduled for {timezone.localtime(at):%Y-%m-%d %H:%M}.")
        return self._back(issue)

    def cancel_view(self, request, pk):
        issue = self._issue(request, pk, perm="send")
        try:
            issue.cancel()
        except IssueStateError as error:
            return self._refuse(request, issue, error)
        messages.success(request, "Cancelled: nothing more of this issue will be sent.")
        return self._back(issue)

    def alert_view(self, request, article_pk):
        """The form (list and subject), then a confirmation page showing what goes to whom; only the confirmation
        writes and sends anything."""
        if not request.user.has_perm("newsletters.send_issue"):
            raise PermissionDenied
        article = Article.objects.published().filter(pk=article_pk).first()
        if article is None:
            raise Http404("Only a published, live article can be sent as an alert.")
        # From a key update of a live story (update_alert_tool): the alert leads with the update's words.
        update = _key_update(article, request.POST.get("update") or request.GET.get("update"))
        about = update.summary if update else article.headline
        form = AlertForm(request.POST or None, initial={"subject": f"Breaking: {about}"[:200]})
        if request.method == "POST" and form.is_valid() and "change" not in request.POST:
            mailing = services.alert_mailing(
                article=article,
                mailing_list=form.cleaned_data["mailing_list"],
                subject=form.cleaned_data["subject"],
                update=update,
            )
            key = form.cleaned_data["key"]
            if key and request.POST.get("confirmed") == mailing.fingerprint:
                try:
                    issue = services.create_alert(
                        article=article,
                        mailing_list=mailing.mailing_list,
                        subject=mailing.subject,
                        by=request.user,
                        key=key,
                        update=update,
                    )
                    started = tasks.start_sending(issue=issue)
                except IssueStateError as error:
                    messages.error(request, str(error))
                    return redirect(reverse("admin:articles_article_change", args=[article.pk]))
                if started:
                    messages.success(request, f"Sending the alert to {issue.mailing_list.name}.")
                else:
                    messages.warning(request, "This alert was confirmed already; nothing more was sent.")
                return self._back(issue)
            return self._confirmation(
                request,
                mailing,
                article=article,
                button=f"Send the alert to {mailing.recipients} subscriber{pluralize(mailing.recipients)}",
                back_url=reverse("admin:newsletters_issue_alert", args=[article.pk]),
                fields={
                    "mailing_list": mailing.mailing_list.pk,
                    "subject": mailing.subject,
                    "key": key or new_token_key(),
                    "confirmed": mailing.fingerprint,
                    **({"update": update.pk} if update else {}),
                },
            )
        context = {
            **self.admin_site.each_context(request),
            "title": "Send a breaking-news alert",
            "opts": self.model._meta,
            "article": article,
            "update": update,
            "form": form,
        }
        return TemplateResponse(
            request, "admin/newsletters/issue/alert.html", context, status=400 if form.errors else 200
        )


class AlertForm(forms.Form):
    mailing_list = forms.ModelChoiceField(
        MailingList.objects.all(), label="Send to", empty_label=None, help_text="The alert list's active subscribers."
    )
    subject = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"class": "vTextField", "size": 70}))
    # Set by the confirmation page: names the one alert that page may create.
    key = forms.RegexField(r"^[A-Za-z0-9_-]{8,22}$", required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lists = MailingList.objects.all()
        alert_lists = lists.filter(slug__contains="alert")
        self.fields["mailing_list"].queryset = lists
        if alert_lists.exists() and not self.is_bound:
            self.initial["mailing_list"] = alert_lists.first().pk


def _key_update(article, update_id):
    """The live story's key update an alert is sent from, or None."""
    if not (update_id or "").isdigit():
        return None
    return LiveUpdate.objects.filter(article=article, pk=int(update_id), key=True).first()


def update_alert_tool(request, article, update):
    """For the live updates on the article admin (NewslettersConfig.ready adds it to `update_tools`): a key update of a
    live story can go out as a breaking alert, for those who may send."""
    if update.key and article.is_live and request.user.has_perm("newsletters.send_issue"):
        url = reverse("admin:newsletters_issue_alert", args=[article.pk])
        return "Send as breaking alert", f"{url}?update={update.pk}"
    return None


def breaking_alert_tool(request, article):
    """For the article admin (NewslettersConfig.ready adds it to its `article_tools`): a "Send as breaking alert"
    link on a live article's page, for those who may send."""
    if article.is_live and request.user.has_perm("newsletters.send_issue"):
        return "Send as breaking alert", reverse("admin:newsletters_issue_alert", args=[article.pk])
    return None


@admin.register(Delivery)
class DeliveryAdmin(RecordAdmin):
    """Who got which issue, read-only: the proof behind "exactly once"."""

    list_display = ["issue", "subscriber", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", "issue"]
    list_select_related = ["issue", "subscriber"]
    search_fields = ["subscriber__email", "message_id"]
    show_full_result_count = False


@admin.register(MailServer)
class MailServerAdmin(RecordAdmin):
    """Whether sending waits for the mail server (docs/sending.md, "The mail server away"): kept by the senders."""

    list_display = ["__str__", "failures", "down_since", "retry_at", "last_error"]
