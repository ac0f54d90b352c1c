import secrets
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from articles.demo.content import ARTICLES, AUTHORS, BANNER_URL, CATEGORIES, read_seed
from articles.demo.pictures import CREDIT, PICTURES, jpeg_bytes
from articles.models import Article, Author, Byline, Category, PromoBanner, Source
from articles.services import add_image

DEMO_ACCOUNTS = [
    # (username, first name, permissions codenames in the articles app)
    ("editor", "Eddie", None),
    (
        "reporter",
        "Rita",
        [
            *("add_article", "change_article", "view_article", "view_author", "view_category", "view_source"),
            *("add_image", "change_image", "view_image"),
        ],
    ),
]


def paragraphs_html(paragraphs):
    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs)


class Command(BaseCommand):
    help = "Load the demo newsroom: the VOA seed story, its banner, more stories and local demo accounts. Idempotent."

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
            categories[slug], _ = Category.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "short_name": short_name,
                    "description": description,
                    "parent": categories.get(parent_slug),
                    "nav_order": order,
                },
            )
        assert categories["wmd"].name == seed.category

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
        seed_slug = "civilian-killings-mount-in-idlib-as-cease-fire-breaks-down"
        article, is_new = Article.objects.get_or_create(
            slug=seed_slug,
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

        self.stdout.write(f"Demo content ready ({created} new articles).")
        self._demo_pictures()
        self._demo_accounts()

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

    def _demo_accounts(self):
        if not settings.DEBUG:
            self.stdout.write("Debug is off: no demo accounts created.")
            return
        User = get_user_model()
        for username, first_name, codenames in DEMO_ACCOUNTS:
            if User.objects.filter(username=username).exists():
                continue
            password = secrets.token_urlsafe(12)
            user = User.objects.create_user(
                username=username,
                first_name=first_name,
                email=f"{username}@example.com",
                password=password,
                is_staff=True,
                is_superuser=codenames is None,
            )
            if codenames:
                user.user_permissions.set(
                    Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)
                )
            self.stdout.write(self.style.WARNING(f"Demo account (local use only): {username} / {password}"))
