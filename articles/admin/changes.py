"""Changes to a live story reviewed before they show, in the admin: "Save for review", editing the changes awaiting
review, their difference from the live story, and publishing them (now or at a time) or discarding them.

``PendingChangesAdmin`` is mixed into ``ArticleAdmin`` before ``ArticleWorkflowAdmin``. The rules live on the model
(articles/workflow.py); what the changes hold and how they merge, in articles/pending.py.

The article's form works on the live story by default. It shows and saves the changes awaiting review instead when
``?changes=1`` asks for them, and always for someone who may change the live story only through review (a reporter
on their own live story). "Save for review" keeps the form's content as the changes awaiting review; the public
story is not touched.
"""

import reversion
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from articles import pending, revisions
from articles.admin.workflow import _errors
from articles.models import Byline, PendingVersion

REVIEW_BUTTON = "_save_for_review"


def changes_of(request, article):
    """The article's changes awaiting review, or None: asked once per request."""
    cache = request.__dict__.setdefault("_pending_versions", {})
    if article.pk not in cache:
        cache[article.pk] = (
            PendingVersion.objects.select_related("saved_by", "scheduled_by").filter(article=article).first()
        )
    return cache[article.pk]


def only_by_review(request, article):
    """Whether the user may change this live story only by saving changes for review."""
    return article.is_live and article.can_save_for_review(request.user) and not article.can_edit(request.user)


def saving_for_review(request, article):
    """Whether this request saves the form as changes for review: asked to, or the form was drawn from them, or the
    user may change the story in no other way."""
    if article is None or not article.pk or request.method != "POST" or not article.can_save_for_review(request.user):
        return False
    drawn_from_changes = request.POST.get("expected_pending", "0") not in ("", "0")
    return REVIEW_BUTTON in request.POST or drawn_from_changes or only_by_review(request, article)


def shown_changes(request, article):
    """The changes awaiting review the form shows (and was drawn from, on a POST), or None for the live story."""
    if article is None or not article.pk or not article.is_live:
        return None
    if request.method == "POST":
        drawn_from_changes = request.POST.get("expected_pending", "0") not in ("", "0")
        return changes_of(request, article) if drawn_from_changes else None
    if request.GET.get("changes") == "1" or only_by_review(request, article):
        return changes_of(request, article)
    return None


class PendingChangesAdmin:
    """Changes awaiting review for ``ArticleAdmin``; must come before ``ArticleWorkflowAdmin`` in the bases."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/changes/publish/", wrap(self.publish_changes_view), name="articles_article_publish_changes"),
            path("<int:pk>/changes/discard/", wrap(self.discard_changes_view), name="articles_article_discard_changes"),
            *super().get_urls(),
        ]

    # ---- the form: drawn from and saved to the changes awaiting review

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None or not obj.pk:
            return form
        attrs = {"for_review": saving_for_review(request, obj), "changes": shown_changes(request, obj)}
        return type(form.__name__, (form,), attrs)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        reviewing = (
            saving_for_review(request, obj)
            or shown_changes(request, obj)
            or (obj is not None and obj.pk and only_by_review(request, obj))
        )
        if reviewing:
            # Changes for review never move a story: its address and time stay as they are.
            fields += [name for name in ("slug", "published_at") if name not in fields]
        return fields

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        changes = shown_changes(request, obj)
        if changes is not None and inline.model is Byline:
            # The bylines of the changes, as new rows: saving for review never writes the story's own bylines.
            kwargs["queryset"] = Byline.objects.none()
            if request.method != "POST":
                kwargs["initial"] = [
                    {"author": author, "role": role, "order": order}
                    for author, role, order in changes.content["bylines"]
                ]
        return kwargs

    def save_model(self, request, obj, form, change):
        if change and form.for_review:
            return  # saved with the bylines in save_related
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if not (change and form.for_review):
            return super().save_related(request, form, formsets, change)
        bylines = [
            (row.cleaned_data["author"], row.cleaned_data.get("role") or "By", row.cleaned_data.get("order") or 0)
            for formset in formsets
            if formset.model is Byline
            for row in formset.forms
            if row.cleaned_data.get("author") and not row.cleaned_data.get("DELETE")
        ]
        article = form.instance
        article.save_for_review(
            by=request.user,
            content=pending.content_from_form(form.cleaned_data, bylines),
            expected_version=form.cleaned_data.get("expected_version"),
            expected_pending=form.cleaned_data.get("expected_pending") or 0,
        )
        article.saved_for_review = True
        return None

    def construct_change_message(self, request, form, formsets, add=False):
        if getattr(form.instance, "saved_for_review", False):
            return "Saved changes for review."  # the formsets were not saved: nothing else to list
        return super().construct_change_message(request, form, formsets, add)

    def log_change(self, request, obj, message):
        if getattr(obj, "saved_for_review", False):
            message = "Saved changes for review."
        return super().log_change(request, obj, message)

    def _record_revision(self, obj, entry):
        # The story itself did not change: its revisions record what readers get, once the changes are published.
        if not getattr(obj, "saved_for_review", False):
            super()._record_revision(obj, entry)

    def response_change(self, request, obj):
        if getattr(obj, "saved_for_review", False):
            messages.success(
                request, "Saved for review: readers keep the live story until an editor publishes these changes."
            )
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[obj.pk]))
        return super().response_change(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["changes"] = self._changes_context(request, obj)
            if context["changes"]["only_by_review"] or context["changes"]["shown"]:
                # A form of changes for review (or of someone who may change the live story only through review) has
                # the one button that saves them; the others would write the live story.
                context.update(show_save=False, show_save_and_continue=False, show_save_and_add_another=False)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _changes_context(self, request, article):
        user = request.user
        waiting = changes_of(request, article) if article.is_live else None
        return {
            "waiting": waiting,
            "diff": revisions.pending_diff(article, waiting) if waiting else None,
            "shown": shown_changes(request, article),
            "may_save": article.can_save_for_review(user),
            "only_by_review": only_by_review(request, article),
            # A new set of changes starts from the live form; existing ones are edited from their own.
            "offer_button": article.can_save_for_review(user)
            and (waiting is None or bool(shown_changes(request, article))),
            "can_publish": waiting is not None and article.can_publish_changes(user),
            "can_discard": waiting is not None and article.can_discard_changes(user),
            "now_local": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        }

    # ---- publishing and discarding

    def publish_changes_view(self, request, pk):
        return require_POST(self._publish_changes)(request, pk)

    def _publish_changes(self, request, pk):
        article = self._article(request, pk)
        try:
            with reversion.create_revision():
                transition = article.publish_changes(
                    by=request.user, at=self._publish_time(request), comment=request.POST.get("comment", "")
                )
                reversion.set_user(request.user)
                if transition.step == "changes_published":
                    reversion.add_to_revision(article)
                    reversion.set_comment("Published the changes saved for review.")
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(
                request, f"{article.state_label if transition.publish_at else transition.label}: “{article}”."
            )
        return self._back(article)

    def discard_changes_view(self, request, pk):
        return require_POST(self._discard_changes)(request, pk)

    def _discard_changes(self, request, pk):
        article = self._article(request, pk)
        try:
            article.discard_changes(by=request.user, comment=request.POST.get("comment", ""))
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, f"Changes discarded: readers keep “{article}” as it is.")
        return self._back(article)
