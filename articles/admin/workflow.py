"""The editorial workflow in the admin: transition buttons, revisions, previews, corrections and safe saves.

``ArticleWorkflowAdmin`` is mixed into ``ArticleAdmin``. The rules themselves live on the model
(articles/workflow.py); the admin asks them what to show and reports their refusals as messages.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from taggit.models import Tag

from articles import pending, revisions, services
from articles.fields import sanitize_body
from articles.models import Article, Byline, Correction, PendingVersion, PreviewLink, Transition
from articles.previews import render_preview
from articles.workflow import EditConflict
from newsroom.admin_site import RecordAdmin, view_path

# Someone who opened an article for editing this recently is mentioned to the next person who opens it.
PRESENCE_WINDOW = timedelta(minutes=5)

PREVIEW_LIFETIMES = [
    (1, "1 hour"),
    (24, "24 hours"),
    (48, "48 hours"),
    (24 * 7, "7 days"),
    (24 * 30, "30 days"),
]


def _errors(exc):
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or "You may not do that."


def _name(user):
    if user is None:
        return "someone"
    return user.get_full_name() or user.get_username()


@dataclass
class FieldMerge:
    """One form field someone else changed since the form was opened, and whether this person changed it too."""

    name: str
    label: str
    you_changed: bool


@dataclass
class Conflict:
    """What the second person to save is shown: who saved first, when, what they changed, and which of those
    changes saving their own version would replace (only where both changed the same field)."""

    who: str
    when: datetime
    what: str
    version: int
    diffs: list
    merges: list  # [FieldMerge], or None when the version opened is no longer on record

    @property
    def changed(self):
        return [d for d in self.diffs if d.changed]

    @property
    def replaced(self):
        return [m for m in self.merges or () if m.you_changed]

    @property
    def kept(self):
        return [m for m in self.merges or () if not m.you_changed]


def build_conflict(article, expected_version, merges):
    current = Article.objects.select_related("edited_by").get(pk=article.pk)
    who, when, what = current.last_change()
    base = revisions.snapshot_at(current, expected_version)
    return Conflict(
        who=_name(who),
        when=when,
        what=what,
        version=current.version,
        diffs=revisions.compare_with_current(base, current) if base else [],
        merges=merges,
    )


def _comparable(model_field, value):
    """A field's value in one shape, whether it comes from a stored revision, the database or a cleaned form."""
    if model_field.name == "tags":
        return frozenset(value or ())
    if model_field.many_to_many:
        return frozenset(int(getattr(item, "pk", item)) for item in value or ())
    if model_field.many_to_one:
        return getattr(value, "pk", value)
    if model_field.name == "body":
        return sanitize_body(value or "")
    if isinstance(value, datetime):
        return value.replace(microsecond=0)  # the form's precision: a save through it drops the microseconds
    return "" if value is None else value


def _current(article, model_field):
    if model_field.name == "tags":
        return list(article.tags.names())
    if model_field.many_to_many:
        return list(getattr(article, model_field.name).all())
    return getattr(article, model_field.name)


def _recorded(snapshot, article, model_field):
    """The field as the revision recorded it; a field the revision does not hold counts as unchanged since."""
    if model_field.name == "tags":
        return Tag.objects.filter(pk__in=snapshot.tag_ids).values_list("name", flat=True)
    if model_field.attname not in snapshot.fields:
        return _current(article, model_field)
    return snapshot.fields[model_field.attname]


def merge_fields(form, snapshot):
    """[FieldMerge] for the form's fields someone else changed since ``snapshot`` (the version this person opened).

    Each is compared three ways: as opened, as saved by them, as posted now. ``None`` when the version opened is no
    longer on record, so no field can be told apart.
    """
    if snapshot is None:
        return None
    article, merges = form.instance, []
    for name, form_field in form.fields.items():
        try:
            model_field = Article._meta.get_field(name)
        except FieldDoesNotExist:
            continue  # expected_version
        opened = _comparable(model_field, _recorded(snapshot, article, model_field))
        theirs = _comparable(model_field, _current(article, model_field))
        if theirs == opened:
            continue
        mine = _comparable(model_field, form.cleaned_data.get(name))
        merges.append(FieldMerge(name, str(form_field.label or name), you_changed=mine != opened))
    return merges


class ArticleWorkflowForm(forms.ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The counter of the changes awaiting review the form was drawn from (0: it was drawn from the live story).
    expected_pending = forms.IntegerField(widget=forms.HiddenInput, required=False)

    conflict = None
    # Set by the admin (articles/admin/changes.py): whether this form saves changes for review instead of the story,
    # and the changes awaiting review it shows, if it shows them rather than the live story.
    for_review = False
    changes = None

    class Meta:
        model = Article
        fields = "__all__"  # noqa: DJ007 - the admin narrows the form to its fieldsets

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version
            self.fields["expected_pending"].initial = self.changes.version if self.changes else 0
            if self.changes is not None:
                self._show(self.changes.content)

    def _show(self, content):
        """Start from the changes awaiting review instead of the live story."""
        for name in pending.CONTENT_FIELDS:
            if name.removesuffix("_id") in self.fields:
                self.initial[name.removesuffix("_id")] = content[name]
        if "secondary_categories" in self.fields:
            self.initial["secondary_categories"] = content["secondary_category_ids"]
        if "tags" in self.fields:
            # As the tag field's own initial value comes: things with a name (it compares and formats those).
            self.initial["tags"] = [SimpleNamespace(name=name) for name in content["tags"]]

    def clean(self):
        cleaned = super().clean()
        article = self.instance
        if not article.pk:
            return cleaned
        expected = cleaned.get("expected_version")
        if self.for_review:
            self._check_changes_opened(cleaned)
        elif expected != article.version:
            merges = merge_fields(self, revisions.snapshot_at(article, expected or 0))
            if self.data.get("overwrite_version") == str(article.version):
                # The person has seen the other changes (shown with this version number) and keeps theirs, but only
                # where both changed the same field: what only the other person changed stays as they saved it.
                for merge in merges or ():
                    if not merge.you_changed:
                        cleaned[merge.name] = _current(article, Article._meta.get_field(merge.name))
                cleaned["expected_version"] = article.version
            else:
                self.conflict = build_conflict(article, expected or 0, merges)
                raise ValidationError(
                    f"{self.conflict.who} {self.conflict.what} this article at "
                    f"{date_format(timezone.localtime(self.conflict.when), 'DATETIME_FORMAT')}, after you opened it. "
                    "Your changes are not saved yet."
                )
        if article.status == Article.Status.PUBLISHED and "published_at" in self.changed_data:
            new_time = cleaned.get("published_at")
            if new_time is None:
                self.add_error("published_at", "A published article needs a publication time; unschedule it instead.")
            elif article.is_live and new_time > timezone.now():
                self.add_error(
                    "published_at",
                    "This article is live: moving its time into the future would hide it. Withdraw it instead.",
                )
        if article.status == Article.Status.PUBLISHED:
            if not (cleaned.get("body") or "").strip():
                self.add_error("body", "A published article needs a body.")
            if "category" in self.fields and not cleaned.get("category"):
                self.add_error("category", "A published article needs a primary category.")
        return cleaned

    def _check_changes_opened(self, cleaned):
        """Refuse a save for review made from a copy that is out of date: the changes awaiting review were saved,
        published or discarded since it was opened, or (for a first save) the live story was changed."""
        waiting = PendingVersion.objects.select_related("saved_by").filter(article=self.instance).first()
        opened = cleaned.get("expected_pending") or 0
        keep = "Your input is below; reload the page to start again from what is saved now."
        if waiting is not None and waiting.version != opened:
            when = date_format(timezone.localtime(waiting.saved_at), "DATETIME_FORMAT")
            raise ValidationError(
                f"{_name(waiting.saved_by)} saved changes for review at {when}, after you opened this page. {keep}"
            )
        if waiting is None and opened:
            raise ValidationError(
                f"The changes you opened were published or discarded after you opened this page. {keep}"
            )
        if waiting is None and cleaned.get("expected_version") != self.instance.version:
            who, when, what = self.instance.last_change()
            when = date_format(timezone.localtime(when), "DATETIME_FORMAT")
            raise ValidationError(f"{_name(who)} {what} the live story at {when}, after you opened it. {keep}")


def note_editing(article, user):
    """Remember that ``user`` opened ``article`` for editing; return [(name, since)] of others who did lately."""
    key = f"articles:editing:{article.pk}"
    now = timezone.now().timestamp()
    window = PRESENCE_WINDOW.total_seconds()
    seen = {uid: entry for uid, entry in (cache.get(key) or {}).items() if now - entry[1] < window}
    # Someone who opened it before the latest save or step holds a stale copy: their save would be refused anyway.
    _who, changed_at, _what = article.last_change()
    since = changed_at.timestamp() if changed_at else 0
    others = [
        (name, datetime.fromtimestamp(ts, tz=timezone.get_current_timezone()))
        for uid, (name, ts) in seen.items()
        if uid != user.pk and ts >= since
    ]
    seen[user.pk] = (_name(user), now)
    cache.set(key, seen, int(window))
    return others


@dataclass
class HistoryEntry:
    at: datetime
    step: str
    actor: object  # None for a deleted account, or a step made by no one (an import, the dataset generator)
    comment: str

    @property
    def who(self):
        return "—" if self.actor is None else _name(self.actor)


def history(article, limit=50):
    """The article's log, newest first: workflow steps, comments, and corrections as they were added."""
    entries = []
    for t in article.transitions.select_related("actor")[:limit]:
        step = t.label
        if t.publish_at and t.publish_at > t.at:
            step = f"Scheduled for {date_format(timezone.localtime(t.publish_at), 'DATETIME_FORMAT')}"
        entries.append(HistoryEntry(t.at, step, t.actor, t.comment))
    for c in article.corrections.select_related("created_by")[:limit]:
        entries.append(HistoryEntry(c.created_at, f"{c.get_kind_display()} added", c.created_by, c.text))
    return sorted(entries, key=lambda e: e.at, reverse=True)[:limit]


class WorkflowStateFilter(admin.SimpleListFilter):
    """The states as the newsroom speaks of them: scheduled and live are both “published” in the database."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", "Draft"),
            ("review", "In review"),
            ("scheduled", "Scheduled"),
            ("live", "Live"),
            ("withdrawn", "Withdrawn"),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "scheduled":
                return queryset.scheduled()
            case "live":
                return queryset.published()
            case "draft" | "review" | "withdrawn" as status:
                return queryset.filter(status=status)
        return queryset


def ensure_baseline_revision(article):
    """Record an article made outside the admin (demo, import, shell) before its first admin edit.

    A conflict is shown as what changed since the version the person opened, so that version must be on record.
    """
    if revisions.versions_of(article).exists():
        return
    with reversion.create_revision():
        reversion.add_to_revision(article)
        reversion.set_comment("The article as it was before its first edit in the admin.")


class ArticleWorkflowAdmin:
    """Workflow behaviour for ``ArticleAdmin``; must come before ``admin.ModelAdmin`` in the bases."""

    form = ArticleWorkflowForm
    change_form_template = "admin/articles/article/change_form.html"
    actions = ["submit_selected", "publish_selected_now", "unschedule_selected"]

    # ---- permissions: the model decides, the admin follows

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request, obj)
        # A reporter's own live story opens for editing too, but saves only as changes for review (changes.py).
        return obj.can_edit(request.user) or obj.can_save_for_review(request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), "status_display", "body_display"]
        may_retime = (
            obj is not None
            and obj.status == Article.Status.PUBLISHED
            and request.user.has_perm("articles.publish_article")
        )
        if not may_retime:
            fields.append("published_at")
        return fields

    def get_fieldsets(self, request, obj=None):
        # Someone who may only read the story (a reporter once it is submitted) reads the body as text, not markup.
        read_only = obj is not None and not self.has_change_permission(request, obj)
        fieldsets = []
        for name, options in super().get_fieldsets(request, obj):
            fields = [f for f in options["fields"] if f != "status"]
            if read_only:
                fields = ["body_display" if f == "body" else f for f in fields]
            if name == "Publication":
                fields = ["status_display", *fields, "expected_version", "expected_pending"]
            fieldsets.append((name, {**options, "fields": fields}))
        return fieldsets

    @admin.display(description="Body")
    def body_display(self, obj):
        # Sanitised on every write already; again here because this is the one place the admin shows it as markup.
        return format_html('<div class="workflow-body">{}</div>', mark_safe(sanitize_body(obj.body)))  # noqa: S308

    @admin.display(description="State")
    def status_display(self, obj):
        return obj.state_label if obj and obj.pk else "Draft (not saved yet)"

    @admin.display(description="State", ordering="status")
    def workflow_state(self, obj):
        return obj.state_label

    # ---- saving: revisions and the version check

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        article = self.get_object(request, admin.utils.unquote(object_id)) if object_id else None
        if article is not None:
            ensure_baseline_revision(article)
        if request.method == "GET" and article is not None and article.can_edit(request.user):
            for name, since in note_editing(article, request.user):
                messages.warning(
                    request,
                    f"{name} opened this article for editing {naturaltime(since)}. "
                    "If you both save, the second save will be refused.",
                )
        if request.method == "POST" and article is not None and not self.has_change_permission(request, article):
            context = {
                **self.admin_site.each_context(request),
                "title": "This article cannot be saved",
                "opts": self.model._meta,
                "original": article,
                "reason": article.edit_refusal(request.user),
            }
            return TemplateResponse(request, "admin/articles/article/refused.html", context, status=403)
        try:
            with reversion.create_revision():
                reversion.set_user(request.user)
                return super().changeform_view(request, object_id, form_url, extra_context)
        except EditConflict:
            # Another save committed between this form's check and its UPDATE; everything was rolled back.
            # A second pass finds the newer version while cleaning the form and shows it with the input kept.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = obj.edited_by = request.user
            obj.edited_at = timezone.now()
            obj.save()
            return
        obj.save_edit(by=request.user, expected_version=form.cleaned_data["expected_version"])

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        author = getattr(request.user, "author", None)
        if not change and author is not None and not article.bylines.exists():
            # A reporter's new story carries their byline unless they credited someone else.
            Byline.objects.create(article=article, author=author, order=0)

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self._record_revision(obj, entry)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self._record_revision(obj, entry)
        return entry

    def _record_revision(self, obj, entry):
        if reversion.is_active():
            # Again after the inlines were saved, so the revision holds the bylines and tags as saved.
            reversion.add_to_revision(obj)
            reversion.set_comment(entry.get_change_message() or "Saved.")

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["workflow"] = self._workflow_context(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _workflow_context(self, request, article):
        user = request.user
        return {
            "state": article.state_label,
            "can": {
                "submit": article.can_submit(user),
                "request_changes": article.can_request_changes(user),
                "publish": article.can_publish(user),
                "unschedule": article.can_unschedule(user),
                "withdraw": article.can_withdraw(user),
                "restore": article.can_restore(user),
                "comment": article.can_comment(user),
                "correct": article.can_correct(user),
                "share": article.can_share_preview(user),
            },
            "missing": article.missing_for_publication() if article.status != Article.Status.PUBLISHED else [],
            "history": history(article),
            "corrections": article.corrections.select_related("created_by"),
            "correction_kinds": Correction.Kind.choices,
            "preview_links": article.preview_links.active().select_related("created_by"),
            "preview_lifetimes": PREVIEW_LIFETIMES,
            "can_preview": user.has_perm("articles.change_article"),
            "now_local": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        }

    # ---- the changelist

    def get_list_filter(self, request):
        return [WorkflowStateFilter if f == "status" else f for f in super().get_list_filter(request)]

    def get_list_display(self, request):
        return ["workflow_state" if f == "status" else f for f in super().get_list_display(request)]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("articles.publish_article"):
            actions.pop("publish_selected_now", None)
            actions.pop("unschedule_selected", None)
        if not (request.user.has_perm("articles.submit_article") or request.user.has_perm("articles.edit_any_article")):
            actions.pop("submit_selected", None)
        return actions

    def _bulk(self, request, queryset, verb, step):
        done, refused = [], []
        for article in queryset:
            try:
                step(article)
            except (PermissionDenied, ValidationError) as exc:
                refused.append(f"“{article}”: {_errors(exc)}")
            else:
                done.append(article)
        if done:
            messages.success(request, f"{verb} {len(done)} article{'s' if len(done) != 1 else ''}.")
        for line in refused:
            messages.error(request, line)

    @admin.action(description="Submit selected articles for review")
    def submit_selected(self, request, queryset):
        self._bulk(request, queryset, "Submitted", lambda a: a.submit(by=request.user))

    @admin.action(description="Publish selected articles now")
    def publish_selected_now(self, request, queryset):
        self._bulk(request, queryset, "Published", lambda a: a.publish(by=request.user))

    @admin.action(description="Unschedule selected articles")
    def unschedule_selected(self, request, queryset):
        self._bulk(request, queryset, "Unscheduled", lambda a: a.unschedule(by=request.user))

    # ---- workflow pages and buttons

    def get_urls(self):
        get, post = ["GET", "HEAD"], ["POST"]
        return [
            view_path(self, "<int:pk>/workflow/<str:step>/", self.transition_view, "transition", methods=post),
            view_path(self, "<int:pk>/corrections/add/", self.add_correction_view, "add_correction", methods=post),
            view_path(self, "<int:pk>/previews/add/", self.add_preview_link_view, "add_preview_link", methods=post),
            view_path(
                self,
                "<int:pk>/previews/<int:link_pk>/revoke/",
                self.revoke_preview_link_view,
                "revoke_preview_link",
                methods=post,
            ),
            view_path(self, "<int:pk>/preview/", self.preview_view, "preview", methods=get),
            view_path(self, "<int:pk>/revisions/", self.revisions_view, "revisions", methods=get),
            view_path(self, "<int:pk>/revisions/compare/", self.compare_revisions_view, "compare", methods=get),
            view_path(
                self,
                "<int:pk>/revisions/<int:version_pk>/restore/",
                self.restore_revision_view,
                "restore",
                methods=post,
            ),
            *super().get_urls(),
        ]

    def _article(self, request, pk):
        article = get_object_or_404(Article, pk=pk)
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        return article

    def _back(self, article):
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def transition_view(self, request, pk, step):
        article = self._article(request, pk)
        comment = request.POST.get("comment", "")
        user = request.user
        steps = {
            "submit": lambda: article.submit(by=user, comment=comment),
            "request_changes": lambda: article.request_changes(by=user, comment=comment),
            "publish": lambda: article.publish(by=user, at=self._publish_time(request), comment=comment),
            "unschedule": lambda: article.unschedule(by=user, comment=comment),
            "withdraw": lambda: article.withdraw(by=user, comment=comment, notice=request.POST.get("notice", "")),
            "restore": lambda: article.restore(by=user, comment=comment),
            "comment": lambda: article.comment(by=user, text=comment),
        }
        if step not in steps:
            raise Http404("No such workflow step.")
        try:
            transition = steps[step]()
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, _errors(exc))
        else:
            label = "Comment added" if transition.is_comment else transition.label
            if step == "publish" and article.is_scheduled:
                label = article.state_label
            messages.success(request, f"{label}: “{article}”.")
        return self._back(article)

    @staticmethod
    def _publish_time(request):
        raw = (request.POST.get("publish_at") or "").strip()
        if not raw:
            return None
        try:
            naive = datetime.fromisoformat(raw)
        except ValueError:
            raise ValidationError("The publication time is not a date and time (YYYY-MM-DD HH:MM).") from None
        if naive.tzinfo is not None:
            return naive
        return timezone.make_aware(naive, timezone.get_current_timezone())

    def add_correction_view(self, request, pk):
        article = self._article(request, pk)
        try:
            correction = article.add_correction(
                by=request.user, kind=request.POST.get("kind", ""), text=request.POST.get("text", "")
            )
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, f"{correction.get_kind_display()} added; it shows at the foot of the article.")
        return self._back(article)

    def add_preview_link_view(self, request, pk):
        article = self._article(request, pk)
        try:
            hours = int(request.POST.get("hours", 48))
            link = article.create_preview_link(by=request.user, valid_for=timedelta(hours=hours))
        except ValueError:
            messages.error(request, "Choose how long the link should work.")
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, _errors(exc))
        else:
            url = request.build_absolute_uri(link.get_absolute_url())
            until = date_format(timezone.localtime(link.expires_at), "DATETIME_FORMAT")
            messages.success(request, f"Preview link (works until {until}): {url}")
        return self._back(article)

    def revoke_preview_link_view(self, request, pk, link_pk):
        article = self._article(request, pk)
        link = get_object_or_404(PreviewLink, pk=link_pk, article=article)
        try:
            link.revoke(by=request.user)
        except PermissionDenied as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, "Preview link revoked: it no longer works.")
        return self._back(article)

    def preview_view(self, request, pk):
        if not request.user.has_perm("articles.change_article"):
            raise PermissionDenied
        article = get_object_or_404(Article.objects.for_display(), pk=pk)
        return render_preview(request, article)

    def revisions_view(self, request, pk):
        article = self._article(request, pk)
        versions = list(revisions.versions_of(article))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Revisions of “{article}”",
            "opts": self.model._meta,
            "original": article,
            "versions": versions,
            "can_restore": request.user.has_perm("articles.edit_any_article"),
        }
        return TemplateResponse(request, "admin/articles/article/revisions.html", context)

    def compare_revisions_view(self, request, pk):
        article = self._article(request, pk)
        found = revisions.versions_of(article).in_bulk(
            [v for v in (request.GET.get("old"), request.GET.get("new")) if (v or "").isdigit()]
        )
        try:
            old, new = found[int(request.GET["old"])], found[int(request.GET["new"])]
        except (KeyError, ValueError):
            messages.error(request, "Choose two revisions of this article to compare.")
            return HttpResponseRedirect(reverse("admin:articles_article_revisions", args=[article.pk]))
        if old.revision.date_created > new.revision.date_created:
            old, new = new, old
        context = {
            **self.admin_site.each_context(request),
            "title": f"Changes to “{article}”",
            "opts": self.model._meta,
            "original": article,
            "old": old,
            "new": new,
            "diffs": revisions.compare(revisions.snapshot(old), revisions.snapshot(new)),
            "can_restore": request.user.has_perm("articles.edit_any_article"),
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

    def restore_revision_view(self, request, pk, version_pk):
        article = self._article(request, pk)
        try:
            services.restore_revision(article=article, version_id=version_pk, by=request.user)
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, _errors(exc))
        except EditConflict:
            messages.error(request, "Someone saved the article while it was being restored; try again.")
        else:
            messages.success(request, "Revision restored; the restore is itself a new revision.")
        return self._back(article)


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    list_display = ["article", "kind", "created_at", "created_by"]
    list_filter = ["kind", "created_at"]
    list_select_related = ["article", "created_by"]
    search_fields = ["text", "article__headline"]
    fields = ["article", "kind", "text", "created_at", "created_by"]
    readonly_fields = ["article", "created_at", "created_by"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        # Corrections are added from the article's page, where the article's state is checked.
        return False


@admin.register(Transition)
class TransitionAdmin(RecordAdmin):
    list_display = ["article", "label", "actor", "at", "comment"]
    list_filter = ["to_status", "at"]
    list_select_related = ["article", "actor"]
    search_fields = ["article__headline", "comment"]
    date_hierarchy = "at"
