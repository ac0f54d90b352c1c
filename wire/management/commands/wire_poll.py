from django.core.management.base import BaseCommand, CommandError

from wire import polling
from wire.models import Channel


class Command(BaseCommand):
    help = "Poll wire channels now (every enabled feed, or one) and print what each brought."

    def add_arguments(self, parser):
        parser.add_argument("--channel", type=int, help="The channel's ID (see the channel list in the admin).")

    def handle(self, *args, channel=None, **options):
        channels = Channel.objects.filter(kind__in=[Channel.Kind.FEED, Channel.Kind.FILE])
        if channel is not None:
            channels = channels.filter(pk=channel)
            if not channels.exists():
                raise CommandError(f"No polled channel with the ID {channel}.")
        else:
            channels = channels.filter(enabled=True)
        failed = 0
        for each in channels.select_related("source"):
            outcome = polling.poll(each)
            self.stdout.write(f"{each.pk} {each}: {outcome.summary()}")
            for item in outcome.ingested.new if outcome.ingested else ():
                self.stdout.write(f"  new: {item.headline}")
            for item in outcome.ingested.updated if outcome.ingested else ():
                self.stdout.write(f"  updated (version {item.version}): {item.headline}")
            failed += not outcome.ok
        if failed:
            raise CommandError(f"{failed} channel{'s' if failed != 1 else ''} failed.")
