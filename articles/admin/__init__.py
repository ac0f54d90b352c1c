from django import forms
from django.contrib import admin
from django.db.models import Prefetch
from django.http import JsonResponse
from taggit.models import Tag, TaggedItem

from articles import services
from articles.admin.changes import PendingChangesAdmin
from articles.admin.live import LiveCoverageAdmin, update_tools  # noqa: F401 - the hook other apps fill in
from articles.admin.workflow import ArticleWorkflowAdmin
from articles.models import Article, Author, Byline, Category, Source, format_bylines
from articles.widgets import SlugFromHeadlineWidget, TagAutocompleteWidget
from newsroom.admin_site import view_path
from photos.admin import LeadImageAdminMixin
from photos.images import inspect_upload

# Links other apps add to an article's page (newsletters: "Send as breaking alert"), so this app needs to know
# nothing of them: each is called with the request and the article, and returns (label, url) or None. Links for one
# live update go in `update_tools` (articles/admin/live.py), called with the request, the article and the update.
article_tools = []


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "url"]
    search_fields = ["name", "short_name"]


class AuthorForm(forms.ModelForm):
    # A plain file field: the photo library's checks (articles/images.py) judge the upload, with their own messages.
    photo = forms.FileField(
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
        help_text="JPEG, PNG, WebP or GIF. Published as a square around the centre, without its metadata.",
    )

    class Meta:
        model = Author
        fields = ["name", "slug", "job_title", "bio", "photo", "user", "affiliation"]

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and "photo" in self.changed_data:
            inspect_upload(photo)
        return photo


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    form = AuthorForm
    list_display = ["name", "job_title", "affiliation", "user"]
    list_filter = ["affiliation"]
    list_select_related = ["affiliation", "user"]
    search_fields = ["name", "job_title", "bio"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user", "affiliation"]

    def save_model(self, request, obj, form, change):
        photo = form.cleaned_data.get("photo") if "photo" in form.changed_data else None
        services.save_author(
            author=obj, photo=photo or None, clear_photo="photo" in form.changed_data and photo is False
        )

    def delete_model(self, request, obj):
        services.delete_author(author=obj)

    def delete_queryset(self, request, queryset):
        for author in queryset:
            services.delete_author(author=author)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "parent", "nav_order", "in_navigation"]
    list_editable = ["nav_order", "in_navigation"]
    list_filter = ["in_navigation", "parent"]
    list_select_related = ["parent"]
    search_fields = ["name", "short_name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 1
    autocomplete_fields = ["author"]
    fields = ["author", "role", "order"]


class RecentTagFilter(admin.SimpleListFilter):
    """Tags in use lately (and the one chosen), not all of them: a newsroom has thousands, and listing every one on
    each load of the article list would cost more than the list. Any tag can still be chosen as ?tag=<slug>."""

    title = "tag (recently used)"
    parameter_name = "tag"
    shown = 12

    def lookups(self, request, model_admin):
        recent = TaggedItem.objects.filter(content_type__model="article", content_type__app_label="articles")
        slugs = list(dict.fromkeys(recent.order_by("-id").values_list("tag__slug", flat=True)[: self.shown * 5]))
        slugs = slugs[: self.shown]
        if self.value() and self.value() not in slugs:
            slugs.append(self.value())
        names = dict(Tag.objects.filter(slug__in=slugs).values_list("slug", "name"))
        return [(slug, names[slug]) for slug in slugs if slug in names]

    def queryset(self, request, queryset):
        return queryset.filter(tags__slug=self.value()) if self.value() else queryset


@admin.register(Article)
class ArticleAdmin(LeadImageAdminMixin, LiveCoverageAdmin, PendingChangesAdmin, ArticleWorkflowAdmin, admin.ModelAdmin):
    list_display = ["headline", "status", "category", "bylines_display", "published_at", "featured"]
    list_filter = ["status", "featured", "category", "bylines__author", RecentTagFilter, "published_at"]
    date_hierarchy = "published_at"
    # "N results (M total)" would count the whole table a second time on every filtered load.
    show_full_result_count = False
    # Searched through the public search's full-text index (get_search_results), not with icontains over the table.
    search_fields = ["headline"]
    search_help_text = (
        "Words in the headline, dek or body (\"a phrase\", -without), an author's name, or an article's ID, slug or "
        "address."
    )
    # The slug follows the headline through SlugFromHeadlineWidget (see get_form), not prepopulated_fields.
    autocomplete_fields = ["category", "secondary_categories", "source"]
    raw_id_fields = ["lead_image"]
    inlines = [BylineInline]
    list_select_related = ["category"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "dek", "dateline", "body"]}),
        ("Lead image", {"fields": ["lead_image", "lead_image_caption", "lead_image_credit"]}),
        ("Filing", {"fields": ["category", "secondary_categories", "tags", "featured"]}),
        ("Wire copy", {"fields": ["source", "original_url", "canonical_is_original"], "classes": ["collapse"]}),
        ("Publication", {"fields": ["status", "published_at", "created_at", "updated_at"]}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "tags":
            kwargs["widget"] = TagAutocompleteWidget()
        if db_field.name == "slug":
            kwargs["widget"] = SlugFromHeadlineWidget()
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "slug" in form.base_fields and obj is not None and obj.was_published:
            form.base_fields["slug"].widget.attrs["data-slug-locked"] = "1"
        return form

    def get_urls(self):
        return [view_path(self, "tags/suggestions/", self.tag_suggestions, "tag_suggestions"), *super().get_urls()]

    def tag_suggestions(self, request):
        """Existing tag names starting with ?q=, for the tag input's suggestions (staff only, via admin_view)."""
        query = request.GET.get("q", "").strip()[:100]
        names = list(Tag.objects.filter(name__istartswith=query).order_by("name").values_list("name", flat=True)[:10])
        return JsonResponse({"results": names if query else []})

    def get_search_results(self, request, queryset, search_term):
        return queryset.find(search_term), False

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["article_tools"] = [link for tool in article_tools if (link := tool(request, obj))]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("bylines", queryset=Byline.objects.select_related("author")))
            .with_pending_state()
        )

    @admin.display(description="Bylines")
    def bylines_display(self, obj):
        return format_bylines(obj.bylines.all())

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.is_live else None
