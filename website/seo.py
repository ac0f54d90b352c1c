"""What pages tell search engines, social networks and feed readers: titles, descriptions, canonical links,
OpenGraph and Twitter cards, feed links and schema.org JSON-LD (NewsArticle, LiveBlogPosting, BreadcrumbList)."""

import html
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.storage import default_storage
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator

from photos.renditions import structured_data_images

# Search engines may show a large picture from a page only when it says so.
INDEXABLE = "max-image-preview:large"
DESCRIPTION_LENGTH = 200
FIGURE = re.compile(r"<figure\b.*?</figure>", re.S | re.I)


def trim_at_word(text, limit):
    """The text with its runs of white space made single, cut at the last word that fits in ``limit`` characters
    (an ellipsis marks the cut)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut and not text[limit - 1].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-–—") + "…"


def summary(article):
    """What a search result or a shared link says of a story: its dek, or else the start of its text (pictures'
    captions left out), or at the very least its headline."""
    if article.dek.strip():
        return article.dek
    text = html.unescape(strip_tags(FIGURE.sub(" ", article.body or "")))
    return trim_at_word(text, DESCRIPTION_LENGTH) or article.headline


def lead_image(article, request):
    """The article's lead image for og:image, JSON-LD and feed enclosures: a dict with url, width, height, alt,
    mime_type and length, or None: the 1200×630 social rendition once made, the served copy until then."""
    if not article.lead_image_id:
        return None
    image = article.lead_image
    url, width, height = article.social_image(request)
    social = (image.renditions or {}).get("social", {}).get("JPEG") if image.renditions_ready else None
    name, mime_type = (social[-1][2], "image/jpeg") if social else (image.file.name, f"image/{image.format.lower()}")
    try:
        length = default_storage.size(name)
    except (OSError, NotImplementedError):
        length = 0  # a feed reader treats an unknown length as such; a missing file must not break the feed
    return {
        "url": url,
        "width": width,
        "height": height,
        "alt": image.alt_text,
        "mime_type": mime_type,
        "length": length,
    }


@dataclass
class Feed:
    title: str
    url: str
    type: str = "application/rss+xml"


@dataclass
class PageMeta:
    title: str
    description: str
    canonical: str
    url: str = ""
    og_type: str = "website"
    feeds: list[Feed] = field(default_factory=list)
    structured_data: list[dict] = field(default_factory=list)
    image: dict | None = None
    article: dict | None = None
    robots: str = INDEXABLE
    document_title: str = ""

    def __post_init__(self):
        self.url = self.url or self.canonical
        self.description = trim_at_word(self.description, 300)
        if not self.document_title:
            site = settings.SITE_NAME
            self.document_title = site if self.title == site else f"{self.title} | {site}"


def site_feeds(request):
    return [
        Feed(f"{settings.SITE_NAME}: latest (RSS)", request.build_absolute_uri(reverse("articles:feed"))),
        Feed(
            f"{settings.SITE_NAME}: latest (Atom)",
            request.build_absolute_uri(reverse("articles:feed-atom")),
            "application/atom+xml",
        ),
    ]


def publisher(request):
    return {
        "@type": "NewsMediaOrganization",
        "name": settings.SITE_NAME,
        "url": request.build_absolute_uri("/"),
        "logo": {"@type": "ImageObject", "url": request.build_absolute_uri(static("img/logo.png"))},
    }


def breadcrumb_list(request, crumbs):
    """schema.org BreadcrumbList from [(name, path), …], starting at the home page."""
    crumbs = [(settings.SITE_NAME, reverse("articles:home")), *crumbs]
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": request.build_absolute_uri(path)}
            for n, (name, path) in enumerate(crumbs, start=1)
        ],
    }


def page_url(request, path, page_obj=None):
    """The canonical URL of a listing page: ?page=N is kept (each page lists different stories), nothing else."""
    url = request.build_absolute_uri(path)
    if page_obj is not None and page_obj.number > 1:
        url += f"?page={page_obj.number}"
    return url


def first_picture(articles, request):
    """The social image of the first of these stories that has a picture: a listing's card when it is shared."""
    shown = next((article for article in articles or () if article is not None and article.lead_image_id), None)
    return lead_image(shown, request) if shown else None


def listing_meta(
    request, *, title, description, path, crumbs=(), feeds=(), page_obj=None, robots=INDEXABLE, pictured=()
):
    """A listing's metadata; ``pictured``: the stories it shows, whose first picture becomes its og:image."""
    if page_obj is not None and page_obj.number > 1:
        title = f"{title} (page {page_obj.number})"
    return PageMeta(
        title=title,
        description=description,
        canonical=page_url(request, path, page_obj),
        feeds=[*feeds, *site_feeds(request)],
        structured_data=[breadcrumb_list(request, crumbs)] if crumbs else [],
        robots=robots,
        image=first_picture(pictured, request),
    )


def home_meta(request, pictured=()):
    return PageMeta(
        image=first_picture(pictured, request),
        title=settings.SITE_NAME,
        description=f"The latest news from {settings.SITE_NAME}.",
        canonical=request.build_absolute_uri(reverse("articles:home")),
        feeds=site_feeds(request),
        structured_data=[
            {
                "@context": "https://schema.org",
                "@type": "WebSite",
                "name": settings.SITE_NAME,
                "url": request.build_absolute_uri("/"),
                "potentialAction": {
                    "@type": "SearchAction",
                    "target": request.build_absolute_uri(reverse("articles:search")) + "?q={search_term_string}",
                    "query-input": "required name=search_term_string",
                },
            }
        ],
    )


def news_article(request, article, image=None):
    """schema.org NewsArticle for an article page (expects article loaded with for_display())."""
    url = request.build_absolute_uri(article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": trim_at_word(article.headline, 110),
        "description": summary(article),
        "datePublished": timezone.localtime(article.published_at).isoformat(),
        "dateModified": timezone.localtime(article.modified_at).isoformat(),
        "author": [
            {
                "@type": "Person",
                "name": byline.author.name,
                "url": request.build_absolute_uri(byline.author.get_absolute_url()),
                **({"jobTitle": byline.author.job_title} if byline.author.job_title else {}),
            }
            for byline in article.bylines.all()
        ],
        "publisher": publisher(request),
        "inLanguage": settings.NEWSROOM_LANGUAGE,
        "isAccessibleForFree": True,
    }
    if article.category:
        data["articleSection"] = article.category.name
    tags = [tag.name for tag in article.tags.all()]
    if tags:
        data["keywords"] = tags
    if image:
        data["image"] = article_images(article, request) or [image["url"]]
    if article.source_id:
        data["sourceOrganization"] = {"@type": "Organization", "name": article.source.name}
        if article.source.url:
            data["sourceOrganization"]["url"] = article.source.url
        if article.original_url:
            data["isBasedOn"] = article.original_url
    return data


def article_images(article, request):
    """schema.org ImageObjects of the lead picture in 16:9, 4:3 and 1:1, as far as they are made."""
    return [
        {"@type": "ImageObject", "url": request.build_absolute_uri(url), "width": width, "height": height}
        for url, width, height in structured_data_images(article.lead_image)
    ]


def live_blog_posting(request, article, data, live):
    """The NewsArticle of a live story as a schema.org LiveBlogPosting: when coverage started (and ended), and the
    updates on the page, each a BlogPosting at its anchor."""
    url = data["url"]
    data["@type"] = "LiveBlogPosting"
    started = article.coverage_started_at or article.published_at
    data["coverageStartTime"] = timezone.localtime(max(started, article.published_at)).isoformat()
    if article.coverage == article.Coverage.ENDED and article.coverage_ended_at:
        data["coverageEndTime"] = timezone.localtime(article.coverage_ended_at).isoformat()
    data["liveBlogUpdate"] = [
        {
            "@type": "BlogPosting",
            "headline": Truncator(update.summary).chars(110),
            "url": f"{url}#{update.anchor}",
            "datePublished": timezone.localtime(update.published_at).isoformat(),
            "articleBody": " ".join(strip_tags(update.body).split()),
            **({"author": {"@type": "Person", "name": update.author.name}} if update.author_id else {}),
        }
        for update in live.updates
    ]
    if live.updates and live.page == 1:
        newest = max(update.published_at for update in live.updates)
        data["dateModified"] = timezone.localtime(max(newest, article.modified_at)).isoformat()
    return data


def article_meta(request, article, live=None):
    """The article page's meta; ``live`` (website.live.LiveContext) for a live story."""
    own_url = request.build_absolute_uri(article.get_absolute_url())
    canonical = article.original_url if article.canonical_is_original and article.original_url else own_url
    image = lead_image(article, request)
    crumbs = []
    if article.category:
        if article.category.parent:
            crumbs.append((article.category.parent.name, article.category.parent.get_absolute_url()))
        crumbs.append((article.category.name, article.category.get_absolute_url()))
    crumbs.append((article.headline, article.get_absolute_url()))
    feeds = []
    if live is not None:
        feeds.append(
            Feed(
                f"{article.headline}: live updates",
                request.build_absolute_uri(article.get_absolute_url() + "feed/"),
            )
        )
    if article.category:
        feeds.append(
            Feed(
                f"{settings.SITE_NAME}: {article.category.name}",
                request.build_absolute_uri(reverse("articles:category-feed", args=[article.category.slug])),
            )
        )
    structured = news_article(request, article, image)
    if live is not None:
        structured = live_blog_posting(request, article, structured, live)
    return PageMeta(
        title=article.headline,
        description=summary(article),
        canonical=canonical,
        url=own_url,
        og_type="article",
        feeds=[*feeds, *site_feeds(request)],
        structured_data=[structured, breadcrumb_list(request, crumbs)],
        image=image,
        article={
            "published_time": article.published_at,
            "modified_time": article.modified_at,
            "section": article.category.name if article.category else "",
            "tags": [tag.name for tag in article.tags.all()],
            "authors": [
                request.build_absolute_uri(byline.author.get_absolute_url()) for byline in article.bylines.all()
            ],
        },
    )
