from django.core.management.base import BaseCommand

from newsroom import pagecache


class Command(BaseCommand):
    help = (
        "Drop cached pages from every cache (the embedded one and Varnish): those carrying the given surrogate keys, "
        "or every page. For content changed outside the editorial workflow (a bulk import, a database restore)."
    )

    def add_arguments(self, parser):
        parser.add_argument("keys", nargs="*", help="surrogate keys such as article-12 or home (default: every page)")

    def handle(self, *keys, **options):
        keys = keys or [pagecache.EVERY_PAGE]
        # Hard: whatever changed behind the workflow's back, no old copy is served again, not even stale.
        pagecache.purge(*keys, hard=True)
        self.stdout.write(f"Purged: {' '.join(keys)}")
