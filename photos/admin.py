"""The photo library in the admin: uploads, descriptions, focal points, and the pickers articles use."""

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from reversion.models import Version

from newsroom.admin_site import view_path
from photos import services, usage
from photos.images import inspect_upload
from photos.models import Image
from photos.renditions import picture_for, thumbnail_url

PICKER_PAGE_SIZE = 48


class PrivateFileInput(forms.ClearableFileInput):
    """A file input that names the current original without linking to it: originals have no URL."""

    template_name = "photos/widgets/private_file.html"

    def is_initial(self, value):
        return bool(value and getattr(value, "name", None))


class ImageForm(forms.ModelForm):
    class Meta:
        model = Image
        fields = ["original", "alt_text", "caption", "credit", "source", "focal_x", "focal_y"]
        widgets = {
            "original": PrivateFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
            "caption": forms.Textarea(attrs={"rows": 3}),
            "focal_x": forms.NumberInput(attrs={"step": "0.001", "min": "0", "max": "1"}),
            "focal_y": forms.NumberInput(attrs={"step": "0.001", "min": "0", "max": "1"}),
        }

    def clean_original(self):
        upload = self.cleaned_data.get("original")
        if upload and "original" in self.changed_data:
            inspect_upload(upload)
        return upload


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageForm
    list_display = ["thumbnail", "alt_text", "caption_excerpt", "credit", "source", "size", "uploaded_at", "ready"]
    list_display_links = ["thumbnail", "alt_text"]
    list_filter = ["source", "format", "uploaded_at"]
    list_select_related = ["source"]
    search_fields = ["caption", "credit", "alt_text"]
    search_help_text = "Search caption, credit and alt text."
    autocomplete_fields = ["source"]
    readonly_fields = [
        "focal_point_picker",
        "crops",
        "size",
        "format",
        "uploaded_by",
        "uploaded_at",
        "ready",
        "used_by",
        "history",
        "original_file",
    ]
    fieldsets = [
        (None, {"fields": ["original", "alt_text", "caption", "credit", "source"]}),
        (
            "Focal point",
            {
                "fields": ["focal_point_picker", ("focal_x", "focal_y"), "crops"],
                "description": "Every crop keeps this point in frame. Click the subject in the picture, "
                "or type the position as fractions of the width and height.",
            },
        ),
        ("File", {"fields": ["size", "format", "uploaded_by", "uploaded_at", "ready"]}),
        ("Use and history", {"fields": ["used_by", "history"]}),
    ]

    class Media:
        css = {"all": ["photos/admin/images.css"]}
        js = ["photos/admin/focal_point.js"]

    def get_fieldsets(self, request, obj=None):
        if obj is None:  # the focal point is chosen on the picture, which exists once it is uploaded
            return [(None, {"fields": ["original", "alt_text", "caption", "credit", "source"]})]
        if not self.has_change_permission(request, obj):
            # Read-only, the admin would link to the original, which has no URL: name it instead.
            return [
                (name, {**options, "fields": ["original_file" if f == "original" else f for f in options["fields"]]})
                for name, options in self.fieldsets
            ]
        return self.fieldsets

    @admin.display(description="Original")
    def original_file(self, obj):
        return obj.original.name.rsplit("/", 1)[-1] if obj and obj.original else "—"

    # ---- who may change a picture: the model decides (Image.edit_refusal), the admin follows

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.can_change(request.user))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        image = self.get_object(request, admin.utils.unquote(object_id)) if object_id else None
        if image is not None:
            refusal = image.edit_refusal(request.user)
            if refusal and request.method == "GET" and self.has_view_permission(request, image):
                messages.info(request, f"{refusal} You can look, not change.")
            ensure_baseline_revision(image)
        with reversion.create_revision():
            reversion.set_user(request.user)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self._record_revision(obj, entry)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self._record_revision(obj, entry)
        return entry

    def _record_revision(self, image, entry):
        if not reversion.is_active():
            return
        reversion.add_to_revision(image)
        comment = entry.get_change_message() or "Saved."
        reversion.set_comment(f"Picture {image.pk}: {comment}")
        # Readers of these stories see the change at once: it belongs in their history too.
        for use in image.uses():
            if use.published and use.obj is not None:
                reversion.add_to_revision(use.obj)

    @admin.display(description="Shown in")
    def used_by(self, obj):
        if not obj or not obj.pk:
            return "—"
        uses = obj.uses()[:20]
        if not uses:
            return "No article shows this picture."
        items = [format_html('<li><a href="{}">{}</a> ({})</li>', use.admin_url, use.title, use.status) for use in uses]
        return format_html("<ul>{}</ul>", format_html("".join(["{}"] * len(items)), *items))

    @admin.display(description="Earlier versions")
    def history(self, obj):
        if not obj or not obj.pk:
            return "—"
        rows = []
        for version in Version.objects.get_for_object(obj).select_related("revision__user")[:20]:
            fields = version.field_dict
            rows.append(
                format_html(
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    date_format(timezone.localtime(version.revision.date_created), "DATETIME_FORMAT"),
                    version.revision.user or "—",
                    version.revision.get_comment(),
                    fields.get("alt_text", ""),
                    fields.get("caption", ""),
                    fields.get("credit", ""),
                )
            )
        if not rows:
            return "No changes recorded yet."
        return format_html(
            '<table class="image-history"><thead><tr><th scope="col">When</th><th scope="col">Who</th>'
            '<th scope="col">Change</th><th scope="col">Alt text</th><th scope="col">Caption</th>'
            '<th scope="col">Credit</th></tr></thead><tbody>{}</tbody></table>',
            format_html("".join(["{}"] * len(rows)), *rows),
        )

    def save_model(self, request, obj, form, change):
        upload = form.cleaned_data["original"] if "original" in form.changed_data else None
        refocused = bool({"focal_x", "focal_y"} & set(form.changed_data))
        services.save_image(image=obj, upload=upload, refocused=refocused, uploaded_by=request.user)

    def response_post_save_add(self, request, obj):
        # Straight on to the focal point: it can only be set once the picture exists.
        self.message_user(request, "Now click the subject of the picture to set the focal point for its crops.")
        return HttpResponseRedirect(reverse("admin:photos_image_change", args=[obj.pk]))

    def get_deleted_objects(self, objs, request):
        """Also protect pictures placed in article bodies, which no foreign key records."""
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        # Foreign keys (a lead image) are protected by the database already; uses no key records are added here.
        for uses in usage.uses_of(objs).values():
            for use in uses:
                if use.how != "lead image":
                    protected.append(
                        format_html('{}: <a href="{}">{}</a> ({})', use.what, use.admin_url, use.title, use.how)
                    )
        return to_delete, model_count, perms_needed, protected

    def delete_model(self, request, obj):
        services.delete_image(image=obj)

    def delete_queryset(self, request, queryset):
        for image in queryset:
            services.delete_image(image=image)

    @admin.display(description="Picture")
    def thumbnail(self, obj):
        return format_html(
            '<img class="library-thumb" src="{}" width="80" height="80" alt="" loading="lazy">', thumbnail_url(obj)
        )

    @admin.display(description="Caption", ordering="caption")
    def caption_excerpt(self, obj):
        return obj.caption if len(obj.caption) <= 90 else f"{obj.caption[:89]}…"

    @admin.display(description="Size")
    def size(self, obj):
        return f"{obj.width} × {obj.height}" if obj.width else "—"

    @admin.display(boolean=True, description="Renditions ready")
    def ready(self, obj):
        return obj.renditions_ready

    @admin.display(description="Picture")
    def focal_point_picker(self, obj):
        if not obj or not obj.file:
            return "—"
        return format_html(
            '<div class="focal-picker" data-x-input="id_focal_x" data-y-input="id_focal_y" tabindex="0" '
            'role="application" aria-label="Focal point: click the subject, or use the arrow keys">'
            '<img src="{}" width="{}" height="{}" alt="{}"><span class="focal-marker" hidden></span></div>',
            obj.file.url,
            obj.width,
            obj.height,
            obj.alt_text,
        )

    @admin.display(description="Crops")
    def crops(self, obj):
        if not obj or not obj.file:
            return "—"
        if not obj.renditions_ready:
            return "Being made: refresh in a moment to see the crops around the focal point."
        cells = []
        for spec in ("thumbnail", "card", "social"):
            picture = picture_for(obj, spec)
            cells.append(
                format_html(
                    '<figure class="crop-preview"><img src="{}" width="{}" height="{}" alt="">'
                    "<figcaption>{}</figcaption></figure>",
                    picture.src,
                    picture.width,
                    picture.height,
                    f"{spec} ({picture.width} × {picture.height})",
                )
            )
        return format_html('<div class="crop-previews">{}</div>', format_html("".join(["{}"] * len(cells)), *cells))

    def get_urls(self):
        return [
            view_path(self, "pick/", self.picker_view, "picker", methods=["GET", "HEAD"]),
            view_path(self, "<int:pk>/thumbnail/", self.thumbnail_view, "thumbnail"),
            *super().get_urls(),
        ]

    def picker_view(self, request):
        """The library as a searchable grid, opened from the body editor's "Browse..." button.

        The editor opens it as a popup with ``CKEditorFuncNum`` (the protocol django-prose-editor speaks);
        picking calls back into the editor with the image's URL, id, alt text and caption.
        """
        if not self.has_view_permission(request):
            raise PermissionDenied
        query = request.GET.get("q", "").strip()[:200]
        images = Image.objects.all()
        if query:
            images = images.search(query)
        context = {
            **self.admin_site.each_context(request),
            "title": "Choose a picture",
            "opts": self.model._meta,
            "is_popup": True,
            "query": query,
            "func_num": request.GET.get("CKEditorFuncNum", ""),
            "images": [(image, thumbnail_url(image)) for image in images[:PICKER_PAGE_SIZE]],
            "more": images.count() > PICKER_PAGE_SIZE,
            "media": forms.Media(js=["photos/admin/image_picker.js"], css={"all": ["photos/admin/images.css"]}),
        }
        return TemplateResponse(request, "admin/photos/image/picker.html", context)

    def thumbnail_view(self, request, pk):
        """Redirect to an image's small crop: lets the lead image widget follow a choice made in the popup."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return HttpResponseRedirect(thumbnail_url(get_object_or_404(Image, pk=pk)))


def ensure_baseline_revision(image):
    """Record a picture made outside the admin (uploads by service, demo) before its first admin change, so its
    history shows what it was."""
    if Version.objects.get_for_object(image).exists():
        return
    with reversion.create_revision():
        reversion.add_to_revision(image)
        reversion.set_comment("The picture as it was before its first change in the admin.")


class LeadImageWidget(ForeignKeyRawIdWidget):
    """The raw-id lookup (the library's searchable list, with thumbnails, in a popup) plus the chosen picture."""

    template_name = "photos/widgets/lead_image.html"

    class Media:
        css = {"all": ["photos/admin/images.css"]}
        js = ["admin/js/jquery.init.js", "photos/admin/lead_image.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        image = Image.objects.filter(pk=value).first() if value not in (None, "") else None
        context["thumbnail"] = thumbnail_url(image) if image else ""
        context["thumbnail_base"] = reverse("admin:photos_image_changelist")
        return context


class LeadImageAdminMixin:
    """For ArticleAdmin: the lead image is chosen from the library with a thumbnail picker."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "lead_image":
            kwargs["widget"] = LeadImageWidget(db_field.remote_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
