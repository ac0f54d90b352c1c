"""Work that spans models, files or the task queue: restoring a revision, saving and deleting authors.

Keyword-only and atomic.
"""

import uuid

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from taggit.models import Tag

from articles import revisions
from articles.models import Article, Author, Byline, PendingVersion
from photos.images import EXTENSION_FOR, inspect_upload, prepare_portrait


@transaction.atomic
def restore_revision(*, article, version_id, by):
    """Put back the words, filing, bylines and tags of one of the article's revisions, as a new revision.

    The workflow state, publication time and slug stay as they are: a restore never publishes, unpublishes
    or moves an article. It goes through the same conflict-safe save as an edit in the admin.
    """
    if not by.has_perm("articles.edit_any_article"):
        raise PermissionDenied("Only editors may restore revisions.")
    version = revisions.versions_of(article).filter(pk=version_id).first()
    if version is None:
        raise ValidationError("That revision does not belong to this article.")
    snap = revisions.snapshot(version)
    current = Article.objects.select_for_update().get(pk=article.pk)
    with reversion.create_revision():
        for field in revisions.RESTORED_FIELDS:
            if field in snap.fields:
                setattr(current, field, snap.fields[field])
        current.save_edit(by=by, expected_version=current.version)
        authors = Author.objects.in_bulk({author_id for _role, author_id, _order in snap.bylines})
        current.bylines.all().delete()
        Byline.objects.bulk_create(
            Byline(article=current, author=authors[author_id], role=role, order=order)
            for role, author_id, order in snap.bylines
            if author_id in authors
        )
        current.tags.set(list(Tag.objects.filter(pk__in=snap.tag_ids)))
        reversion.add_to_revision(current)
        reversion.set_user(by)
        when = date_format(timezone.localtime(version.revision.date_created), "DATETIME_FORMAT")
        reversion.set_comment(f"Restored the revision of {when}.")
    return current


@transaction.atomic
def save_author(*, author, photo=None, clear_photo=False):
    """Save an author edited in the admin. A new photo goes through the photo library's checks (ValidationError,
    nothing stored, if it is not an acceptable image) and is stored cleaned: re-encoded from its pixels, without
    metadata, square. A replaced or cleared photo's file is deleted once the change is committed."""
    old = Author.objects.filter(pk=author.pk).values_list("photo", flat=True).first() if author.pk else ""
    if photo is not None:
        portrait = prepare_portrait(photo, inspect_upload(photo))
        # A random name: the uploaded file's name is not published.
        author.photo.save(f"{uuid.uuid4().hex}{EXTENSION_FOR[portrait.format]}", portrait.file, save=False)
    elif clear_photo:
        author.photo = ""
    author.save()
    if old and old != author.photo.name:
        transaction.on_commit(lambda: default_storage.delete(old))
    return author


@transaction.atomic
def delete_author(*, author):
    photo = author.photo.name
    author.delete()
    if photo:
        transaction.on_commit(lambda: default_storage.delete(photo))


def publish_due_changes(*, now=None):
    """Publish every pending version whose scheduled time has come, each as a revision of its story; return when the
    next one is due (or None). Cheap when nothing is due: one query on a small table."""
    now = now or timezone.now()
    while True:
        due = list(
            PendingVersion.objects.filter(publish_at__isnull=False)
            .order_by("publish_at", "pk")
            .values_list("article_id", "publish_at")[:20]
        )
        for article_id, publish_at in due:
            if publish_at > now:
                return publish_at
            with transaction.atomic(), reversion.create_revision():
                article = Article.objects.get(pk=article_id)
                transition = article.publish_due_changes(now=now)
                if transition is not None and transition.step:
                    reversion.add_to_revision(article)
                    reversion.set_user(transition.actor)
                    reversion.set_comment("Published the changes scheduled for this time.")
        if len(due) < 20:
            return None
