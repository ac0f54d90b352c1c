"""The pages benchmark readers ask for, found in the database: `manage.py reader_mix` prints them as JSON, by group.

bench/run draws its readers' requests from these groups in fixed shares (see docs/performance.md): the newest
stories, a sample of the archive, the home page, section and tag pages, and feeds.
"""

import json
import random

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import Count
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article, Category


class Command(BaseCommand):
    help = "Print the URLs benchmark readers request, grouped (newest, archive, home, listings, feeds), as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--newest", type=int, default=300, help="how many of the newest stories draw most readers")
        parser.add_argument("--archive", type=int, default=1000, help="how many older stories are sampled")
        parser.add_argument("--tags", type=int, default=40, help="how many of the most used tags have pages read")
        parser.add_argument("--seed", type=int, default=2020)

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(reader_groups(**options)))


def _story_urls(articles):
    return [article.get_absolute_url() for article in articles.only("slug", "published_at", "created_at")]


def reader_groups(*, newest=300, archive=1000, tags=40, seed=2020, **_options):
    """{group: [url, …]}: each group's URLs, the most read first where that has a meaning (the newest stories)."""
    rng = random.Random(seed)
    live = Article.objects.published().order_by("-published_at", "-id")
    older = list(live.values_list("pk", flat=True)[newest:])
    sample = rng.sample(older, min(archive, len(older)))
    # Sections with a live story: any other answers 404 (its name is not public yet).
    sections = [
        section
        for section in Category.objects.order_by("parent_id", "nav_order", "name")
        if live.in_category(section).exists()
    ]
    top = [section for section in sections if section.parent_id is None]
    size = settings.NEWSROOM_PAGE_SIZE
    # A section's second page too, where it has one: readers of a top-level section scroll on.
    second_pages = [section for section in top if live.in_category(section).values("pk")[size : size + 1].exists()]
    # The most used tags among live stories (a tag only an embargoed story has answers 404).
    used_tags = list(
        Tag.objects.filter(taggit_taggeditem_items__object_id__in=Article.objects.published().values("pk"))
        .annotate(uses=Count("taggit_taggeditem_items"))
        .order_by("-uses", "pk")[:tags]
    )
    tag_pages = [reverse("articles:tag", kwargs={"slug": tag.slug}) for tag in used_tags]
    return {
        "newest": _story_urls(live[:newest]),
        "archive": sorted(_story_urls(Article.objects.filter(pk__in=sample))),
        "home": [reverse("articles:home")],
        "listings": [
            *(section.get_absolute_url() for section in sections),
            *(f"{section.get_absolute_url()}?page=2" for section in second_pages),
            *tag_pages,
        ],
        "feeds": [
            reverse("articles:feed"),
            reverse("articles:feed-atom"),
            *(reverse("articles:category-feed", kwargs={"slug": section.slug}) for section in top),
            *(f"{url}feed/" for url in tag_pages[:10]),
        ],
    }
