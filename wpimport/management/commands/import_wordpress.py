from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from wpimport import importer, wxr
from wpimport.models import ImportRun


class Command(BaseCommand):
    help = (
        "Import a WordPress export (WXR, from Tools → Export in WordPress): authors, categories as sections, tags, "
        "posts as stories, pictures found under --uploads, and the old addresses, which then answer 301. Running it "
        "again with the same file changes nothing; after an interruption it finishes the rest. See docs/import.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", help="the .xml file WordPress exported")
        parser.add_argument("--uploads", help="a copy of the site's wp-content/uploads folder, for the pictures")
        parser.add_argument(
            "--dry-run", action="store_true", help="read and check everything, report what would happen, save nothing"
        )

    def handle(self, *args, export, uploads=None, dry_run=False, **options):
        path = Path(export)
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        if uploads and not Path(uploads).is_dir():
            raise CommandError(f"No folder at {uploads}.")
        run = None
        if not dry_run:
            run = ImportRun.objects.create(filename=path.name, uploads_dir=uploads or "", started_at=timezone.now())

        def progress(done, total):
            if total and (done == total or done % 500 == 0):
                self.stderr.write(f"Posts: {done} of {total}")

        try:
            if run is not None:
                report = importer.run_import(run, path, uploads=uploads, progress=progress)
                if report is None:
                    run.refresh_from_db()
                    raise CommandError(run.message)
            else:
                report = importer.import_export(path, uploads=uploads, dry_run=True, progress=progress)
        except wxr.NotAnExport as refusal:
            raise CommandError(str(refusal)) from None
        for line in report.lines():
            self.stdout.write(line)
        if report.failures:
            self.stdout.write(self.style.WARNING(f"{len(report.failures)} item(s) failed: see above."))
