from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from mailinglist import csvio, services
from mailinglist.consent import Consent
from mailinglist.forms import ImportForm
from mailinglist.models import ConsentEvent, MailingList, Subscriber, Subscription, Suppression
from newsroom.admin_site import RecordAdmin, view_path


@admin.register(MailingList)
class MailingListAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_public", "default_checked", "order", "active_subscribers", "all_subscribers"]
    list_editable = ["order"]
    list_filter = ["is_public", "default_checked"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_active=Count("subscriptions", filter=Q(subscriptions__subscriber__status=Subscriber.Status.ACTIVE)),
                n_all=Count("subscriptions"),
            )
        )

    @admin.display(description="active subscribers", ordering="n_active")
    def active_subscribers(self, obj):
        return obj.n_active

    @admin.display(description="all subscriptions", ordering="n_all")
    def all_subscribers(self, obj):
        return obj.n_all


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    extra = 0
    fields = ["mailing_list", "created_at"]
    readonly_fields = ["mailing_list", "created_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ConsentEventInline(admin.TabularInline):
    model = ConsentEvent
    extra = 0
    fields = ["kind", "at", "lists", "source", "ip_address", "user_agent", "wording"]
    readonly_fields = fields
    can_delete = False
    ordering = ["at", "pk"]
    verbose_name_plural = "Consent record"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _admin_consent(request, action: str) -> Consent:
    return Consent.from_request(request, source=f"admin: {action} by {request.user.get_username()}")


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "status", "list_names", "source", "created_at", "confirmed_at"]
    list_filter = ["status", "subscriptions__mailing_list", "created_at", "confirmed_at"]
    search_fields = ["email", "name", "source"]
    search_help_text = "Search address, name and signup source."
    date_hierarchy = "created_at"
    fields = ["email", "name", "status", "source", "created_at", "confirmed_at", "unsubscribed_at", "last_notice_at"]
    readonly_fields = ["email", "status", "source", "created_at", "confirmed_at", "unsubscribed_at", "last_notice_at"]
    inlines = [SubscriptionInline, ConsentEventInline]
    actions = ["unsubscribe_selected", "erase_selected"]
    show_full_result_count = False

    def get_queryset(self, request):
        subscriptions = Prefetch("subscriptions", queryset=Subscription.objects.select_related("mailing_list"))
        return super().get_queryset(request).prefetch_related(subscriptions)

    @admin.display(description="lists")
    def list_names(self, obj):
        return ", ".join(subscription.mailing_list.name for subscription in obj.subscriptions.all()) or "—"

    # Subscribers arrive through double opt-in or a CSV import with a consent note, never by hand; they leave
    # through erasure, which keeps a suppression entry, never by a plain delete.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("mailinglist.erase_subscriber"):
            actions.pop("erase_selected", None)
        if not request.user.has_perm("mailinglist.change_subscriber"):
            actions.pop("unsubscribe_selected", None)
        return actions

    @admin.action(description="Unsubscribe selected subscribers from every list", permissions=["change"])
    def unsubscribe_selected(self, request, queryset):
        consent = _admin_consent(request, "unsubscribed")
        changed = sum(1 for subscriber in queryset if subscriber.unsubscribe(consent=consent))
        self.message_user(request, f"Unsubscribed {changed} subscriber{pluralize(changed)}.", messages.SUCCESS)

    @admin.action(description="Erase selected subscribers (keeps only an anonymous suppression entry)")
    def erase_selected(self, request, queryset):
        if not request.user.has_perm("mailinglist.erase_subscriber"):
            raise PermissionDenied
        if request.POST.get("confirm_erase") != "yes":
            return render(
                request,
                "admin/mailinglist/subscriber/erase_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Erase subscribers",
                    "subscribers": queryset,
                    "opts": self.model._meta,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        consent = _admin_consent(request, "erased")
        erased = 0
        for subscriber in queryset:
            services.erase(subscriber=subscriber, consent=consent)
            erased += 1
        self.message_user(request, f"Erased {erased} subscriber{pluralize(erased)}.", messages.SUCCESS)

    def get_urls(self):
        return [
            view_path(self, "export/", self.export_view, "export"),
            view_path(self, "import/", self.import_view, "import"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        status_counts = dict(Subscriber.objects.values_list("status").annotate(n=Count("pk")).order_by())
        extra_context = {
            **(extra_context or {}),
            "status_counts": [(label, status_counts.get(value, 0)) for value, label in Subscriber.Status.choices],
            "list_counts": MailingListAdmin(MailingList, self.admin_site).get_queryset(request),
            "can_export": request.user.has_perm("mailinglist.export_subscribers"),
            "can_import": request.user.has_perm("mailinglist.import_subscribers"),
        }
        return super().changelist_view(request, extra_context)

    def export_view(self, request):
        """The subscribers the change list shows (same filters and search), streamed as CSV."""
        if not request.user.has_perm("mailinglist.export_subscribers"):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        queryset = changelist.get_queryset(request).prefetch_related(None)
        response = StreamingHttpResponse(csvio.export_lines(queryset), content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="subscribers-{stamp}.csv"'
        return response

    def import_view(self, request):
        if not request.user.has_perm("mailinglist.import_subscribers"):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        report = None
        file_error = ""
        status = 200
        if request.method == "POST":
            if form.is_valid():
                try:
                    records = csvio.read_import(form.cleaned_data["file"])
                except csvio.ImportFileError as error:
                    file_error = str(error)
                    status = 400
                else:
                    report = services.import_subscribers(
                        records=records,
                        lists=form.cleaned_data["lists"],
                        consent_note=form.cleaned_data["consent_note"],
                        filename=form.cleaned_data["file"].name,
                        by=request.user,
                    )
                    # A fresh form, so the report is not one click away from a second import of the same file.
                    form = ImportForm()
            else:
                status = 400
        context = {
            **self.admin_site.each_context(request),
            "title": "Import subscribers from CSV",
            "opts": self.model._meta,
            "form": form,
            "report": report,
            "file_error": file_error,
            "changelist_url": reverse("admin:mailinglist_subscriber_changelist"),
        }
        return TemplateResponse(request, "admin/mailinglist/subscriber/import.html", context, status=status)


@admin.register(ConsentEvent)
class ConsentEventAdmin(RecordAdmin):
    """The consent record on its own (read-only, as every record is: see RecordAdmin)."""

    list_display = ["at", "kind", "subscriber", "lists", "source", "ip_address"]
    list_filter = ["kind", "at"]
    list_select_related = ["subscriber"]
    search_fields = ["subscriber__email", "source", "ip_address"]
    date_hierarchy = "at"
    show_full_result_count = False


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    list_display = ["email_hash", "reason", "created_at"]
    search_fields = ["email_hash"]
    readonly_fields = ["email_hash", "reason", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
