"""The admin's imports, run by the task worker (`manage.py task_worker`), never in a request; at once in tests."""

from django.conf import settings
from django_tasks import task

from wpimport import importer
from wpimport.models import ImportRun


@task()
def import_wordpress(run_id: int, uploads: str = "") -> str:
    run = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.QUEUED).first()
    if run is None:
        return "not waiting"  # run already, or deleted before the worker got here
    folder = settings.NEWSROOM_WORDPRESS_UPLOADS_ROOT / uploads if uploads else None
    # Opened again for each of the import's passes, through the storage (which may be a private bucket).
    report = importer.run_import(run, lambda: run.export.storage.open(run.export.name, "rb"), uploads=folder)
    return "finished" if report is not None else "refused"
