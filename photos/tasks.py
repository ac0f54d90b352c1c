"""Background work of the photo library, run by a task worker (`manage.py task_worker`); at once in tests."""

import logging

from django.db import transaction
from django_tasks import task

from photos import renditions
from photos.models import Image
from photos.signals import renditions_changed

logger = logging.getLogger(__name__)


@task(queue_name="images")
def make_renditions(image_id: int, version: int) -> str:
    """Make the renditions of one version of an image and swap them in for the previous set.

    A task for a version that is no longer current does nothing: a newer task is queued behind it. If the
    version moves on while this one works, its files are thrown away rather than swapped in.
    """
    image = Image.objects.filter(pk=image_id, version=version).first()
    if image is None:
        return "stale"
    if image.renditions_version == version:
        return "done already"
    record, stored = renditions.render_set(image)
    with transaction.atomic():
        current = Image.objects.select_for_update().filter(pk=image_id).first()
        stale = current is None or current.version != version
        if not stale:
            old = [name for name in renditions.names_in(current.renditions) if name not in stored]
            Image.objects.filter(pk=image_id).update(renditions=record, renditions_version=version)
            renditions_changed.send(sender=Image, image_id=image_id)
            # Pages may be showing the old files until this commits, so they go only after it.
            renditions.delete_files_on_commit(old)
    if stale:
        renditions.delete_files(stored)  # never recorded anywhere: nothing can be showing them
        return "stale"
    logger.info("Made %d renditions of image %s (version %s)", len(stored), image_id, version)
    return "made"
