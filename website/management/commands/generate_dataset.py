"""A large, realistic, reproducible dataset for benchmarks: `manage.py generate_dataset --articles 100000`."""

import random
import time
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag, TaggedItem

from articles.models import Article, Author, Byline, Category, Correction, Source
from mailinglist.models import MailingList, Subscriber, Subscription
from newsroom import pagecache

# Common words make up most of the text; rare ones make selective search terms.
COMMON = (
    "government officials said the city people would minister report year week country police state president "
    "security forces talks agreement election vote parliament budget economy market prices company workers "
    "health hospital school children families water power energy oil gas trade border military troops attack "
    "civilians aid humanitarian united nations council court judge law rights protest crisis plan support "
    "international region local national public private new first last major early late spokesman statement "
    "according meeting leaders talks week months percent million billion since after before during while"
).split()
RARE = (
    "Idlib Aleppo Kharkiv Mosul Tigray Darfur Sahel Rakhine Cox's Bazar Nagorno Karabakh Ituri Cabo Delgado "
    "Marawi Balochistan Kandahar Zaporizhzhia Hodeidah Benghazi Juba Goma Bamako Niamey Kherson Donetsk"
).split()
FIRST = (
    "Lisa Maya Daniel Hannah Samir Amira Jonas Priya Tomas Aiko Omar Elena Kofi Nadia Ravi Sofia Yusuf Clara".split()
)
LAST = "Schlein Okafor Reyes Lindqvist Haddad Novak Mensah Ivanova Tanaka Duarte Sato Petrov Khan Berg Costa".split()
TOP_CATEGORIES = [
    "World", "Weapons of Mass Destruction (WMD)", "Politics", "Business", "Science", "Health",
    "Technology", "Climate", "Culture", "Sport", "Opinion", "Investigations",
]  # fmt: skip


class Command(BaseCommand):
    help = "Generate a benchmark dataset with bulk inserts, reproducible from --seed. Adds to what is there."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=100_000)
        parser.add_argument("--authors", type=int, default=500)
        parser.add_argument("--categories", type=int, default=60)
        parser.add_argument("--tags", type=int, default=5_000)
        parser.add_argument(
            "--corrections", type=float, default=3.0, help="percentage of articles carrying a correction or update"
        )
        parser.add_argument("--subscribers", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=2020)
        parser.add_argument("--batch", type=int, default=2_000)

    def handle(self, *args, **options):
        if Article.objects.filter(slug__startswith="bench-").exists():
            raise CommandError(
                "A benchmark dataset is already loaded (articles with slugs bench-…); use a fresh database."
            )
        self.rng = random.Random(options["seed"])
        started = time.monotonic()
        with transaction.atomic():
            source = Source.objects.get_or_create(name="Bench Wire", defaults={"short_name": "BW"})[0]
            categories = self.make_categories(options["categories"])
            authors = self.make_authors(options["authors"], source)
            tags = self.make_tags(options["tags"])
        self.make_articles(options["articles"], options["batch"], categories, authors, tags, source)
        self.make_corrections(options["corrections"], options["batch"])
        self.make_subscribers(options["subscribers"], options["batch"] * 5)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # VACUUM too: index-only scans (listings' counts and deep pages) need the visibility map it sets.
                # It cannot run inside a transaction (a caller's, as in tests): ANALYZE alone there.
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        # Bulk inserts send no editorial events: start every cache afresh.
        pagecache.purge(pagecache.EVERY_PAGE)
        self.stdout.write(
            f"Generated {options['articles']} articles and {options['subscribers']} subscribers "
            f"in {time.monotonic() - started:.0f} s."
        )

    def make_categories(self, count):
        """The sections: the newsroom's own where one of that name exists already (the demo's World or Politics; names
        are unique), new ones with bench- slugs for the rest, and subdesks under them."""
        names = TOP_CATEGORIES[: min(count, len(TOP_CATEGORIES))]
        existing = Category.objects.in_bulk(names, field_name="name")
        new = [
            Category(name=name, slug=f"bench-{slugify(name)}", nav_order=i)
            for i, name in enumerate(names)
            if name not in existing
        ]
        created = {category.name: category for category in Category.objects.bulk_create(new)}
        tops = [existing.get(name) or created[name] for name in names]
        desks = []
        for i in range(max(0, count - len(names))):
            parent = self.rng.choice(tops)
            desks.append(
                Category(name=f"{parent.name} desk {i}", slug=f"bench-desk-{i}", parent=parent, in_navigation=False)
            )
        taken = set(Category.objects.filter(name__in=[d.name for d in desks]).values_list("name", flat=True))
        return tops + Category.objects.bulk_create([d for d in desks if d.name not in taken])

    def make_authors(self, count, source):
        authors = [
            Author(
                name=f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)} {i}",
                slug=f"bench-author-{i}",
                job_title=self.rng.choice(["Correspondent", "Reporter", "Editor", "Photographer"]),
                bio=self.sentence(30),
                affiliation=source if i % 10 == 0 else None,
            )
            for i in range(count)
        ]
        return Author.objects.bulk_create(authors)

    def make_tags(self, count):
        return Tag.objects.bulk_create(
            [Tag(name=f"{self.rng.choice(COMMON)} {i}", slug=f"bench-tag-{i}") for i in range(count)]
        )

    def sentence(self, words):
        picked = self.rng.choices(COMMON, k=words)
        if self.rng.random() < 0.02:
            picked[self.rng.randrange(words)] = self.rng.choice(RARE)
        return " ".join(picked).capitalize() + "."

    def body(self):
        paragraphs = (
            " ".join(self.sentence(self.rng.randint(12, 28)) for _ in range(3)) for _ in range(self.rng.randint(6, 12))
        )
        return "".join(f"<p>{p}</p>" for p in paragraphs)

    def make_articles(self, count, batch, categories, authors, tags, source):
        # Desks are uneven, as in a real newsroom: the first sections carry most of the copy (World about a fifth,
        # enough for a thousand pages at 100,000 articles), the subdesks a trickle each.
        weights = [8 / (i + 1) if category.parent_id is None else 0.5 for i, category in enumerate(categories)]
        now = timezone.now()
        span = int(timedelta(days=5 * 365).total_seconds())
        article_type = ContentType.objects.get_for_model(Article)
        for start in range(0, count, batch):
            rows = []
            for i in range(start, min(start + batch, count)):
                headline = self.sentence(self.rng.randint(6, 12)).rstrip(".")
                rows.append(
                    Article(
                        headline=headline,
                        slug=f"bench-{i}-{slugify(headline)[:60]}",
                        dek=self.sentence(20),
                        body=self.body(),
                        category=self.rng.choices(categories, weights)[0],
                        source=source if i % 7 == 0 else None,
                        status=Article.Status.PUBLISHED,
                        published_at=now - timedelta(seconds=self.rng.randrange(span)),
                        featured=i % 50 == 0,
                    )
                )
            with transaction.atomic():
                created = Article.objects.bulk_create(rows)
                Byline.objects.bulk_create(
                    Byline(article=article, author=author, order=order)
                    for article in created
                    for order, author in enumerate(self.rng.sample(authors, self.rng.choice([1, 1, 1, 2, 3])))
                )
                TaggedItem.objects.bulk_create(
                    TaggedItem(content_type=article_type, object_id=article.pk, tag=tag)
                    for article in created
                    for tag in self.rng.sample(tags, self.rng.randint(2, 6))
                )
            self.stdout.write(f"  {min(start + batch, count)}/{count} articles", ending="\r")
            self.stdout.flush()
        self.stdout.write("")

    def make_corrections(self, percent, batch):
        """Corrections and updates on a few percent of the articles, dated after publication, as editors add them."""
        kinds = [Correction.Kind.CORRECTION] * 3 + [Correction.Kind.UPDATE] * 2 + [Correction.Kind.CLARIFICATION]
        articles = Article.objects.filter(slug__startswith="bench-").order_by("pk").values_list("pk", "published_at")
        rows = [
            Correction(
                article_id=pk,
                kind=self.rng.choice(kinds),
                text=f"An earlier version of this article {self.sentence(self.rng.randint(8, 16)).lower()}",
                created_at=published_at + timedelta(minutes=self.rng.randint(20, 60 * 48)),
            )
            for pk, published_at in articles.iterator(chunk_size=10_000)
            if self.rng.random() * 100 < percent
        ]
        Correction.objects.bulk_create(rows, batch_size=batch)
        # Made in bulk, not through Article.add_correction: the stories' modification times follow here.
        theirs = Correction.objects.filter(article=OuterRef("pk"))
        Article.objects.filter(Exists(theirs), slug__startswith="bench-").update(
            content_modified_at=Subquery(theirs.order_by("-created_at").values("created_at")[:1])
        )

    def make_subscribers(self, count, batch):
        """Confirmed readers on one to three of the public lists (the signup form shows them on every page)."""
        lists = MailingList.objects.bulk_create(
            [
                MailingList(name=f"Bench {name}", slug=f"bench-{slugify(name)}", description=self.sentence(12), order=i)
                for i, name in enumerate(["Morning briefing", "Breaking news", "Weekend reads"])
            ]
        )
        now = timezone.now()
        span = int(timedelta(days=3 * 365).total_seconds())
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        for start in range(0, count, batch):
            rows = []
            for i in range(start, min(start + batch, count)):
                created = now - timedelta(seconds=self.rng.randrange(span))
                rows.append(
                    Subscriber(
                        email=f"reader{i}@bench.example",
                        name=f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}" if i % 3 else "",
                        status=Subscriber.Status.ACTIVE,
                        source="bench import",
                        created_at=created,
                        confirmed_at=created + timedelta(minutes=self.rng.randint(1, 600)),
                        token_key="".join(self.rng.choices(alphabet, k=22)),
                    )
                )
            with transaction.atomic():
                created_rows = Subscriber.objects.bulk_create(rows)
                Subscription.objects.bulk_create(
                    Subscription(subscriber=subscriber, mailing_list=mailing_list, created_at=subscriber.confirmed_at)
                    for subscriber in created_rows
                    for mailing_list in self.rng.sample(lists, self.rng.choice([1, 1, 2, 3]))
                )
            self.stdout.write(f"  {min(start + batch, count)}/{count} subscribers", ending="\r")
            self.stdout.flush()
        self.stdout.write("")
