"""The editorial workflow of an article: who may move it, from which state to which, and how edits stay safe.

States: draft → in review → published, plus withdrawn (see ../shared/DESIGN.md). “Scheduled” is a published
article whose publication time is still ahead; visibility is decided by ``Article.objects.published()`` alone.

Every transition is one atomic method that locks the row, re-reads the state, checks the actor's permission and
the current state, writes a ``Transition`` row and bumps ``version``. Edits go through ``save_edit``, which claims
the version it was made from in a single UPDATE, so a save made from a stale copy is refused instead of
overwriting someone else's work.
"""

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import linebreaks, strip_tags, urlize

from articles import pending as pending_content
from articles.signals import article_changed, live_updates_changed

PREVIEW_DEFAULT_LIFETIME = timedelta(hours=48)
PREVIEW_MAX_LIFETIME = timedelta(days=30)
# A publication time this far in the past is taken as a typing mistake rather than “now”.
PAST_TOLERANCE = timedelta(minutes=5)
# What readers read of a story: an edit of a live story that changes one of these is a change they can see, and moves
# its modification time (dateModified, Atom <updated>, sitemap <lastmod>); a save that changes none of them does not.
READER_FIELDS = (
    "headline",
    "dek",
    "body",
    "dateline",
    "category_id",
    "source_id",
    "lead_image_id",
    "lead_image_caption",
    "lead_image_credit",
)


# Live coverage's steps, (from, to): label. "none" is a story that is not a live blog.
COVERAGE_STEPS = {
    ("none", "upcoming"): "Announce live coverage",
    ("none", "live"): "Start live coverage",
    ("upcoming", "live"): "Start live coverage",
    ("live", "ended"): "End live coverage",
    ("ended", "live"): "Reopen live coverage",
}
COVERAGE_LOG = {"upcoming": "coverage_upcoming", "live": "coverage_live", "ended": "coverage_ended"}


class InvalidTransition(ValidationError):
    """The article is not in a state that allows this step, or lacks what the step needs."""


class EditConflict(Exception):
    """Someone else saved the article after the copy being saved was opened."""

    def __init__(self, current):
        self.current = current
        super().__init__(f"“{current}” was changed by someone else.")


@dataclass(frozen=True)
class PublicFacts:
    """What readers can see of an article, and where: enough to tell which public pages a change touches."""

    live: bool = False
    scheduled: bool = False
    published_at: datetime | None = None
    featured: bool = False
    coverage: str = "none"
    path: str = ""
    section_ids: frozenset = frozenset()  # primary and secondary sections, and the sections above them
    tag_ids: frozenset = frozenset()
    author_ids: frozenset = frozenset()

    @property
    def shown(self):
        """Live, or going live by itself when its time comes."""
        return self.live or self.scheduled

    @property
    def placement(self):
        """Whether, when, where and how prominently it appears (a live story is marked live in listings): a change of
        any of these changes listings."""
        return (self.live, self.scheduled, self.published_at, self.featured, self.coverage, self.path)

    def hidden(self):
        return replace(self, live=False, scheduled=False)


def _name(user):
    if user is None:
        return "someone"
    return user.get_full_name() or user.get_username()


class ArticleWorkflow:
    """Transitions, permissions and conflict-safe saves, mixed into ``Article``."""

    WORKFLOW_LABELS = {
        ("draft", "review"): "Submitted for review",
        ("review", "draft"): "Changes requested",
        ("review", "published"): "Published",
        ("published", "review"): "Unscheduled",
        ("published", "withdrawn"): "Withdrawn",
        ("withdrawn", "draft"): "Restored to draft",
    }

    # ---- state as people read it

    @property
    def is_scheduled(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def state_label(self):
        """“Scheduled for 17 January 2020, 9:00 a.m.” for an embargoed article, “Live, with changes awaiting
        review” for a live one with a pending version, otherwise the state's name."""
        if self.is_scheduled:
            return f"Scheduled for {date_format(timezone.localtime(self.published_at), 'DATETIME_FORMAT')}"
        if self.is_live:
            waiting = self.pending_changes_state()
            if waiting is not None:
                _saved_at, publish_at = waiting
                if publish_at:
                    when = date_format(timezone.localtime(publish_at), "DATETIME_FORMAT")
                    return f"Live, with changes scheduled for {when}"
                return "Live, with changes awaiting review"
        return self.get_status_display()

    def pending_changes_state(self):
        """(saved_at, publish_at) of the changes awaiting review, or None. Lists annotate ``pending_saved_at`` and
        ``pending_publish_at`` (``ArticleQuerySet.with_pending_state``) so that no row asks the database again."""
        if hasattr(self, "pending_saved_at"):
            return None if self.pending_saved_at is None else (self.pending_saved_at, self.pending_publish_at)
        PendingVersion = apps.get_model("articles", "PendingVersion")
        return PendingVersion.objects.filter(article=self).values_list("saved_at", "publish_at").first()

    @property
    def was_published(self):
        """Published now or at some point (live, scheduled, withdrawn, or restored after that): its address is out."""
        return self.published_at is not None or self.status in (self.Status.PUBLISHED, self.Status.WITHDRAWN)

    def missing_for_publication(self):
        missing = []
        if not (self.headline or "").strip():
            missing.append("a headline")
        if not (self.slug or "").strip():
            missing.append("a slug")
        if not strip_tags(self.body or "").strip():
            missing.append("a body")
        if not self.category_id:
            missing.append("a primary category")
        if not self.pk or not self.bylines.exists():
            missing.append("at least one byline")
        return missing

    def public_facts(self):
        """This article's PublicFacts, from its fields and the rows it is filed under as saved."""
        if not (self.is_live or self.is_scheduled):
            return PublicFacts()
        Category = apps.get_model("articles", "Category")
        Byline = apps.get_model("articles", "Byline")
        filed = Category.objects.filter(pk=self.category_id) | Category.objects.filter(secondary_articles=self)
        sections = {pk for row in filed.values_list("pk", "parent_id") for pk in row if pk is not None}
        return PublicFacts(
            live=self.is_live,
            scheduled=self.is_scheduled,
            published_at=self.published_at,
            featured=self.featured,
            coverage=self.coverage,
            path=self.get_absolute_url(),
            section_ids=frozenset(sections),
            tag_ids=frozenset(self.tags.values_list("pk", flat=True)),
            author_ids=frozenset(Byline.objects.filter(article=self).values_list("author_id", flat=True)),
        )

    def _announce(self, before):
        """Tell the rest of the site, once committed, that what readers see of this article may have changed."""
        pk = self.pk
        transaction.on_commit(lambda: article_changed.send(sender=type(self), article_id=pk, before=before))

    # ---- who may do what (the admin asks these to decide which buttons to show)

    def is_owned_by(self, user):
        """A reporter's own article: one they created or one that carries their byline."""
        if not user.is_authenticated:
            return False
        if self.created_by_id == user.pk:
            return True
        return bool(self.pk) and self.bylines.filter(author__user=user).exists()

    def can_edit(self, user):
        if not (user.is_active and user.is_staff):
            return False
        if user.has_perm("articles.edit_any_article"):
            return True
        return user.has_perm("articles.change_article") and self.status == self.Status.DRAFT and self.is_owned_by(user)

    def can_submit(self, user):
        return self.status == self.Status.DRAFT and self._may_submit(user)

    def can_request_changes(self, user):
        return self.status == self.Status.REVIEW and user.has_perm("articles.publish_article")

    def can_publish(self, user):
        return self.status == self.Status.REVIEW and user.has_perm("articles.publish_article")

    def can_unschedule(self, user):
        return self.is_scheduled and user.has_perm("articles.publish_article")

    def can_withdraw(self, user):
        return self.status == self.Status.PUBLISHED and user.has_perm("articles.withdraw_article")

    def can_restore(self, user):
        return self.status == self.Status.WITHDRAWN and user.has_perm("articles.withdraw_article")

    def can_comment(self, user):
        return user.has_perm("articles.comment_article")

    def can_save_for_review(self, user):
        """Whether ``user`` may save changes to this live story as a pending version: editors on any live story,
        reporters on their own (the only way they may change a story once it is published)."""
        if not (self.is_live and user.is_active and user.is_staff):
            return False
        if user.has_perm("articles.edit_any_article"):
            return True
        return user.has_perm("articles.change_article") and self.is_owned_by(user)

    def can_publish_changes(self, user):
        return self.is_live and user.has_perm("articles.publish_article")

    def can_discard_changes(self, user):
        return user.has_perm("articles.publish_article") or self.can_save_for_review(user)

    def coverage_steps(self, user):
        """[(target coverage, button label)] the user may take this story to."""
        if not user.has_perm("articles.publish_article"):
            return []
        return [(to, label) for (frm, to), label in COVERAGE_STEPS.items() if frm == self.coverage]

    def can_post_update(self, user):
        return (
            self.coverage in (self.Coverage.UPCOMING, self.Coverage.LIVE)
            and self.status != self.Status.WITHDRAWN
            and user.is_active
            and user.is_staff
            and user.has_perm("articles.add_liveupdate")
        )

    def can_correct(self, user):
        return self.is_live and user.has_perm("articles.add_correction")

    def can_share_preview(self, user):
        if not user.has_perm("articles.share_preview") or self.status == self.Status.WITHDRAWN:
            return False
        # A live story has nothing hidden to show, unless changes to it await review.
        return not self.is_live or self.pending_changes_state() is not None

    def _may_submit(self, user):
        if user.has_perm("articles.edit_any_article"):
            return True
        return user.has_perm("articles.submit_article") and self.is_owned_by(user)

    # ---- transitions

    @transaction.atomic
    def submit(self, *, by, comment=""):
        self._lock()
        if not self._may_submit(by):
            raise PermissionDenied("You may submit only your own articles for review.")
        self._expect(self.Status.DRAFT, "submit for review")
        return self._move(self.Status.REVIEW, by=by, comment=comment)

    @transaction.atomic
    def request_changes(self, *, by, comment):
        self._lock()
        self._require(by, "articles.publish_article", "send articles back to their reporters")
        self._expect(self.Status.REVIEW, "request changes to")
        comment = self._required_comment(comment, "Say what needs to change: the reporter receives this comment.")
        return self._move(self.Status.DRAFT, by=by, comment=comment)

    @transaction.atomic
    def publish(self, *, by, at=None, comment=""):
        """Publish now, or at ``at``: a future time schedules the article, which stays invisible until then."""
        self._lock()
        self._require(by, "articles.publish_article", "publish or schedule articles")
        self._expect(self.Status.REVIEW, "publish")
        missing = self.missing_for_publication()
        if missing:
            raise InvalidTransition(f"This article cannot be published yet. It needs {_join(missing)}.")
        now = timezone.now()
        if at is not None and at < now - PAST_TOLERANCE:
            raise InvalidTransition("The publication time is in the past. Choose a later time, or publish now.")
        # An article published before (then withdrawn and restored) keeps its old address working.
        old_path = self.get_absolute_url() if self.published_at else None
        self.published_at = at if at is not None and at > now else now
        transition = self._move(self.Status.PUBLISHED, by=by, comment=comment, publish_at=self.published_at)
        if old_path and old_path != self.get_absolute_url():
            self._leave_redirect(old_path, self.get_absolute_url())
        return transition

    @transaction.atomic
    def publish_unattended(self, *, comment):
        """Publish now with no one at the controls: a trusted wire channel's automatic publishing, which its own app
        allows. The log's actor stays empty and ``comment`` says what published it; every check of ``publish``
        except the person's permission still applies."""
        self._lock()
        self._expect(self.Status.REVIEW, "publish")
        missing = self.missing_for_publication()
        if missing:
            raise InvalidTransition(f"This article cannot be published yet. It needs {_join(missing)}.")
        self.published_at = timezone.now()
        return self._move(self.Status.PUBLISHED, by=None, comment=comment, publish_at=self.published_at)

    @transaction.atomic
    def unschedule(self, *, by, comment=""):
        self._lock()
        self._require(by, "articles.publish_article", "unschedule articles")
        if not self.is_scheduled:
            raise InvalidTransition(
                "Only a scheduled article can be unscheduled; a live article is withdrawn instead."
                if self.is_live
                else f"This article is {self.get_status_display().lower()}, not scheduled."
            )
        self.published_at = None
        return self._move(self.Status.REVIEW, by=by, comment=comment)

    @transaction.atomic
    def withdraw(self, *, by, comment, notice=""):
        """Take a published article down. ``comment`` is the internal reason; ``notice`` is what readers see."""
        self._lock()
        self._require(by, "articles.withdraw_article", "withdraw articles")
        self._expect(self.Status.PUBLISHED, "withdraw")
        comment = self._required_comment(comment, "Give the reason for withdrawing this article.")
        self.withdrawn_at = timezone.now()
        self.withdrawal_notice = (notice or "").strip()
        return self._move(self.Status.WITHDRAWN, by=by, comment=comment)

    @transaction.atomic
    def restore(self, *, by, comment=""):
        """Bring a withdrawn article back to draft; it has to be reviewed and published again."""
        self._lock()
        self._require(by, "articles.withdraw_article", "restore withdrawn articles")
        self._expect(self.Status.WITHDRAWN, "restore")
        self.withdrawn_at = None
        self.withdrawal_notice = ""
        # Changes that awaited review when it was withdrawn were made to a live story that is gone: the draft is
        # edited directly now.
        apps.get_model("articles", "PendingVersion").objects.filter(article=self).delete()
        return self._move(self.Status.DRAFT, by=by, comment=comment)

    @transaction.atomic
    def comment(self, *, by, text):
        """A note in the article's log, without a change of state."""
        self._require(by, "articles.comment_article", "comment on articles")
        text = self._required_comment(text, "Write a comment.")
        return self.transitions.create(from_status=self.status, to_status=self.status, actor=by, comment=text)

    # ---- corrections and previews

    @transaction.atomic
    def add_correction(self, *, by, kind, text):
        self._require(by, "articles.add_correction", "add corrections")
        if not self.is_live:
            raise InvalidTransition("Corrections and updates are added to live articles only.")
        Correction = apps.get_model("articles", "Correction")
        if kind not in Correction.Kind.values:
            raise ValidationError(f"Choose one of: {', '.join(Correction.Kind.labels)}.")
        text = (text or "").strip()
        if not text:
            raise ValidationError("Write the text readers will see.")
        correction = self.corrections.create(kind=kind, text=text, created_by=by)
        # A single-column UPDATE: an edit saved from an older copy of the article cannot put the old time back.
        self.content_modified_at = correction.created_at
        type(self).objects.filter(pk=self.pk).update(content_modified_at=self.content_modified_at)
        return correction

    def create_preview_link(self, *, by, valid_for=PREVIEW_DEFAULT_LIFETIME):
        self._require(by, "articles.share_preview", "share previews")
        if not timedelta(minutes=5) <= valid_for <= PREVIEW_MAX_LIFETIME:
            raise ValidationError("A preview link can last from five minutes to thirty days.")
        return self.preview_links.create(
            key=secrets.token_urlsafe(24), created_by=by, expires_at=timezone.now() + valid_for
        )

    # ---- live coverage: the story as a live blog, and its updates

    @transaction.atomic
    def change_coverage(self, *, by, to, comment=""):
        """Announce, start, end or reopen live coverage (``COVERAGE_STEPS``)."""
        self._lock()
        self._require(by, "articles.publish_article", "start or end live coverage")
        if (self.coverage, to) not in COVERAGE_STEPS:
            current = self.Coverage(self.coverage).label.lower()
            raise InvalidTransition(f"Live coverage cannot go from “{current}” to “{to}”.")
        now = timezone.now()
        if to == self.Coverage.LIVE:
            self.coverage_started_at = self.coverage_started_at or now
            self.coverage_ended_at = None
        elif to == self.Coverage.ENDED:
            self.coverage_ended_at = now
        self.coverage = to
        self.save(update_fields=["coverage", "coverage_started_at", "coverage_ended_at", "updated_at"])
        self._announce(self._facts_before)
        return self._log_step(COVERAGE_LOG[to], by=by, comment=comment)

    @transaction.atomic
    def post_update(self, *, by, text="", body="", key=False, author=None, image=None):
        """Post an update to this live story, public at once if the story is live. ``text`` is what the admin's quick
        form sends (plain text: a blank line starts a paragraph, addresses become links); ``body`` is rich text."""
        if not self.can_post_update(by):
            if self.coverage not in (self.Coverage.UPCOMING, self.Coverage.LIVE):
                raise InvalidTransition("Updates are posted while live coverage is upcoming or live.")
            raise PermissionDenied("You may not post updates.")
        body = body or _text_to_html(text)
        if not strip_tags(body).strip() and image is None:
            raise ValidationError("Write the update.")
        if author is None:
            author = getattr(by, "author", None)  # the poster's byline, when their account has one
        update = self.live_updates.create(body=body, key=key, author=author, image=image, created_by=by, edited_by=by)
        self.announce_updates()
        return update

    def announce_updates(self):
        """Tell the rest of the site, once committed, that this story's updates changed."""
        pk = self.pk
        transaction.on_commit(lambda: live_updates_changed.send(sender=type(self), article_id=pk))

    # ---- changes to a live story, reviewed before they show (a pending version; articles/pending.py)

    @transaction.atomic
    def save_for_review(self, *, by, content, expected_version, expected_pending=0, comment=""):
        """Keep ``content`` as this live story's pending version; readers keep the live text.

        ``expected_pending`` is the pending version's counter as the form had it (0: none existed), and
        ``expected_version`` the story's, for a first save; either out of date raises ``EditConflict``. Saving again
        cancels a schedule: changed changes need review again.
        """
        self._lock()
        if not self.is_live:
            raise InvalidTransition("Only a live story's changes wait for review; save this one as it is.")
        if not self.can_save_for_review(by):
            raise PermissionDenied("You may save changes for review only on your own live stories.")
        PendingVersion = apps.get_model("articles", "PendingVersion")
        pending = PendingVersion.objects.select_for_update().filter(article=self).first()
        if (pending.version if pending else 0) != expected_pending or (
            pending is None and self.version != expected_version
        ):
            raise EditConflict(type(self).objects.select_related("edited_by").get(pk=self.pk))
        content = pending_content.normalised(content)
        note = comment
        if pending is None:
            pending = PendingVersion(article=self, base=pending_content.live_content(self), content=content, version=0)
        elif pending.publish_at is not None:
            note = "\n".join(
                filter(None, [comment, "Its schedule was cancelled: changed again, it needs review again."])
            )
        pending.content = content
        pending.version += 1
        pending.saved_by = by
        pending.saved_at = timezone.now()
        pending.publish_at = None
        pending.scheduled_by = None
        pending.save()
        return self._log_step("changes_saved", by=by, comment=note)

    @transaction.atomic
    def publish_changes(self, *, by, at=None, comment=""):
        """Publish the pending version now, or schedule it for ``at``: the live text stays until then."""
        self._lock()
        self._require(by, "articles.publish_article", "publish changes to live stories")
        pending = self._pending_for_update()
        if not self.is_live:
            raise InvalidTransition("This story is not live: its changes can be published only while it is.")
        now = timezone.now()
        if at is not None and at < now - PAST_TOLERANCE:
            raise InvalidTransition("The time is in the past. Choose a later time, or publish the changes now.")
        if at is None or at <= now:
            return self._apply_pending(pending, by=by, comment=comment)
        pending.publish_at = at
        pending.scheduled_by = by
        pending.save(update_fields=["publish_at", "scheduled_by"])
        # Pages made before now do not know the time: the ones showing the story, and the listings the changes
        # would move it into or out of, go now, and their next copies are kept no longer than ``at``.
        self._announce(self._facts_with(pending.content))
        self._schedule_task(at)
        return self._log_step("changes_scheduled", by=by, comment=comment, publish_at=at)

    @transaction.atomic
    def discard_changes(self, *, by, comment=""):
        self._lock()
        pending = self._pending_for_update()
        if not self.can_discard_changes(by):
            raise PermissionDenied("You may not discard these changes.")
        pending.delete()
        return self._log_step("changes_discarded", by=by, comment=comment)

    @transaction.atomic
    def publish_due_changes(self, *, now):
        """Publish the pending version if its scheduled time has come (by anyone's request, or the task queued for
        it); returns the transition, or None when there was nothing to do."""
        self._lock()
        PendingVersion = apps.get_model("articles", "PendingVersion")
        pending = PendingVersion.objects.select_for_update().filter(article=self, publish_at__lte=now).first()
        if pending is None:
            return None
        if not self.is_live:
            pending.publish_at = None
            pending.save(update_fields=["publish_at"])
            return self.transitions.create(
                from_status=self.status,
                to_status=self.status,
                comment="The changes scheduled for this time were not published: the story is not live.",
            )
        return self._apply_pending(pending, by=pending.scheduled_by, comment="Published at the time scheduled.")

    def _pending_for_update(self):
        PendingVersion = apps.get_model("articles", "PendingVersion")
        pending = PendingVersion.objects.select_for_update().filter(article=self).first()
        if pending is None:
            raise InvalidTransition("No changes to this story await review.")
        return pending

    def _apply_pending(self, pending, *, by, comment=""):
        live = pending_content.live_content(self)
        merged = pending_content.merge(base=pending.base, proposed=pending.content, live=live)
        pending_content.write(self, merged)
        self.version += 1
        self.edited_by = by
        self.edited_at = timezone.now()
        self.save(update_fields=self._editable_columns())
        pending.delete()
        self._announce(self._facts_before)
        return self._log_step("changes_published", by=by, comment=comment)

    def _facts_with(self, content):
        """This story's PublicFacts as ``content`` would file it."""
        Category = apps.get_model("articles", "Category")
        Tag = apps.get_model("taggit", "Tag")
        facts = self._facts_before
        if not facts.shown:
            return facts
        filed = Category.objects.filter(pk__in=[content["category_id"], *content["secondary_category_ids"]])
        return replace(
            facts,
            featured=content["featured"],
            section_ids=frozenset(pk for row in filed.values_list("pk", "parent_id") for pk in row if pk is not None),
            tag_ids=frozenset(Tag.objects.filter(name__in=content["tags"]).values_list("pk", flat=True)),
            author_ids=frozenset(author_id for author_id, _role, _order in content["bylines"]),
        )

    @staticmethod
    def _schedule_task(at):
        """Ask the task worker, where one can run tasks later, to publish at ``at``; the first request after ``at``
        does it anyway (website/middleware.py), so nothing depends on the worker."""
        from django_tasks import default_task_backend

        from articles.tasks import publish_scheduled_changes

        if default_task_backend.supports_defer:
            transaction.on_commit(lambda: publish_scheduled_changes.using(run_after=at).enqueue(), robust=True)

    # ---- conflict-safe editing

    @transaction.atomic
    def save_edit(self, *, by, expected_version):
        """Save the edited fields, made from the copy at ``expected_version``; raise ``EditConflict`` if stale.

        The check and the increment are one UPDATE. Under concurrency the second writer waits on the row lock,
        re-reads the row once the first commits, finds the version moved on and updates nothing.
        """
        if not self.can_edit(by):
            raise PermissionDenied(self.edit_refusal(by))
        model = type(self)
        claimed = model.objects.filter(pk=self.pk, version=expected_version).update(version=F("version") + 1)
        if not claimed:
            raise EditConflict(model.objects.select_related("edited_by").get(pk=self.pk))
        before = model.objects.get(pk=self.pk)  # ours until commit: the UPDATE above holds the row lock
        # Read before anything of this edit is saved: the admin saves tags and bylines after this method.
        self._announce(before.public_facts())
        self.version = expected_version + 1
        self.edited_by = by
        self.edited_at = timezone.now()
        columns = self._editable_columns()
        if before.is_live and any(getattr(self, name) != getattr(before, name) for name in READER_FIELDS):
            self.content_modified_at = self.edited_at
            columns.append("content_modified_at")
        else:
            self.content_modified_at = before.content_modified_at
        self.save(update_fields=columns)
        if before.status == self.Status.PUBLISHED and before.published_at:
            old_path, new_path = before.get_absolute_url(), self.get_absolute_url()
            if old_path != new_path:
                self._leave_redirect(old_path, new_path)

    def last_change(self):
        """(who, when, what) of the newest write to the row: an edit or a transition."""
        latest = self.transitions.exclude(from_status=F("to_status")).select_related("actor").first()
        if latest and (self.edited_at is None or latest.at >= self.edited_at):
            return latest.actor, latest.at, latest.label.lower()
        return self.edited_by, self.edited_at or self.updated_at, "saved"

    def edit_refusal(self, user):
        """Why ``user`` may not edit this article, in words they can act on."""
        if not user.has_perm("articles.change_article"):
            return "You may not edit articles."
        if self.can_save_for_review(user):
            return "This story is live: save your changes for review, and an editor publishes them."
        if self.status != self.Status.DRAFT:
            return f"This article is {self.get_status_display().lower()}: only an editor can change it now."
        return "You may edit only your own drafts."

    def _editable_columns(self):
        workflow_owned = {
            "id",
            "status",
            "withdrawn_at",
            "withdrawal_notice",
            "created_at",
            "created_by",
            "content_modified_at",
            "coverage",
            "coverage_started_at",
            "coverage_ended_at",
        }
        return [f.name for f in self._meta.concrete_fields if f.name not in workflow_owned]

    def _leave_redirect(self, old_path, new_path):
        ArticleRedirect = apps.get_model("articles", "ArticleRedirect")
        ArticleRedirect.objects.filter(old_path=new_path).delete()
        ArticleRedirect.objects.update_or_create(old_path=old_path, defaults={"article": self})

    # ---- the machinery every transition shares

    def _lock(self):
        """Lock the row and re-read it, so the checks below see what the last writer committed."""
        type(self).objects.select_for_update().filter(pk=self.pk).values_list("pk").get()
        self.refresh_from_db()
        self._facts_before = self.public_facts()

    def _require(self, user, perm, action):
        if not (user.is_active and user.has_perm(perm)):
            raise PermissionDenied(f"You may not {action}.")

    def _expect(self, status, action):
        if self.status != status:
            state = "scheduled" if self.is_scheduled else self.get_status_display().lower()
            raise InvalidTransition(
                f"Cannot {action} this article: it is {state}, and only an article that is "
                f"{self.Status(status).label.lower()} can be."
            )

    @staticmethod
    def _required_comment(text, message):
        text = (text or "").strip()
        if not text:
            raise ValidationError(message)
        return text

    def _move(self, to, *, by, comment="", publish_at=None):
        transition = self.transitions.create(
            from_status=self.status, to_status=to, actor=by, comment=comment, publish_at=publish_at
        )
        self.status = to
        self.version += 1
        if to == self.Status.PUBLISHED:
            self.content_modified_at = self.published_at  # what readers saw change last: its publication, so far
        self.save(
            update_fields=[
                "status",
                "published_at",
                "content_modified_at",
                "withdrawn_at",
                "withdrawal_notice",
                "version",
                "updated_at",
            ]
        )
        self._announce(self._facts_before)
        self._notify(transition)
        return transition

    def _log_step(self, step, *, by, comment="", publish_at=None):
        """Log a step that leaves the state as it is but changes something else of the story."""
        transition = self.transitions.create(
            from_status=self.status, to_status=self.status, step=step, actor=by, comment=comment, publish_at=publish_at
        )
        self._notify(transition)
        return transition

    @staticmethod
    def _notify(transition):
        # Imported here: the task module imports the models, which import this module.
        from articles.tasks import notify_transition

        # robust: the step is committed by then, and a queue that cannot take the email must not undo it in the UI.
        transaction.on_commit(lambda: notify_transition.enqueue(transition.pk), robust=True)


def _join(items):
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _text_to_html(text):
    """Plain text as paragraphs, its web addresses as links (escaped; sanitised again when stored)."""
    return linebreaks(urlize((text or "").strip(), nofollow=True, autoescape=True), autoescape=False)
