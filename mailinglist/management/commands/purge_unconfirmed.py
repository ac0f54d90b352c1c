from django.core.management.base import BaseCommand

from mailinglist.services import purge_stale_pending


class Command(BaseCommand):
    help = "Delete signups nobody confirmed before their confirmation link expired (run daily, e.g. from cron)."

    def handle(self, *args, **options):
        self.stdout.write(f"Deleted {purge_stale_pending()} unconfirmed signup(s).")
