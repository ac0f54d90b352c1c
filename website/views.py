from datetime import datetime

from django import forms
from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection
from django.db.models import F, Q
from django.db.models.expressions import Window
from django.db.models.functions import Coalesce, RowNumber
from django.forms.utils import flatatt
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_safe
from django.views.generic.dates import DayArchiveView, MonthArchiveView, YearArchiveView
from taggit.models import Tag

from articles import search
from articles.models import Article, Author, Category, Correction
from website import live, purges, seo
from website.previews import gone_or_moved

HOME_TOP_STORIES = 4
HOME_LATEST = 12
HOME_RAIL_SIZE = 4


class ListingPaginator(Paginator):
    """Finds a page's keys first, then loads only those rows (a "deferred join"): the OFFSET walks a narrow index
    (see article_listing_idx) instead of fetching and throwing away every earlier row. Same order, same rows and
    still one query per page."""

    def page(self, number):
        if isinstance(self.object_list, list):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = self.object_list.prefetch_related(None).values("pk")[bottom:top]
        return self._get_page(self.object_list.filter(pk__in=keys), number, self)


def paginate(request, queryset):
    """The requested page of a listing; a malformed or out-of-range ?page= is a 404, not a 500."""
    paginator = ListingPaginator(queryset, settings.NEWSROOM_PAGE_SIZE)
    try:
        return paginator.page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        if request.GET.get("page") in (None, "1"):
            return paginator.page(1) if paginator.count else None
        raise Http404("No such page.") from None


@require_safe
def home(request):
    if request.GET.get("page", "1") != "1":
        raise Http404("The home page has one page; older stories are in the sections and the archive.")
    published = Article.objects.published()
    lead = published.filter(featured=True).for_listing().first()
    latest = list(published.exclude(pk=getattr(lead, "pk", None)).for_listing()[: HOME_TOP_STORIES + HOME_LATEST + 1])
    if lead is None and latest:
        lead = latest.pop(0)
    top_stories, latest = latest[:HOME_TOP_STORIES], latest[HOME_TOP_STORIES:]
    nav = list(Category.objects.navigation())
    shown = [a.pk for a in (lead, *top_stories) if a is not None]
    by_section = {}
    for article in _rail_articles(published.exclude(pk__in=shown), nav):
        by_section.setdefault(article.section, []).append(article)
    rails = [(category, by_section[category.pk]) for category in nav if category.pk in by_section]
    purges.show_listing(purges.HOME, joining=Article.objects.all())
    purges.show_navigation()  # the page's own copy of the sections, for its rails, stands in for the site-wide one
    purges.show(lead, *top_stories, *latest, *(article for _, articles in rails for article in articles))
    return render(
        request,
        "website/home.html",
        {
            "lead": lead,
            "top_stories": top_stories,
            "latest": latest,
            "rails": rails,
            "nav_categories": nav,
            "meta": seo.home_meta(request, pictured=[lead, *top_stories, *latest]),
        },
    )


def _rail_articles(published, nav):
    """The newest few stories of each navigation section (subdesks included), in one query, each with `section`.

    Where the database can limit each arm of a UNION (PostgreSQL), every section is its own short walk down the
    publication-time index, so the cost does not grow with the archive. SQLite cannot, so there the stories are
    numbered within each section by a window over the whole archive, which is fine at SQLite's sizes."""
    section = Coalesce("category__parent_id", "category_id")
    sections = [c.pk for c in nav]
    if not sections:
        return []
    if connection.features.supports_slicing_ordering_in_compound:
        arms = [
            published.filter(Q(category_id=pk) | Q(category__parent_id=pk))
            .order_by("-published_at", "-id")
            .values("pk")[:HOME_RAIL_SIZE]
            for pk in sections
        ]
        picked = arms[0].union(*arms[1:], all=True) if len(arms) > 1 else arms[0]
        chosen = published.filter(pk__in=picked).annotate(section=section)
    else:
        chosen = published.annotate(
            section=section,
            rail_position=Window(
                RowNumber(), partition_by=[section], order_by=[F("published_at").desc(), F("id").desc()]
            ),
        ).filter(section__in=sections, rail_position__lte=HOME_RAIL_SIZE)
    return chosen.for_listing().order_by("section", "-published_at", "-id")


@require_safe
def article_detail(request, year, month, day, slug):
    article = Article.objects.published().for_display().filter(slug=slug).first()
    if article is None:
        return gone_or_moved(request, slug)
    published_on = timezone.localtime(article.published_at).date()
    if (published_on.year, published_on.month, published_on.day) != (year, month, day):
        return gone_or_moved(request, slug)
    purges.show(article, page=True)
    updates = live.live_context(request, article)
    meta = seo.article_meta(request, article, updates)
    return render(request, "website/article_detail.html", {"article": article, "meta": meta, "live": updates})


def _feed_link(title, url_name, slug, request):
    return seo.Feed(f"{settings.SITE_NAME}: {title}", request.build_absolute_uri(reverse(url_name, args=[slug])))


@require_safe
def category_detail(request, slug):
    category = get_object_or_404(Category.objects.select_related("parent"), slug=slug)
    page_obj = paginate(request, Article.objects.published().in_category(category).for_listing())
    if not page_obj and not (category.in_navigation and category.parent_id is None):
        # A section named in the navigation is public by the editors' choice; any other one is known only by its live
        # stories, so its name does not leak before the first of them (an embargoed story's new section) goes live.
        raise Http404("No live story in this section.")
    purges.show_listing(purges.section_listing(category), joining=Article.objects.in_category(category))
    purges.show(*(page_obj or ()))
    purges.show_section(category, *category.children.all())
    crumbs = [(category.parent.name, category.parent.get_absolute_url())] if category.parent else []
    crumbs.append((category.name, category.get_absolute_url()))
    meta = seo.listing_meta(
        request,
        title=category.name,
        description=category.description or f"The latest {category.name} news from {settings.SITE_NAME}.",
        path=category.get_absolute_url(),
        crumbs=crumbs,
        feeds=[_feed_link(category.name, "articles:category-feed", category.slug, request)],
        page_obj=page_obj,
        pictured=page_obj,
    )
    return render(
        request,
        "website/category_detail.html",
        {
            "category": category,
            "subcategories": category.children.all(),
            "page_obj": page_obj,
            "current_category_slug": (category.parent or category).slug,
            "meta": meta,
        },
    )


@require_safe
def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    page_obj = paginate(request, Article.objects.published().filter(tags=tag).for_listing())
    if not page_obj:
        raise Http404("No live story carries this tag.")  # not even its name before a story goes live
    purges.show_listing(purges.tag_listing(tag), joining=Article.objects.filter(tags=tag))
    purges.show(*(page_obj or ()))
    purges.show_tag(tag)
    path = reverse("articles:tag", args=[tag.slug])
    meta = seo.listing_meta(
        request,
        title=tag.name,
        description=f"Stories about {tag.name} from {settings.SITE_NAME}.",
        path=path,
        crumbs=[(tag.name, path)],
        feeds=[_feed_link(tag.name, "articles:tag-feed", tag.slug, request)],
        page_obj=page_obj,
        pictured=page_obj,
    )
    return render(request, "website/tag_detail.html", {"tag": tag, "page_obj": page_obj, "meta": meta})


@require_safe
def author_detail(request, slug):
    author = get_object_or_404(Author.objects.select_related("affiliation"), slug=slug)
    page_obj = paginate(request, Article.objects.published().by_author(author).for_listing())
    if not page_obj:
        raise Http404("No live story by this author.")
    purges.show_listing(purges.author_listing(author), joining=Article.objects.by_author(author))
    purges.show(*(page_obj or ()))
    purges.show_author(author)
    meta = seo.listing_meta(
        request,
        title=author.name,
        description=author.bio or f"Stories by {author.name}.",
        path=author.get_absolute_url(),
        crumbs=[(author.name, author.get_absolute_url())],
        feeds=[_feed_link(author.name, "articles:author-feed", author.slug, request)],
        page_obj=page_obj,
    )
    meta.og_type = "profile"
    meta.structured_data.append(
        {
            "@context": "https://schema.org",
            "@type": "Person",
            "name": author.name,
            "url": request.build_absolute_uri(author.get_absolute_url()),
            **({"jobTitle": author.job_title} if author.job_title else {}),
            **({"description": author.bio} if author.bio else {}),
            **({"image": request.build_absolute_uri(author.photo.url)} if author.photo else {}),
        }
    )
    return render(request, "website/author_detail.html", {"author": author, "page_obj": page_obj, "meta": meta})


@require_safe
def corrections(request):
    items = Correction.objects.public().select_related("article").order_by("-created_at", "-id")
    page_obj = paginate(request, items)
    purges.show_listing(purges.CORRECTIONS)
    purges.show_headlines(*(correction.article_id for correction in page_obj or ()))
    meta = seo.listing_meta(
        request,
        title="Corrections and updates",
        description=f"Every correction, clarification and update {settings.SITE_NAME} has made to a published story.",
        path=reverse("articles:corrections"),
        crumbs=[("Corrections", reverse("articles:corrections"))],
        page_obj=page_obj,
    )
    return render(request, "website/corrections.html", {"page_obj": page_obj, "meta": meta})


class ArchiveMixin:
    """Date archives of published articles, in the site's time zone, with links to the neighbouring periods."""

    http_method_names = ["get", "head"]
    date_field = "published_at"
    allow_empty = False
    allow_future = False
    month_format = "%m"
    day_format = "%d"
    context_object_name = "articles"

    def get_queryset(self):
        return Article.objects.published().for_listing()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        purges.show_listing(purges.ARCHIVE, joining=Article.objects.all())
        purges.show(*context["articles"])
        return context

    def get_paginate_by(self, queryset):
        return settings.NEWSROOM_PAGE_SIZE

    def archive_meta(self, context, title, crumbs):
        return seo.listing_meta(
            self.request,
            title=title,
            description=f"Stories published by {settings.SITE_NAME} in {title.removeprefix('Archive: ')}.",
            path=crumbs[-1][1],
            crumbs=crumbs,
            page_obj=context.get("page_obj"),
        )


def _year_crumb(date):
    return (str(date.year), reverse("articles:archive-year", args=[date.year]))


def _month_crumb(date):
    return (f"{date:%B %Y}", reverse("articles:archive-month", args=[date.year, f"{date.month:02d}"]))


class YearArchive(ArchiveMixin, YearArchiveView):
    template_name = "website/archive_year.html"
    make_object_list = True

    def get_allow_empty(self):
        # The footer links to this year's archive, which must answer even before the year's first story.
        return self.get_year() == str(timezone.localdate().year)

    def get_previous_year(self, date):
        if not self.get_allow_empty():
            return super().get_previous_year(date)
        start = timezone.make_aware(datetime(date.year, 1, 1))
        earlier = self.get_queryset().filter(published_at__lt=start).values_list("published_at", flat=True).first()
        return timezone.localtime(earlier).date().replace(month=1, day=1) if earlier else None

    def get_next_year(self, date):
        return None if self.get_allow_empty() else super().get_next_year(date)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["meta"] = self.archive_meta(context, f"Archive: {context['year']:%Y}", [_year_crumb(context["year"])])
        return context


class MonthArchive(ArchiveMixin, MonthArchiveView):
    template_name = "website/archive_month.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        month = context["month"]
        context["meta"] = self.archive_meta(
            context, f"Archive: {month:%B %Y}", [_year_crumb(month), _month_crumb(month)]
        )
        return context


class DayArchive(ArchiveMixin, DayArchiveView):
    template_name = "website/archive_day.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        day = context["day"]
        crumbs = [
            _year_crumb(day),
            _month_crumb(day),
            (
                f"{day:%B} {day.day}, {day.year}",
                reverse("articles:archive-day", args=[day.year, f"{day:%m}", f"{day:%d}"]),
            ),
        ]
        context["meta"] = self.archive_meta(context, f"Archive: {crumbs[-1][0]}", crumbs)
        return context


class QueryField(forms.CharField):
    """Whatever a reader types is a query: control characters (even NUL) are dropped, never an error."""

    def to_python(self, value):
        return search.clean_query(super().to_python(value))


class QuickSelect(forms.Select):
    """A <select> drawn without a template per option: the search form's author menu has hundreds of them, which
    Django's widget templates took longer to draw than the search took to run."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(item) for item in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((key, " selected" if str(key) in chosen else "", label) for key, label in self.choices),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), options
        )


class SearchForm(forms.Form):
    q = QueryField(label="Search for", required=False)
    category = forms.ModelChoiceField(
        label="Section",
        queryset=Category.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="All sections",
        widget=QuickSelect,
    )
    author = forms.ModelChoiceField(
        label="Author",
        queryset=Author.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label="All authors",
        widget=QuickSelect,
    )
    since = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["author"].queryset = Author.objects.filter(
            pk__in=Article.objects.published().values("bylines__author")
        )

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields and isinstance(self.fields[name].widget, forms.DateInput):
                # Give back what the reader typed: a date input cannot hold a value that is not a date.
                self.fields[name].widget.input_type = "text"

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            raise forms.ValidationError("The “From” date must not be after the “To” date.")
        return cleaned

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("category"):
            queryset = queryset.in_category(data["category"])
        if data.get("author"):
            queryset = queryset.by_author(data["author"])
        if data.get("since"):
            queryset = queryset.filter(published_at__date__gte=data["since"])
        if data.get("until"):
            queryset = queryset.filter(published_at__date__lte=data["until"])
        return queryset


@require_safe
def search_view(request):
    form = SearchForm(request.GET or None)
    query, page_obj, status = "", None, 200
    if form.is_bound and form.is_valid():
        query = form.cleaned_data["q"]
        if query:
            # The ranked keys of every candidate in one query (at most search.CANDIDATES), so counting and paging
            # do not look the matches up again; then the rows of one page.
            ranked = list(form.filter(Article.objects.published()).search(query).values_list("pk", flat=True))
            page_obj = paginate(request, ranked)
            if page_obj is not None:
                rows = Article.objects.published().for_listing().in_bulk(page_obj.object_list)
                page_obj.object_list = [rows[pk] for pk in page_obj.object_list if pk in rows]
                found = Article.objects.filter(pk__in=[a.pk for a in page_obj.object_list]).snippets(query)
                for article in page_obj.object_list:
                    article.snippet = found.get(article.pk, "")
                purges.show(*page_obj.object_list)
    elif form.is_bound:
        status = 400
    purges.show_listing(purges.SEARCH, joining=Article.objects.all())
    meta = seo.listing_meta(
        request,
        title=f"Search: {query}" if query else "Search",
        description=f"Search the stories of {settings.SITE_NAME}.",
        path=reverse("articles:search"),
        crumbs=[("Search", reverse("articles:search"))],
        robots="noindex, follow",
    )
    return render(
        request,
        "website/search.html",
        {
            "form": form,
            "query": query,
            # A phrase search is typed in quotes; the results line puts its own round the query.
            "shown_query": query[1:-1] if len(query) > 1 and query[0] == query[-1] == '"' else query,
            "page_obj": page_obj,
            "meta": meta,
            "search_limit": search.CANDIDATES,
        },
        status=status,
    )


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /preview/",
        "Disallow: /search/",
        "Disallow: /newsletter/confirm/",
        "Disallow: /newsletter/unsubscribe/",
        "Disallow: /newsletter/preferences/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap-index'))}",
        f"Sitemap: {request.build_absolute_uri(reverse('news-sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
