from django.core.management.base import BaseCommand
from django.db import transaction

from photos.models import Image
from photos.services import queue_renditions


class Command(BaseCommand):
    help = (
        "Queue the rendition task for images whose renditions are missing or outdated; with --all, for every "
        "image (after changing the rendition specs in articles/renditions.py)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Make every image's renditions again.")

    def handle(self, *args, all=False, **options):
        queued = 0
        for image in Image.objects.only("pk", "version", "renditions_version").iterator():
            if not all and image.renditions_ready:
                continue
            with transaction.atomic():
                if all:
                    # A new version, so the task does not skip the image as already done.
                    Image.objects.filter(pk=image.pk).update(version=image.version + 1)
                    image.version += 1
                queue_renditions(image)
            queued += 1
        self.stdout.write(f"Queued renditions for {queued} image(s).")
