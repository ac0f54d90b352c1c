"""Live stories on the public site: their updates on the story's page, the endpoint open pages poll for newer ones,
and each update's own address.

Everything here is cached and purged like any page (``live-<id>``, website/purges.py): a reader's page asks
``updates/?after=<id>`` for what is newer than the update it shows, and all the readers showing the same update get
the same cached answer, so ten thousand open tabs cost the app one page per update posted.
"""

from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.views.decorators.http import require_safe

from articles.models import Article, LiveUpdate
from newsroom import pagecache
from photos.templatetags.pictures import pictures_in, with_pictures
from website import purges

# Updates per page of a live story, newest first; older ones are on ?page=2 and after.
UPDATES_PER_PAGE = 50
# How many newer updates one answer of the endpoint carries at most; a page further behind reloads.
NEWER_AT_MOST = 50
KEY_UPDATES = 5
# How often an open page asks for newer updates (seconds).
POLL_SECONDS = 20
# How long a browser may keep a live story's page or the endpoint's answer: purges reach shared caches, not browsers,
# and a reader without JavaScript reloads to see what is new.
BROWSER_SECONDS = 5


@dataclass
class LiveContext:
    """What a live story's page shows of its updates."""

    updates: list
    key_updates: list
    page: int = 1
    has_older: bool = False
    poll_url: str = ""
    newest_id: int = 0
    on_page: set = field(default_factory=set)
    poll_seconds: int = 0

    @property
    def polling(self):
        return bool(self.poll_url)


def prepared(updates):
    """The updates with their bodies ready to show (pictures placed through the editor: one query for them all)."""
    images = pictures_in(*(update.body for update in updates))
    for update in updates:
        update.body_html = SafeString(with_pictures(update.body, images))
    return updates


def live_context(request, article):
    """The page's updates (``?page=N``, newest first), its key updates, and how it asks for newer ones; None for a
    story that is not live coverage."""
    if not article.is_live_story:
        return None
    page = request.GET.get("page", "1")
    if not page.isdigit() or int(page) < 1:
        raise Http404("No such page of updates.")
    page = int(page)
    start = (page - 1) * UPDATES_PER_PAGE
    updates = list(article.live_updates.for_display()[start : start + UPDATES_PER_PAGE + 1])
    if page > 1 and not updates:
        raise Http404("No such page of updates.")
    has_older = len(updates) > UPDATES_PER_PAGE
    updates = prepared(updates[:UPDATES_PER_PAGE])
    key_updates = list(article.live_updates.filter(key=True)[:KEY_UPDATES])
    purges.show_updates(article, updates)
    live = page == 1 and article.coverage in (Article.Coverage.UPCOMING, Article.Coverage.LIVE)
    if live:
        pagecache.browser_lifetime(BROWSER_SECONDS)
    return LiveContext(
        updates=updates,
        key_updates=key_updates,
        page=page,
        has_older=has_older,
        poll_url=_updates_url(article) if live else "",
        newest_id=updates[0].pk if updates and page == 1 else 0,
        on_page={update.pk for update in updates},
        poll_seconds=POLL_SECONDS,
    )


def _updates_url(article):
    return article.get_absolute_url() + "updates/"


def live_story(year, month, day, slug):
    article = Article.objects.published().filter(slug=slug).exclude(coverage=Article.Coverage.NONE).first()
    if article is None or article.get_absolute_url() != reverse(
        "articles:detail", kwargs={"year": year, "month": f"{month:02d}", "day": f"{day:02d}", "slug": slug}
    ):
        raise Http404("No live story at this address.")
    return article


@require_safe
def newer_updates(request, year, month, day, slug):
    """The updates newer than ``?after=<id>``, newest first, as a fragment of HTML for the story's open pages."""
    article = live_story(year, month, day, slug)
    after = request.GET.get("after", "0")
    if not after.isdigit():
        raise Http404("after= takes the id of the newest update shown.")
    found = list(article.live_updates.for_display().filter(pk__gt=int(after))[: NEWER_AT_MOST + 1])
    updates = prepared(found[:NEWER_AT_MOST])
    purges.show_updates(article, updates)
    pagecache.browser_lifetime(BROWSER_SECONDS)
    response = render(
        request,
        "website/live_updates_fragment.html",
        {"article": article, "updates": updates, "too_many": len(found) > NEWER_AT_MOST},
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def update_permalink(request, year, month, day, slug, pk):
    """An update's own address: the page of the story that shows it, at its anchor."""
    article = live_story(year, month, day, slug)
    update = LiveUpdate.objects.filter(article=article, pk=pk).first()
    if update is None:
        raise Http404("No such update.")
    newer = article.live_updates.filter(
        Q(published_at__gt=update.published_at) | Q(published_at=update.published_at, pk__gt=update.pk)
    ).count()
    page = newer // UPDATES_PER_PAGE + 1
    query = f"?page={page}" if page > 1 else ""
    return HttpResponseRedirect(f"{article.get_absolute_url()}{query}#{update.anchor}")


def permalink(article, update):
    return f"{article.get_absolute_url()}updates/{update.pk}/"
