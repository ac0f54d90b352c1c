from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET
from taggit.models import Tag

from articles.models import Article, Author, Category, Correction
from articles.workflow_views import gone_or_moved


def paginate(request, queryset):
    """The requested page of a listing; a malformed or out-of-range ?page= is a 404, not a 500."""
    paginator = Paginator(queryset, settings.NEWSROOM_PAGE_SIZE)
    try:
        return paginator.page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        if request.GET.get("page") in (None, "1"):
            return paginator.page(1) if paginator.count else None
        raise Http404("No such page.") from None


@require_GET
def home(request):
    latest = list(Article.objects.published().for_listing()[:25])
    lead = next((a for a in latest if a.featured), latest[0] if latest else None)
    rest = [a for a in latest if a is not lead]
    return render(request, "articles/home.html", {"lead": lead, "top_stories": rest[:4], "latest": rest[4:]})


@require_GET
def article_detail(request, year, month, day, slug):
    article = Article.objects.published().for_display().filter(slug=slug).first()
    if article is None:
        return gone_or_moved(request, slug)
    published_on = timezone.localtime(article.published_at).date()
    if (published_on.year, published_on.month, published_on.day) != (year, month, day):
        return gone_or_moved(request, slug)
    return render(request, "articles/article_detail.html", {"article": article})


@require_GET
def category_detail(request, slug):
    category = get_object_or_404(Category.objects.select_related("parent"), slug=slug)
    articles = Article.objects.published().in_category(category).for_listing()
    return render(
        request, "articles/category_detail.html", {"category": category, "page_obj": paginate(request, articles)}
    )


@require_GET
def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    articles = Article.objects.published().filter(tags=tag).for_listing()
    return render(request, "articles/tag_detail.html", {"tag": tag, "page_obj": paginate(request, articles)})


@require_GET
def author_detail(request, slug):
    author = get_object_or_404(Author.objects.select_related("affiliation"), slug=slug)
    articles = Article.objects.published().by_author(author).for_listing()
    return render(request, "articles/author_detail.html", {"author": author, "page_obj": paginate(request, articles)})


@require_GET
def corrections(request):
    items = Correction.objects.public().select_related("article").order_by("-created_at", "-id")
    return render(request, "articles/corrections.html", {"page_obj": paginate(request, items)})
