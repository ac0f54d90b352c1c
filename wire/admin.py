"""The wire desk in the admin: the queue ("Wire queue"), each item's page with "Use this story" and updates side by
side with the story, and the channels with how their polls went."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from articles.fields import sanitize_body
from articles.workflow import EditConflict
from wire import polling, services, tasks
from wire.models import Channel, Rule, WireItem


def _errors(exc):
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or "You may not do that."


def wire_update_tool(request, article):
    """A link on a story's admin page (articles.admin.article_tools) to the agency's newer version, if one waits."""
    item = article.wire_items.filter(state=WireItem.State.UPDATED).only("pk", "version").first()
    if item is None or not request.user.has_perm("wire.view_wireitem"):
        return None
    return (f"Wire update waiting: version {item.version}", reverse("admin:wire_wireitem_change", args=[item.pk]))


class RuleInline(admin.TabularInline):
    model = Rule
    extra = 1
    autocomplete_fields = ["section"]
    fields = ["keyword", "section", "tag"]


class UploadForm(forms.Form):
    document = forms.FileField(help_text="A NewsML-G2 newsItem or newsMessage (XML), or ninjs (JSON), or a feed.")


class WireMedia:
    css = {"all": ["css/admin-workflow.css"]}


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    Media = WireMedia
    list_display = [
        "name",
        "kind",
        "source",
        "enabled",
        "auto_publish",
        "last_success_at",
        "last_error_display",
        "waiting_count",
        "item_count",
        "next_poll_display",
    ]
    list_filter = ["kind", "enabled", "auto_publish", "source"]
    list_select_related = ["source"]
    search_fields = ["name", "url"]
    autocomplete_fields = ["source", "section"]
    inlines = [RuleInline]
    actions = ["poll_now"]
    readonly_fields = [
        "last_polled_at",
        "last_success_at",
        "last_result",
        "last_error",
        "last_error_at",
        "failures",
        "next_poll_at",
        "push_address",
    ]
    fieldsets = [
        (None, {"fields": ["name", "kind", "url", "source", "section", "enabled", "poll_minutes"]}),
        ("Stories made from it", {"fields": ["canonical_is_original", "auto_publish"]}),
        (
            "How it went",
            {
                "fields": [
                    "last_polled_at",
                    "last_success_at",
                    "last_result",
                    "last_error",
                    "last_error_at",
                    "failures",
                    "next_poll_at",
                    "push_address",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        waiting = Q(items__state__in=[WireItem.State.NEW, WireItem.State.UPDATED])
        return super().get_queryset(request).annotate(_items=Count("items"), _waiting=Count("items", filter=waiting))

    @admin.display(description="items", ordering="_items")
    def item_count(self, obj):
        return obj._items

    @admin.display(description="waiting", ordering="_waiting")
    def waiting_count(self, obj):
        url = reverse("admin:wire_wireitem_changelist") + f"?channel__id__exact={obj.pk}&state=new,updated"
        return format_html('<a href="{}">{}</a>', url, obj._waiting)

    @admin.display(description="last error")
    def last_error_display(self, obj):
        if not obj.last_error:
            return "—"
        if obj.last_success_at and obj.last_error_at and obj.last_success_at > obj.last_error_at:
            return format_html(
                '<span class="wire-old-error" title="{}">(resolved) {}</span>', obj.last_error, _short(obj.last_error)
            )
        return format_html('<span class="wire-error" title="{}">{}</span>', obj.last_error, _short(obj.last_error))

    @admin.display(description="next poll")
    def next_poll_display(self, obj):
        if not obj.is_polled:
            return "pushed"
        if not obj.enabled:
            return "off"
        if obj.next_poll_at is None:
            return "not scheduled"
        return timezone.localtime(obj.next_poll_at).strftime("%H:%M")

    @admin.display(description="push address")
    def push_address(self, obj):
        if obj.pk is None or obj.kind != Channel.Kind.PUSH:
            return "—"
        url = reverse("wire:push", args=[obj.pk])
        return format_html(
            "POST NewsML-G2 or ninjs to <code>{}</code> with the header <code>Authorization: Bearer {}</code>, or "
            '<a href="{}">upload a file</a>.',
            url,
            obj.push_token,
            reverse("admin:wire_channel_upload", args=[obj.pk]),
        )

    def changelist_view(self, request, extra_context=None):
        tasks.resume_stalled()
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        obj.ensure_push_token()
        super().save_model(request, obj, form, change)
        if obj.enabled and obj.is_polled:
            tasks.schedule_poll(obj)
        else:
            tasks.stop_polling(obj)

    @admin.action(description="Poll the selected channels now", permissions=["change"])
    def poll_now(self, request, queryset):
        polled = [c for c in queryset if c.is_polled and c.enabled]
        for channel in polled:
            tasks.schedule_poll(channel)
        if polled:
            messages.success(
                request, f"Polling {', '.join(str(c) for c in polled)} now: the results appear here shortly."
            )
        if len(polled) < queryset.count():
            messages.warning(request, "Channels that are off or receive pushed items were not polled.")

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [path("<int:pk>/upload/", wrap(self.upload_view), name="wire_channel_upload"), *super().get_urls()]

    def upload_view(self, request, pk):
        channel = get_object_or_404(Channel, pk=pk)
        if not self.has_change_permission(request, channel):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["document"]
            if upload.size > settings.NEWSROOM_WIRE_MAX_BYTES:
                form.add_error("document", "The file is larger than the wire's limit (NEWSROOM_WIRE_MAX_BYTES).")
            else:
                outcome = polling.receive(channel, upload.read(), content_type=upload.content_type or "")
                if outcome.ok:
                    messages.success(request, f"{channel}: {outcome.summary()}")
                    return HttpResponseRedirect(
                        reverse("admin:wire_wireitem_changelist") + f"?channel__id__exact={channel.pk}"
                    )
                form.add_error("document", outcome.error)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Upload items to “{channel}”",
            "opts": self.model._meta,
            "original": channel,
            "form": form,
        }
        return TemplateResponse(request, "admin/wire/channel/upload.html", context, status=400 if form.errors else 200)


def _short(text, length=80):
    return text if len(text) <= length else f"{text[: length - 1]}…"


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("new,updated", "Waiting (new or updated)"), *((s.value, s.label) for s in WireItem.State)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(state__in=self.value().split(","))
        return queryset


@admin.register(WireItem)
class WireItemAdmin(admin.ModelAdmin):
    Media = WireMedia
    list_display = ["headline", "channel", "state_display", "authors_display", "sent_at", "story"]
    list_filter = [StateFilter, "channel", "format"]
    list_select_related = ["channel", "article"]
    search_fields = ["headline", "dek", "body", "guid"]
    search_help_text = "Words in the headline, summary or body, or the agency's identifier."
    date_hierarchy = "received_at"
    show_full_result_count = False
    actions = ["use_selected", "ignore_selected"]
    change_form_template = "admin/wire/wireitem/item.html"

    def has_add_permission(self, request):
        return False  # items arrive from their channels

    def has_change_permission(self, request, obj=None):
        return False  # the page is read-only; its buttons are the changes

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not services.may_use(request.user):
            actions.pop("use_selected", None)
        if not request.user.has_perm("wire.change_wireitem"):
            actions.pop("ignore_selected", None)
        return actions

    @admin.display(description="state", ordering="state")
    def state_display(self, obj):
        label = obj.get_state_display()
        if obj.version > 1:
            label = f"{label} (version {obj.version})"
        return format_html('<span class="wire-state wire-state-{}">{}</span>', obj.state, label)

    @admin.display(description="by")
    def authors_display(self, obj):
        return ", ".join(obj.authors)

    @admin.display(description="story")
    def story(self, obj):
        if obj.article_id is None:
            return "—"
        url = reverse("admin:articles_article_change", args=[obj.article_id])
        return format_html('<a href="{}">{}</a>', url, obj.article.get_status_display())

    def changelist_view(self, request, extra_context=None):
        tasks.resume_stalled()
        return super().changelist_view(request, {"title": "Wire queue", **(extra_context or {})})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        item = get_object_or_404(WireItem.objects.select_related("channel__source", "article"), pk=object_id)
        if not self.has_view_permission(request, item):
            raise PermissionDenied
        user = request.user
        section, tags, _rules = services.filing(item)
        update = None
        if item.state == WireItem.State.UPDATED and item.article_id:
            update = {
                "diffs": services.update_diffs(item),
                "live": item.article.is_live,
                "version": item.article.version,
                "note": services.default_update_note(item),
                "can_take": user.has_perm("articles.edit_any_article")
                or (item.article.can_edit(user) and not item.article.is_live),
            }
        context = {
            **self.admin_site.each_context(request),
            "title": item.headline,
            "subtitle": None,
            "opts": self.model._meta,
            "original": item,
            "item": item,
            "body": mark_safe(sanitize_body(item.body)),  # noqa: S308 - sanitised with the article body's policy
            "section": section,
            "tags": tags,
            "update": update,
            "can_use": services.may_use(user) and item.article_id is None,
            "can_change": user.has_perm("wire.change_wireitem"),
            "has_view_permission": True,
        }
        return TemplateResponse(request, self.change_form_template, context)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        steps = [
            path(f"<int:pk>/{name}/", wrap(require_POST(getattr(self, f"{name}_view"))), name=f"wire_wireitem_{name}")
            for name in ("use", "ignore", "restore", "take", "keep")
        ]
        return [*steps, *super().get_urls()]

    def _item(self, request, pk):
        item = get_object_or_404(WireItem, pk=pk)
        if not self.has_view_permission(request, item):
            raise PermissionDenied
        return item

    def _back(self, item):
        return HttpResponseRedirect(reverse("admin:wire_wireitem_change", args=[item.pk]))

    def use_view(self, request, pk):
        item = self._item(request, pk)
        try:
            article, problems = services.use_item(item=item, by=request.user)
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, _errors(exc))
            return self._back(item)
        messages.success(request, f"Draft made from the wire: “{article}”. It goes through the usual workflow.")
        for problem in problems:
            messages.warning(request, problem)
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def ignore_view(self, request, pk):
        return self._step(request, pk, WireItem.ignore, "Ignored: it leaves the waiting list.")

    def restore_view(self, request, pk):
        return self._step(request, pk, WireItem.back_to_queue, "Back in the queue.")

    def keep_view(self, request, pk):
        return self._step(request, pk, WireItem.keep_our_version, "The story keeps its version.")

    def _step(self, request, pk, step, done):
        item = self._item(request, pk)
        try:
            step(item, by=request.user)
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, done)
        return self._back(item)

    def take_view(self, request, pk):
        item = self._item(request, pk)
        try:
            expected = int(request.POST.get("expected_version", ""))
        except ValueError:
            messages.error(request, "Open the item again and take the update from there.")
            return self._back(item)
        try:
            article = services.take_update(
                item=item, by=request.user, expected_version=expected, note=request.POST.get("note", "")
            )
        except EditConflict as exc:
            messages.error(
                request, f"Someone changed “{exc.current}” after you opened this comparison: look at it again."
            )
            return self._back(item)
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, _errors(exc))
            return self._back(item)
        told = " Readers see an “Update” note at its foot." if article.is_live else ""
        messages.success(request, f"“{article}” now holds version {item.version} from the wire.{told}")
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    @admin.action(description="Use the selected items (a draft story each)")
    def use_selected(self, request, queryset):
        made = 0
        for item in queryset.filter(article__isnull=True):
            try:
                _article, problems = services.use_item(item=item, by=request.user)
            except (PermissionDenied, ValidationError) as exc:
                messages.error(request, f"“{item}”: {_errors(exc)}")
                continue
            made += 1
            for problem in problems:
                messages.warning(request, f"“{item}”: {problem}")
        if made:
            messages.success(request, f"{made} draft stor{'y' if made == 1 else 'ies'} made from the wire.")

    @admin.action(description="Ignore the selected items")
    def ignore_selected(self, request, queryset):
        ignored = queryset.filter(state=WireItem.State.NEW).update(state=WireItem.State.IGNORED)
        messages.success(request, f"Ignored {ignored} item{'s' if ignored != 1 else ''}.")
