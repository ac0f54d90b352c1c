from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from articles.models import Category, Source
from wire import tasks
from wire.models import Channel


class Command(BaseCommand):
    help = "Add a wire channel for a feed (RSS or Atom) and schedule its polling."

    def add_arguments(self, parser):
        parser.add_argument("url", help="The feed's http(s) address, or with --file a file name in the wire folder.")
        parser.add_argument("--source", required=True, help="The source's name or short name, e.g. VOA.")
        parser.add_argument("--section", help="The slug of the default section.")
        parser.add_argument("--name", help="The channel's name (default: the source and the address).")
        parser.add_argument("--every", type=int, default=15, help="Minutes between polls (default 15).")
        parser.add_argument("--file", action="store_true", help="The address is a file in NEWSROOM_WIRE_FILES_DIR.")

    @transaction.atomic
    def handle(self, *args, url, source, section=None, name=None, every=15, file=False, **options):
        found = (
            Source.objects.filter(name__iexact=source).first()
            or Source.objects.filter(short_name__iexact=source).first()
        )
        if found is None:
            raise CommandError(f"No source named {source!r}; add it under Articles → Sources first.")
        category = None
        if section:
            category = Category.objects.filter(slug=section).first()
            if category is None:
                raise CommandError(f"No section with the slug {section!r}.")
        channel = Channel(
            name=name or f"{found.short_name or found.name}: {url}"[:200],
            kind=Channel.Kind.FILE if file else Channel.Kind.FEED,
            url=url,
            source=found,
            section=category,
            poll_minutes=every,
        )
        try:
            channel.full_clean()
        except ValidationError as exc:
            raise CommandError(
                " ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
            ) from None
        channel.save()
        tasks.schedule_poll(channel)
        self.stdout.write(f"Channel {channel.pk} “{channel}” added; the task worker polls it every {every} minutes.")
