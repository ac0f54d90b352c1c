"""When a public page changes: the keys each page carries, and the editorial events that purge them.

Every cacheable page names what it shows (newsroom/pagecache.py does the keeping and the purging):

- the things on it: ``article-<id>`` for each story it shows (page, listing item, feed entry), and
  ``article-dated-<id>`` where the page also shows when the story last changed (its own page, feed entries), and what
  those show with them: ``section-<id>`` (kickers, breadcrumbs), ``author-<id>`` (bylines), ``image-<id>`` (pictures:
  the ``{% picture %}`` tag of photos/ names them itself), ``source-<id>`` (wire credits), ``tag-<id>`` (an article
  page's tags), ``live-<id>`` (a live story's updates: its page, the endpoint its readers poll for newer ones, its feed
  of updates);
- the listing it is: ``home`` (the home page and the site-wide feeds), ``section-list-<id>``, ``tag-list-<id>``,
  ``author-list-<id>`` (their pages and feeds), ``archive`` (the date archives: cold pages, whose links to the
  neighbouring periods any publication can change), ``search``, ``sitemaps``, ``corrections``,
  ``newsletter-archive``;
- the parts of every page: ``nav`` (sections), ``banner``, ``lists`` (the signup form's lists).

What purges them, once committed:

- an article going live, scheduled, unscheduled, withdrawn, re-dated, moved or (un)featured: the article and every
  listing it was in, is in, or will join when its time comes;
- an edit of a live story: the article, the listings it joins or leaves, search and the sitemaps;
- a draft save, a review step, a comment, a preview link: nothing (nothing public changed);
- a correction or update: the pages that show the story's corrections or when it last changed (its page and the
  feeds: ``article-dated-<id>``), the corrections page and the sitemaps; listings, which show neither, stay;
- a live update posted, changed or deleted: ``live-<id>`` only (listings name the story, not its updates);
- live coverage announced, started, ended or reopened: as a change of placement (listings mark live stories, and the
  news sitemap lists them while live);
- changes to a live story scheduled for later: the pages showing it and the listings it would join or leave, so
  that their next copies end at that time (below);
- a section, tag, author, source or picture edited: its keys; the banner: ``banner``;

Purges are soft (a kept copy may be served while one request remakes the page: readers never queue behind a
publication) except where the old page must not be seen again: a story leaving the public site (withdrawn,
unpublished, unscheduled), a picture deleted or given new renditions (the old files are deleted);
- the mailing lists and a newsletter issue sent: ``lists`` (mailinglist/models.py) and ``newsletter-archive``
  (newsletters/models.py).

And by the clock, with nothing running: a listing is kept no longer than the moment the next scheduled story that
will join it goes live, every page no longer than the banner's next start or end, and no longer than the next time
changes to a live story are scheduled for (website/middleware.py publishes them then).
"""

from django.db.models.signals import post_delete, post_save
from taggit.models import Tag

from articles.models import Article, Author, Category, Correction, Source
from articles.signals import article_changed, live_updates_changed
from newsroom import pagecache
from photos.models import Image
from photos.signals import renditions_changed
from website.models import PromoBanner

HOME, SEARCH, SITEMAPS, CORRECTIONS, ARCHIVE = "home", "search", "sitemaps", "corrections", "archive"
NAV, BANNER = "nav", "banner"


# ---- what pages carry


def article_keys(article, *, page=False, tags=False, dated=False):
    """The keys of an article as shown in a listing (with ``tags``, naming its tags as feeds do; with ``dated``,
    showing when it last changed as feeds do; with ``page``, on its own page). Reads only what ``for_listing()`` /
    ``for_display()`` load."""
    keys = {f"article-{article.pk}"}
    if page or dated:
        keys.add(dated_article(article.pk))
    if article.category_id:
        keys.add(f"section-{article.category_id}")
        if page and article.category.parent_id:
            keys.add(f"section-{article.category.parent_id}")
    keys.update(f"author-{byline.author_id}" for byline in article.bylines.all())
    if article.lead_image_id:
        keys.add(f"image-{article.lead_image_id}")
    if article.source_id:
        keys.add(f"source-{article.source_id}")
    if page or tags:
        keys.update(f"tag-{tag.pk}" for tag in article.tags.all())
    if page:
        keys.update(f"section-{category.pk}" for category in article.secondary_categories.all())
    return keys


def show(*articles, page=False, tags=False, dated=False):
    """The page being rendered shows these articles."""
    for article in articles:
        if article is not None:
            pagecache.add_keys(*article_keys(article, page=page, tags=tags, dated=dated))


def dated_article(article_id):
    return f"article-dated-{article_id}"


def show_headlines(*article_ids):
    """The page being rendered names these articles (a headline, a link), nothing else of them."""
    pagecache.add_keys(*(f"article-{pk}" for pk in article_ids))


def show_listing(key, joining=None):
    """The page being rendered is (a page of) this listing. ``joining``: the articles that would be in it when
    published (a queryset), so the page ends when the next scheduled one among them goes live."""
    pagecache.add_keys(key)
    if joining is not None:
        pagecache.expire_at(joining.next_publication(after=pagecache.rendering_started()))


def live_updates(article_id):
    return f"live-{article_id}"


def show_updates(article, updates):
    """The page being rendered shows this live story's updates (with their authors; pictures name themselves)."""
    pagecache.add_keys(live_updates(article.pk), f"article-{article.pk}")
    pagecache.add_keys(*(f"author-{update.author_id}" for update in updates if update.author_id))


def show_navigation():
    pagecache.add_keys(NAV)


def show_section(*categories):
    pagecache.add_keys(*(f"section-{category.pk}" for category in categories))


def show_tag(tag):
    pagecache.add_keys(f"tag-{tag.pk}")


def show_author(author):
    pagecache.add_keys(f"author-{author.pk}")


def section_listing(category):
    return f"section-list-{category.pk}"


def tag_listing(tag):
    return f"tag-list-{tag.pk}"


def author_listing(author):
    return f"author-list-{author.pk}"


# ---- what purges them


def listings_of(facts):
    """Every listing an article is in while live (or will join when its time comes)."""
    if not facts.shown:
        return set()
    return {
        HOME,
        SEARCH,
        SITEMAPS,
        ARCHIVE,
        *(f"section-list-{pk}" for pk in facts.section_ids),
        *(f"tag-list-{pk}" for pk in facts.tag_ids),
        *(f"author-list-{pk}" for pk in facts.author_ids),
    }


def keys_to_purge(article_id, before, after):
    """What a change of an article from ``before`` to ``after`` (its PublicFacts) makes out of date."""
    if not (before.shown or after.shown):
        return set()
    keys = {f"article-{article_id}", SEARCH, SITEMAPS} if before.live or after.live else set()
    if before.placement != after.placement:
        return keys | listings_of(before) | listings_of(after)
    # Same place in time: only the listings it joins or leaves change beyond the pages showing it.
    return keys | (listings_of(before) ^ listings_of(after))


def article_was_changed(sender, *, article_id, before, **kwargs):
    article = Article.objects.filter(pk=article_id).first()
    after = article.public_facts() if article else before.hidden()
    # Leaving the public site (withdrawn, unpublished, put back under embargo, deleted): no copy may be served again,
    # even stale.
    leaving = before.live and not after.live
    pagecache.purge(*keys_to_purge(article_id, before, after), hard=leaving)


def _entity(*keys, hard_on_delete=False):
    def purge(sender, instance, **kwargs):
        if not kwargs.get("raw"):
            deleted = kwargs.get("signal") is post_delete
            pagecache.purge(
                *(key.format(pk=instance.pk, instance=instance) for key in keys), hard=hard_on_delete and deleted
            )

    return purge


def updates_were_changed(sender, *, article_id, **kwargs):
    pagecache.purge(live_updates(article_id))


def picture_changed(sender, *, image_id, **kwargs):
    """A picture's renditions were swapped (a queryset update, which sends no post_save): the old files are deleted,
    so no page may point at them again."""
    pagecache.purge(f"image-{image_id}", hard=True)


RULES = {
    # The search form offers every section and author with a live story; the sitemaps list their addresses.
    Category: _entity("section-{pk}", "section-list-{pk}", NAV, SEARCH, SITEMAPS),
    Tag: _entity("tag-{pk}", "tag-list-{pk}", SITEMAPS),
    Author: _entity("author-{pk}", "author-list-{pk}", SEARCH, SITEMAPS),
    Source: _entity("source-{pk}"),
    Image: _entity("image-{pk}", hard_on_delete=True),
    PromoBanner: _entity(BANNER),
    Correction: _entity("article-dated-{instance.article_id}", CORRECTIONS, SITEMAPS),
}


def connect():
    article_changed.connect(article_was_changed, dispatch_uid="purges_article_changed")
    live_updates_changed.connect(updates_were_changed, dispatch_uid="purges_live_updates_changed")
    renditions_changed.connect(picture_changed, dispatch_uid="purges_renditions_changed")
    for model, receiver in RULES.items():
        post_save.connect(receiver, sender=model, dispatch_uid=f"purges_save_{model.__name__}")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"purges_delete_{model.__name__}")
