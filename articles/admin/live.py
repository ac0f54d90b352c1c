"""Live coverage in the admin: the coverage steps, the quick form that posts an update (one text box and a button,
usable on a phone), the live desk page, and the updates' own admin for editing and deleting them with their history.

``LiveCoverageAdmin`` is mixed into ``ArticleAdmin``; the rules live on the models (articles/workflow.py,
``LiveUpdate``).
"""

import reversion
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST
from reversion.admin import VersionAdmin

from articles.models import Article, LiveUpdate
from articles.workflow import COVERAGE_STEPS

# Links other apps add to an update on the article's page and the live desk (newsletters: "Send as breaking alert"
# for a key update): each is called with the request, the article and the update, and returns (label, url) or None.
update_tools = []

# Updates listed on the article's page; the live desk lists more.
RECENT_UPDATES = 10
DESK_UPDATES = 50


def _errors(exc):
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or "You may not do that."


def live_context(request, article, *, length=RECENT_UPDATES):
    """What the article's page and the live desk show of its coverage, and what the user may do there."""
    user = request.user
    updates = []
    if article.is_live_story:
        updates = list(article.live_updates.select_related("author", "created_by")[:length])
    for update in updates:
        update.may_change = update.can_change(user)
        update.tools = [link for tool in update_tools if (link := tool(request, article, update))]
    return {
        "coverage": article.get_coverage_display(),
        "steps": article.coverage_steps(user),
        "can_post": article.can_post_update(user),
        "updates": updates,
        "public": article.is_live,
    }


class LiveCoverageAdmin:
    """Live coverage for ``ArticleAdmin``; must come before ``admin.ModelAdmin`` in the bases."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/live/", wrap(self.live_desk_view), name="articles_article_live"),
            path("<int:pk>/live/post/", wrap(self.post_update_view), name="articles_article_post_update"),
            path("<int:pk>/coverage/<str:to>/", wrap(self.coverage_view), name="articles_article_coverage"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["live"] = live_context(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _live_article(self, request, pk):
        article = get_object_or_404(Article, pk=pk)
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        return article

    def live_desk_view(self, request, pk):
        return require_GET(self._live_desk)(request, pk)

    def _live_desk(self, request, pk):
        article = self._live_article(request, pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Live: {article}",
            "opts": self.model._meta,
            "original": article,
            "live": live_context(request, article, length=DESK_UPDATES),
            "on_desk": True,
        }
        return TemplateResponse(request, "admin/articles/article/live_desk.html", context)

    def post_update_view(self, request, pk):
        return require_POST(self._post_update)(request, pk)

    def _post_update(self, request, pk):
        article = self._live_article(request, pk)
        try:
            with reversion.create_revision():
                article.post_update(by=request.user, text=request.POST.get("text", ""), key="key" in request.POST)
                reversion.set_user(request.user)
                reversion.set_comment("Posted.")
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, _errors(exc))
        else:
            done = "Update posted." if article.is_live else "Update saved; readers see it once the story is published."
            messages.success(request, done)
        return self._live_back(request, article)

    def coverage_view(self, request, pk, to):
        return require_POST(self._coverage)(request, pk, to)

    def _coverage(self, request, pk, to):
        article = self._live_article(request, pk)
        if to not in {target for _source, target in COVERAGE_STEPS}:
            raise Http404("No such coverage step.")
        try:
            transition = article.change_coverage(by=request.user, to=to, comment=request.POST.get("comment", ""))
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, f"{transition.label}: “{article}”.")
        return self._live_back(request, article)

    @staticmethod
    def _live_back(request, article):
        name = "admin:articles_article_live" if request.POST.get("back") == "desk" else "admin:articles_article_change"
        return HttpResponseRedirect(reverse(name, args=[article.pk]))


@admin.register(LiveUpdate)
class LiveUpdateAdmin(VersionAdmin):
    """An update's own page: edit or delete it, with its history (django-reversion). Updates are posted from the
    article's page or the live desk, where the story's coverage is checked."""

    list_display = ["summary", "article", "published_at", "key", "author"]
    list_filter = ["key", "published_at"]
    list_select_related = ["article", "author"]
    search_fields = ["body", "article__headline"]
    date_hierarchy = "published_at"
    fields = ["article", "published_at", "body", "key", "image", "author"]
    readonly_fields = ["article", "published_at"]
    raw_id_fields = ["image"]
    autocomplete_fields = ["author"]
    change_list_template = "admin/articles/liveupdate/change_list.html"

    def changelist_view(self, request, extra_context=None):
        may_recover = request.user.has_perm("articles.edit_any_article")
        return super().changelist_view(request, {**(extra_context or {}), "may_recover": may_recover})

    def has_add_permission(self, request):
        # Posted from the article's page, where the story's coverage is checked; here only an editor bringing back
        # a deleted update (reversion's recover views ask for the add permission).
        return getattr(request, "recovering_updates", False) and request.user.has_perm("articles.edit_any_article")

    def recoverlist_view(self, request, extra_context=None):
        request.recovering_updates = True
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        request.recovering_updates = True
        return super().recover_view(request, version_id, extra_context)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request, obj)
        return obj.can_change(request.user)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return super().has_delete_permission(request, obj)
        return obj.can_change(request.user) and request.user.has_perm("articles.delete_liveupdate")

    def save_model(self, request, obj, form, change):
        obj.save_edit(by=request.user)

    def delete_model(self, request, obj):
        obj.remove(by=request.user)

    def delete_queryset(self, request, queryset):
        for update in queryset.select_related("article"):
            update.remove(by=request.user)

    def response_change(self, request, obj):
        if "_continue" in request.POST:
            return super().response_change(request, obj)
        messages.success(request, "Update saved.")
        return HttpResponseRedirect(reverse("admin:articles_article_live", args=[obj.article_id]))

    def response_delete(self, request, obj_display, obj_id):
        article_id = getattr(request, "live_update_article_id", None)
        if article_id is None:
            return super().response_delete(request, obj_display, obj_id)
        messages.success(request, "Update deleted; it is in the history of deleted updates if needed again.")
        return HttpResponseRedirect(reverse("admin:articles_article_live", args=[article_id]))

    def delete_view(self, request, object_id, extra_context=None):
        update = self.get_object(request, object_id)
        # Where to go back to once it is deleted (kept on the request: this admin object is shared by threads).
        request.live_update_article_id = update.article_id if update is not None else None
        return super().delete_view(request, object_id, extra_context)
