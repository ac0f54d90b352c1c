"""Work that spans models, files or the task queue: restoring a revision, adding and changing images.

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
from articles.images import EXTENSION_FOR, inspect_upload, prepare_portrait, prepare_served_copy
from articles.models import Article, Author, Byline, Image
from articles.renditions import delete_files_on_commit, names_in
from articles.storage import originals_storage


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


def queue_renditions(image):
    """Queue the rendition task for the image's current version once the change is committed.

    After commit, so a worker in another process never looks for a version it cannot see yet.
    """
    from articles.tasks import make_renditions

    image_id, version = image.pk, image.version
    transaction.on_commit(lambda: make_renditions.enqueue(image_id, version))


@transaction.atomic
def add_image(*, upload, alt_text, uploaded_by=None, **fields):
    """Check an upload, keep the original privately, store the served copy and queue the renditions.

    Raises ValidationError (nothing stored) if the upload is not an acceptable image.
    """
    info = inspect_upload(upload)
    image = Image(alt_text=alt_text, uploaded_by=uploaded_by, format=info.format, **fields)
    image.full_clean(exclude=["original", "file", "width", "height"])  # alt text given, focal point inside
    _take_upload(image, upload, info)
    image.save()
    queue_renditions(image)
    return image


@transaction.atomic
def save_image(*, image, upload=None, refocused=False, uploaded_by=None):
    """Save an image edited in the admin: a new upload replaces the file, a new focal point the crops."""
    if image.pk is None and upload is None:
        raise ValueError("A new image needs an upload.")
    if image.pk is None:
        image.uploaded_by = uploaded_by
    if upload is not None:
        info = inspect_upload(upload)
        # The stored names, not the instance's: a form has already put the new upload on the instance.
        old_served, old_original = Image.objects.filter(pk=image.pk).values_list("file", "original").first() or ("", "")
        image.format = info.format
        _take_upload(image, upload, info)
        image.save()
        _delete_on_commit(original=old_original, served=old_served)
        queue_renditions(image)
        return image
    image.save()
    if refocused:
        image.refocus(image.focal_x, image.focal_y)
        queue_renditions(image)
    return image


def _take_upload(image, upload, info):
    served = prepare_served_copy(upload, info)
    image.original = upload
    image.set_file(served)


@transaction.atomic
def refocus_image(*, image, x, y):
    image.refocus(x, y)
    queue_renditions(image)
    return image


@transaction.atomic
def delete_image(*, image):
    """Delete an image and, once that is committed, its files. Refused (ProtectedError) while it leads an article."""
    names = names_in(image.renditions)
    original, served = image.original.name, image.file.name
    image.delete()
    delete_files_on_commit(names)
    _delete_on_commit(original=original, served=served)


def _delete_on_commit(*, original, served):
    def remove():
        if original:
            originals_storage.delete(original)
        if served:
            default_storage.delete(served)

    transaction.on_commit(remove)


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
