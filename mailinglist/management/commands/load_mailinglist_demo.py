from django.core.management.base import BaseCommand
from django.db import transaction

from mailinglist.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo mailing lists (Daily briefing, WMD alerts) and a local newsletter manager. Idempotent."

    @transaction.atomic
    def handle(self, *args, **options):
        load_demo(self.stdout)
