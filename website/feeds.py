"""RSS 2.0 and Atom 1.0 feeds of the latest published articles: site-wide and per category, tag and author; and the
RSS feed of one live story's updates.

Every byline is credited (one dc:creator per author in RSS, one <author> per author in Atom); the lead image goes in
as an enclosure through `item_enclosures`, which asks website.seo.lead_image.
"""

import copy

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from taggit.models import Tag

from articles.models import Article, Author, Category
from website import live, purges, seo

DC_NAMESPACE = "http://purl.org/dc/elements/1.1/"


class NewsRssFeed(Rss201rev2Feed):
    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:dc": DC_NAMESPACE}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, _url in item["bylines"]:
            handler.addQuickElement("dc:creator", name)


class NewsAtomFeed(Atom1Feed):
    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, url in item["bylines"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.addQuickElement("uri", url)
            handler.endElement("author")


class ArticleFeed(Feed):
    feed_type = NewsRssFeed

    def __call__(self, request, *args, **kwargs):
        # Feed instances live in the URLconf and are shared by threads; each request gets its own copy.
        feed = copy.copy(self)
        feed.request = request
        return Feed.__call__(feed, request, *args, **kwargs)

    def feed_title(self, obj):
        return settings.SITE_NAME

    def title(self, obj):
        return self.feed_title(obj)

    def description(self, obj):
        return f"The latest stories from {settings.SITE_NAME}."

    def subtitle(self, obj):
        return self.description(obj)

    def link(self, obj):
        return "/"

    def author_name(self, obj):
        # Atom needs an author for every entry; entries without a byline fall back to the newsroom.
        return settings.SITE_NAME

    def feed_copyright(self, obj):
        return f"© {settings.SITE_NAME}; wire copy © its source."

    def articles(self, obj):
        """The articles this feed follows, live or not (``items`` takes the live ones)."""
        return Article.objects.all()

    def listing(self, obj):
        return purges.HOME

    def items(self, obj):
        # With their text: an item without a dek is described by its first words (website.seo.summary).
        listing = self.articles(obj).published().for_listing().defer(None).prefetch_related("tags")
        items = list(listing[: settings.NEWSROOM_FEED_SIZE])
        if obj is not None and not items and not (isinstance(obj, Category) and obj.in_navigation):
            raise Http404("Nothing live here yet.")  # as the listing page answers: no name before a live story
        purges.show_listing(self.listing(obj), joining=self.articles(obj))
        purges.show(*items, tags=True, dated=True)
        return items

    def item_title(self, item):
        return item.headline

    def item_description(self, item):
        # Not the headline again: a feed reader shows the title above the description.
        return seo.summary(item)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.modified_at

    def item_categories(self, item):
        names = [item.category.name] if item.category else []
        return names + [tag.name for tag in item.tags.all()]

    def item_enclosures(self, item):
        image = seo.lead_image(item, self.request)
        if not image:
            return []
        return [Enclosure(image["url"], str(image["length"]), image["mime_type"])]

    def item_extra_kwargs(self, item):
        return {
            "bylines": [
                (byline.author.name, self.request.build_absolute_uri(byline.author.get_absolute_url()))
                for byline in item.bylines.all()
            ]
        }


class AtomMixin:
    feed_type = NewsAtomFeed


class LatestRss(ArticleFeed):
    pass


class LatestAtom(AtomMixin, ArticleFeed):
    pass


class CategoryFeed(ArticleFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Category, slug=slug)

    def feed_title(self, obj):
        return f"{settings.SITE_NAME}: {obj.name}"

    def description(self, obj):
        return obj.description or f"The latest {obj.name} stories from {settings.SITE_NAME}."

    def link(self, obj):
        return obj.get_absolute_url()

    def articles(self, obj):
        return Article.objects.in_category(obj)

    def listing(self, obj):
        return purges.section_listing(obj)


class TagFeed(ArticleFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def feed_title(self, obj):
        return f"{settings.SITE_NAME}: {obj.name}"

    def description(self, obj):
        return f"Stories about {obj.name} from {settings.SITE_NAME}."

    def link(self, obj):
        from django.urls import reverse

        return reverse("articles:tag", args=[obj.slug])

    def articles(self, obj):
        return Article.objects.filter(tags=obj)

    def listing(self, obj):
        return purges.tag_listing(obj)


class AuthorFeed(ArticleFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Author, slug=slug)

    def feed_title(self, obj):
        return f"{settings.SITE_NAME}: {obj.name}"

    def description(self, obj):
        return f"Stories by {obj.name} for {settings.SITE_NAME}."

    def link(self, obj):
        return obj.get_absolute_url()

    def articles(self, obj):
        return Article.objects.by_author(obj)

    def listing(self, obj):
        return purges.author_listing(obj)


class LiveUpdatesFeed(Feed):
    """A live story's updates, newest first: each links to the update's own address."""

    feed_type = Rss201rev2Feed

    def get_object(self, request, year, month, day, slug):
        return live.live_story(year, month, day, slug)

    def title(self, obj):
        return f"{obj.headline}: live updates"

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return obj.dek or f"Live updates from {settings.SITE_NAME}."

    def items(self, obj):
        updates = live.prepared(list(obj.live_updates.for_display()[: settings.NEWSROOM_FEED_SIZE]))
        purges.show_updates(obj, updates)
        for update in updates:
            update.article = obj  # the story loaded already, for the links
        return updates

    def item_title(self, item):
        return f"Key update: {item.summary}" if item.key else item.summary

    def item_description(self, item):
        return item.body_html

    def item_link(self, item):
        return live.permalink(item.article, item)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.author.name if item.author_id else None
