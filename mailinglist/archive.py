"""Sent issues on the web (/newsletter/archive/) and their RSS feed. An issue page shows only the articles that
are live now, read through `Article.objects.published()`: a story withdrawn after the mailing drops out here."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from articles import purges
from mailinglist.models import ARCHIVE_KEY, Issue
from newsroom import pagecache


@require_safe
def archive(request):
    paginator = Paginator(Issue.objects.for_archive(), settings.NEWSLETTER_ARCHIVE_SIZE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger):
        raise Http404("No such page.") from None
    pagecache.add_keys(ARCHIVE_KEY)
    return render(request, "mailinglist/archive.html", {"page_obj": page, "issues": page.object_list})


@require_safe
def archive_issue(request, pk: int):
    issue = get_object_or_404(Issue.objects.for_archive(), pk=pk)
    articles = list(issue.live_articles())
    pagecache.add_keys(ARCHIVE_KEY)
    purges.show(*articles)
    return render(request, "mailinglist/archive_issue.html", {"issue": issue, "articles": articles})


class IssueFeed(Feed):
    def title(self):
        return f"{settings.SITE_NAME} newsletters"

    def description(self):
        return f"Newsletters and breaking-news alerts sent by {settings.SITE_NAME}."

    def link(self):
        return reverse("mailinglist:archive")

    def items(self):
        issues = list(Issue.objects.for_archive()[: settings.NEWSLETTER_ARCHIVE_SIZE])
        pagecache.add_keys(ARCHIVE_KEY)
        # Entries name the live stories of each issue, and a withdrawal must take them out.
        chosen = Issue.articles.through.objects.filter(issue__in=issues).values_list("article_id", flat=True)
        purges.show_headlines(*chosen)
        return issues

    def item_title(self, item):
        return item.subject

    def item_description(self, item):
        headlines = "; ".join(article.headline for article in item.live_articles())
        return " — ".join(part for part in (item.preheader, headlines) if part)

    def item_pubdate(self, item):
        return item.sent_at

    def item_categories(self, item):
        return [item.mailing_list.name]
