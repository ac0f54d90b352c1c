import secrets
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from articles.models import Article, Author, Byline, Category, Source
from newsroom import pagecache
from photos.services import add_image
from website.demo.content import ARTICLES, AUTHORS, BANNER_URL, CATEGORIES, LIVE_STORY, read_seed
from website.demo.pictures import CREDIT, PICTURES, jpeg_bytes
from website.models import PromoBanner
from wire import polling, tasks
from wire.models import Channel, WireItem

DEMO_ACCOUNTS = [
    # (username, first name, last name, role group)
    ("editor", "Eddie", "Editor", "Editor"),
    ("reporter", "Rita", "Reporter", "Reporter"),
]

# A story the demo reporter has filed and submitted, so the editor's dashboard has something awaiting review.
DEMO_SUBMISSION = {
    "slug": "city-council-delays-vote-on-transit-budget",
    "headline": "City Council Delays Vote on Transit Budget",
    "dek": "Members asked for an independent review of ridership forecasts before committing funds.",
    "paragraphs": [
        "The city council on Tuesday postponed a vote on next year's transit budget, asking for an independent "
        "review of the ridership forecasts behind it.",
        "The review is expected to take six weeks. Transit officials said service would not change in the meantime.",
    ],
    "category": "politics",
}


SEED_SLUG = "civilian-killings-mount-in-idlib-as-cease-fire-breaks-down"
# The wire channel reading wire/demo/voa.xml, and the guid of the seed story's item in it.
DEMO_WIRE_CHANNEL = "VOA (demo feed)"
DEMO_WIRE_SEED_GUID = "voa-demo-idlib-2020-01-17"


def paragraphs_html(paragraphs):
    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs)


class Command(BaseCommand):
    help = (
        "Load the demo newsroom: the VOA seed story, its banner, more stories, a VOA wire channel reading a feed file "
        "shipped in wire/demo/, and local demo accounts. Idempotent."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        seed = read_seed()
        voa, _ = Source.objects.get_or_create(
            name="Voice of America", defaults={"short_name": "VOA", "url": "https://www.voanews.com/"}
        )
        PromoBanner.objects.get_or_create(
            text=seed.banner,
            defaults={"url": BANNER_URL, "active_from": timezone.make_aware(datetime(2020, 1, 1))},
        )

        categories = {}
        for name, slug, short_name, description, parent_slug, order in CATEGORIES:
            # A section of the same name made otherwise (the benchmark dataset's World) is the demo's too: names are
            # unique, and the demo adds to what is there.
            categories[slug] = Category.objects.filter(slug=slug).first() or Category.objects.filter(name=name).first()
            if categories[slug] is None:
                categories[slug] = Category.objects.create(
                    name=name,
                    slug=slug,
                    short_name=short_name,
                    description=description,
                    parent=categories.get(parent_slug),
                    nav_order=order,
                )
        if categories["wmd"].name != seed.category:
            raise CommandError(f"The demo's WMD category does not match the seed's {seed.category!r}.")

        authors = {}
        for name, slug, job_title, bio, affiliation in AUTHORS:
            authors[slug], _ = Author.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "job_title": job_title,
                    "bio": bio,
                    "affiliation": voa if affiliation == "VOA" else None,
                },
            )

        created = 0
        article, is_new = Article.objects.get_or_create(
            slug=SEED_SLUG,
            defaults={
                "headline": seed.headline,
                "body": paragraphs_html(seed.paragraphs),
                "category": categories["wmd"],
                "source": voa,
                "original_url": "https://www.voanews.com/middle-east/civilian-killings-mount-idlib-cease-fire-breaks-down",
                "status": Article.Status.PUBLISHED,
                "published_at": timezone.make_aware(datetime.combine(seed.published, time(12, 0))),
            },
        )
        if is_new:
            created += 1
            article.secondary_categories.add(categories["middle-east"])
            article.tags.add("Syria", "Idlib", "United Nations", "Human rights")
            Byline.objects.create(article=article, author=authors["lisa-schlein"], role="By", order=0)

        now = timezone.now()
        for slug, headline, dek, category, bylines, tags, days_ago, featured, paragraphs in ARTICLES:
            article, is_new = Article.objects.get_or_create(
                slug=slug,
                defaults={
                    "headline": headline,
                    "dek": dek,
                    "body": paragraphs_html(paragraphs),
                    "category": categories[category],
                    "status": Article.Status.PUBLISHED,
                    "published_at": now - timedelta(days=days_ago, hours=2),
                    "featured": featured,
                },
            )
            if is_new:
                created += 1
                article.tags.add(*tags)
                for order, (author_slug, role) in enumerate(bylines):
                    Byline.objects.create(article=article, author=authors[author_slug], role=role, order=order)

        created += self._demo_live_story(categories, authors, SEED_SLUG)

        self.stdout.write(f"Demo content ready ({created} new articles).")
        if created:
            # Made through the ORM, not the workflow whose events purge pages: start every cache afresh.
            pagecache.purge(pagecache.EVERY_PAGE)
        self._demo_pictures()
        self._demo_wire(voa, categories)
        self._demo_accounts(categories)

    def _demo_live_story(self, categories, authors, seed_slug):
        """A live story with its updates (one a key update), leading the home page while its coverage is live."""
        story = LIVE_STORY
        now = timezone.now()
        started = now - timedelta(minutes=story["updates"][0][0] + 5)
        seed_url = Article.objects.get(slug=seed_slug).get_absolute_url()
        article, is_new = Article.objects.get_or_create(
            slug=story["slug"],
            defaults={
                "headline": story["headline"],
                "dek": story["dek"],
                "body": paragraphs_html(story["paragraphs"])
                + f'<p>Read the report: <a href="{seed_url}">Civilian Killings Mount in Idlib as Cease-fire Breaks '
                "Down</a>.</p>",
                "category": categories[story["category"]],
                "status": Article.Status.PUBLISHED,
                "published_at": started,
                "featured": True,
                # Made through the ORM like the rest of the demo, not the workflow's coverage steps (no editor yet).
                "coverage": Article.Coverage.LIVE,
                "coverage_started_at": started,
            },
        )
        if not is_new:
            return 0
        article.tags.add(*story["tags"])
        for order, (author_slug, role) in enumerate(story["bylines"]):
            Byline.objects.create(article=article, author=authors[author_slug], role=role, order=order)
        for minutes, text, key, author_slug in story["updates"]:
            article.live_updates.create(
                body=paragraphs_html([text]),
                key=key,
                author=authors.get(author_slug),
                published_at=now - timedelta(minutes=minutes),
            )
        return 1

    def _demo_pictures(self):
        """Pictures drawn by articles/demo/pictures.py: a lead image per demo article, one inline figure.

        Added only where missing; the renditions are made by the task worker (`make run` starts one).
        """
        added = 0
        for seed, picture in enumerate(PICTURES):
            article = Article.objects.filter(slug=picture.article_slug).first()
            if article is None or (article.lead_image_id if not picture.inline else "data-file=" in article.body):
                continue
            upload = SimpleUploadedFile(f"{picture.article_slug}.jpg", jpeg_bytes(picture, seed), "image/jpeg")
            image = add_image(
                upload=upload,
                alt_text=picture.alt_text,
                caption=picture.caption,
                credit=CREDIT,
                focal_x=picture.focal[0],
                focal_y=picture.focal[1],
            )
            if picture.inline:
                figure = (
                    f'<figure class="figure"><img src="{image.file.url}" alt="{escape(picture.alt_text)}" '
                    f'data-file="{image.pk}"><figcaption>{escape(picture.caption)}</figcaption></figure>'
                )
                first_paragraph_end = article.body.find("</p>") + len("</p>")
                article.body = article.body[:first_paragraph_end] + figure + article.body[first_paragraph_end:]
                article.save(update_fields=["body"])
            else:
                article.lead_image = image
                article.save(update_fields=["lead_image"])
            added += 1
        self.stdout.write(f"Demo pictures ready ({added} new).")

    def _demo_wire(self, voa, categories):
        """A VOA channel reading the feed file shipped in wire/demo/, so the wire queue has items with nothing
        downloaded; the seed story is marked as made from its item."""
        channel, is_new = Channel.objects.get_or_create(
            name=DEMO_WIRE_CHANNEL,
            defaults={
                "kind": Channel.Kind.FILE,
                "url": "voa.xml",
                "source": voa,
                "section": categories["middle-east"],
                "poll_minutes": 60,
            },
        )
        if is_new:
            channel.rules.create(keyword="Idlib", section=categories["wmd"], tag="Syria")
            channel.rules.create(keyword="Pentagon", section=categories["politics"], tag="Defense")
        outcome = polling.poll(channel)
        self.stdout.write(f"Demo wire channel “{channel}”: {outcome.summary()}")
        seed_item = WireItem.objects.filter(channel=channel, guid=DEMO_WIRE_SEED_GUID, article__isnull=True).first()
        seed = Article.objects.filter(slug=SEED_SLUG).first()
        if seed_item is not None and seed is not None:
            seed_item.state = WireItem.State.USED
            seed_item.article = seed
            seed_item.used_version = seed_item.version
            seed_item.used_at = seed.published_at
            seed_item.save(update_fields=["state", "article", "used_version", "used_at"])
        if outcome.ok and channel.enabled:
            tasks.schedule_poll(channel, at=timezone.now() + channel.retry_delay())

    def _demo_accounts(self, categories):
        if not settings.DEBUG:
            self.stdout.write("Debug is off: no demo accounts created.")
            return
        # The role groups are kept by newsroom/roles.py after every migrate.
        User = get_user_model()
        accounts = {}
        for username, first_name, last_name, role in DEMO_ACCOUNTS:
            user = User.objects.filter(username=username).first()
            if user is None:
                password = secrets.token_urlsafe(12)
                user = User.objects.create_user(
                    username=username,
                    first_name=first_name,
                    last_name=last_name,
                    email=f"{username}@example.com",
                    password=password,
                    is_staff=True,
                )
                self.stdout.write(self.style.WARNING(f"Demo account (local use only): {username} / {password}"))
            # The demo shows the roles at work, so neither account is a superuser.
            user.is_superuser = False
            user.save(update_fields=["is_superuser"])
            user.groups.set([Group.objects.get(name=role)])
            accounts[role] = user
        reporter = accounts["Reporter"]
        Author.objects.get_or_create(
            user=reporter,
            defaults={"name": "Rita Reporter", "slug": "rita-reporter", "job_title": "City hall reporter"},
        )
        self._demo_submission(reporter, categories)

    def _demo_submission(self, reporter, categories):
        story = DEMO_SUBMISSION
        article, is_new = Article.objects.get_or_create(
            slug=story["slug"],
            defaults={
                "headline": story["headline"],
                "dek": story["dek"],
                "body": paragraphs_html(story["paragraphs"]),
                "category": categories[story["category"]],
                "status": Article.Status.DRAFT,
                "created_by": reporter,
            },
        )
        if is_new:
            Byline.objects.create(article=article, author=reporter.author, role="By", order=0)
            article.submit(by=reporter, comment="Ready for a look; the council meets again next month.")
