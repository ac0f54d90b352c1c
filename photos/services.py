"""Adding, changing and deleting pictures: files, the private originals and the rendition task. Keyword-only and
atomic; files are deleted only once the change is committed."""

from django.core.files.storage import default_storage
from django.db import transaction

from photos.images import inspect_upload, prepare_served_copy
from photos.models import Image
from photos.renditions import delete_files_on_commit, names_in
from photos.storage import originals_storage
from photos.tasks import make_renditions


def queue_renditions(image):
    """Queue the rendition task for the image's current version once the change is committed.

    After commit, so a worker in another process never looks for a version it cannot see yet.
    """
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
