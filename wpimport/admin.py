from pathlib import PurePath

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from newsroom.admin_site import RecordAdmin
from wpimport import importer, tasks
from wpimport.models import ImportedItem, ImportRun, OldAddress


def uploads_folders():
    """The folders an admin may point an import at: those directly inside NEWSROOM_WORDPRESS_UPLOADS_ROOT."""
    root = settings.NEWSROOM_WORDPRESS_UPLOADS_ROOT
    if not root.is_dir():
        return []
    return sorted(child.name for child in root.iterdir() if child.is_dir() and not child.name.startswith("."))


class ImportRunForm(forms.ModelForm):
    uploads = forms.ChoiceField(
        label="Pictures",
        required=False,
        help_text="A copy of the site's wp-content/uploads folder, put on the server in "
        "NEWSROOM_WORDPRESS_UPLOADS_ROOT (docs/import.md). Without one, stories come without their pictures.",
    )

    class Meta:
        model = ImportRun
        fields = ["export"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["export"].required = True
        self.fields["export"].widget.attrs["accept"] = ".xml,text/xml,application/xml"
        self.fields["uploads"].choices = [("", "No pictures"), *((name, name) for name in uploads_folders())]

    def clean_export(self):
        export = self.cleaned_data["export"]
        if PurePath(export.name).suffix.lower() != ".xml":
            raise forms.ValidationError("Choose the .xml file WordPress's Tools → Export downloads.")
        return export


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """An upload starts an import, run by the task worker; its page shows the progress, then the report."""

    form = ImportRunForm
    list_display = ["__str__", "site", "status", "progress", "started_by"]
    list_filter = ["status"]
    actions = ["import_again"]
    readonly_fields = ["filename", "site", "uploads_dir", "status", "progress", "started_by", "started_at"]
    readonly_fields += ["finished_at", "message", "report_text"]

    def get_fields(self, request, obj=None):
        return ["export", "uploads"] if obj is None else self.readonly_fields

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:
            kwargs["form"] = forms.ModelForm  # the run's page: every field is read-only
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return False  # a run is a record: its page shows it, nothing on it is edited

    @admin.display(description="progress")
    def progress(self, run):
        if run.status == ImportRun.Status.FAILED:
            return "—"
        return format_html(
            '<progress max="100" value="{}" aria-label="Import progress">{}%</progress> {} of {} posts',
            run.percent,
            run.percent,
            run.done,
            run.total or "?",
        )

    @admin.display(description="report")
    def report_text(self, run):
        if not run.report:
            return "—"
        return format_html('<pre class="import-report">{}</pre>', "\n".join(importer.report_lines(run.report)))

    def save_model(self, request, obj, form, change):
        obj.filename = PurePath(form.cleaned_data["export"].name).name
        obj.started_by = request.user
        folder = form.cleaned_data.get("uploads") or ""
        obj.uploads_dir = str(settings.NEWSROOM_WORDPRESS_UPLOADS_ROOT / folder) if folder else ""
        super().save_model(request, obj, form, change)
        pk = obj.pk
        transaction.on_commit(lambda: tasks.import_wordpress.enqueue(pk, folder))

    def response_add(self, request, obj, post_url_continue=None):
        messages.success(request, "The import has started. This page shows how far it has got.")
        return HttpResponseRedirect(reverse("admin:wpimport_importrun_change", args=[obj.pk]))

    @admin.action(description="Import the selected files again (finishes an interrupted import; adds no duplicates)")
    def import_again(self, request, queryset):
        queued = 0
        for run in queryset.exclude(export=""):
            ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.QUEUED, message="")
            folder = PurePath(run.uploads_dir).name if run.uploads_dir else ""
            transaction.on_commit(lambda pk=run.pk, folder=folder: tasks.import_wordpress.enqueue(pk, folder))
            queued += 1
        self.message_user(request, f"{queued} import(s) started again.")

    def delete_model(self, request, obj):
        export = obj.export.name
        super().delete_model(request, obj)
        if export:
            transaction.on_commit(lambda: obj.export.storage.delete(export))

    def delete_queryset(self, request, queryset):
        for run in queryset:
            self.delete_model(request, run)


@admin.register(ImportedItem)
class ImportedItemAdmin(RecordAdmin):
    list_display = ["name", "kind", "key", "target_link", "merged", "site"]
    list_filter = ["kind", "merged", "site"]
    search_fields = ["name", "key", "path"]

    @admin.display(description="is now")
    def target_link(self, item):
        target = item.target
        if target is None:
            return "deleted since"
        url = getattr(target, "get_absolute_url", None)
        return format_html('<a href="{}">{}</a>', url(), target) if url else str(target)


@admin.register(OldAddress)
class OldAddressAdmin(RecordAdmin):
    list_display = ["path", "item"]
    search_fields = ["path"]
    list_select_related = ["item"]
