"""Sent issues on the web (/newsletter/archive/) and their RSS feed.

An issue shows only the articles that are live now, read through `Article.objects.published()`. A story withdrawn
after the mailing (or otherwise no longer live) leaves every archived issue and the feed: a notice takes its place,
and the issue's own words drop out where they repeat its headline or dek. A breaking alert is about its one story,
so its subject, preheader and intro all go with it.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_safe

from articles.models import Article
from newsletters.models import ARCHIVE_KEY, Issue, IssueArticle
from newsroom import pagecache

WITHDRAWN_NOTICE = "This story has been withdrawn."
OFFLINE_NOTICE = "This story is no longer online."


@dataclass(frozen=True)
class GoneStory:
    """A chosen story readers may not see now: only what is needed to keep it out of the page."""

    article_id: int
    status: str
    headline: str
    dek: str

    @property
    def notice(self):
        return WITHDRAWN_NOTICE if self.status == Article.Status.WITHDRAWN else OFFLINE_NOTICE


@dataclass
class ArchivedIssue:
    """An issue as the archive shows it now."""

    issue: Issue
    subject: str
    preheader: str
    intro: list = field(default_factory=list)  # paragraphs
    stories: list = field(default_factory=list)  # Article (live) or GoneStory, in the issue's order

    def get_absolute_url(self):
        return self.issue.get_absolute_url()


def _gone_stories(issues) -> dict[int, list[GoneStory]]:
    """{issue id: [GoneStory]} for the chosen stories that are not live now, in one query for any number of issues."""
    rows = (
        IssueArticle.objects.filter(issue__in=issues)
        .exclude(article__in=Article.objects.published())
        .order_by("order", "pk")
        .values_list("issue_id", "article_id", "article__status", "article__headline", "article__dek")
    )
    gone = {}
    for issue_id, *story in rows:
        gone.setdefault(issue_id, []).append(GoneStory(*story))
    return gone


def _folded(text):
    return " ".join((text or "").split()).casefold()


def _repeats_a_gone_story(text, gone):
    folded = _folded(text)
    return any(part and part in folded for story in gone for part in (_folded(story.headline), _folded(story.dek)))


def archived(issue, gone) -> ArchivedIssue:
    """The issue's words as readers may see them, given its stories that are no longer live (``gone``)."""
    entry = ArchivedIssue(
        issue=issue,
        subject=issue.subject,
        preheader=issue.preheader,
        intro=[paragraph for paragraph in issue.intro.splitlines() if paragraph.strip()],
    )
    if not gone:
        return entry
    sent = date_format(timezone.localtime(issue.sent_at), "DATE_FORMAT") if issue.sent_at else ""
    if issue.kind == Issue.Kind.ALERT:
        entry.subject, entry.preheader, entry.intro = f"Breaking alert of {sent}", gone[0].notice, []
        return entry
    if _repeats_a_gone_story(entry.subject, gone):
        entry.subject = f"{issue.mailing_list.name} of {sent}"
    if _repeats_a_gone_story(entry.preheader, gone):
        entry.preheader = ""
    entry.intro = [paragraph for paragraph in entry.intro if not _repeats_a_gone_story(paragraph, gone)]
    return entry


def archived_page(issues, *, stories_from=None) -> list[ArchivedIssue]:
    """Issues as the archive shows them now, in a constant number of queries. With ``stories_from`` (live articles,
    e.g. ``Article.objects.published().for_listing()``) each also carries its stories in order: the live article,
    or a GoneStory with its notice."""
    issues = list(issues)
    gone = _gone_stories(issues)
    entries = [archived(issue, gone.get(issue.pk, [])) for issue in issues]
    items = IssueArticle.objects.filter(issue__in=issues).order_by("order", "pk").values_list("issue_id", "article_id")
    items = list(items)
    # What the archive shows of an issue depends on whether its stories are still live: a withdrawal purges it.
    pagecache.add_keys(ARCHIVE_KEY)
    # The key names are website/purges.py's (article-<id>), which the workflow's events purge.
    pagecache.add_keys(*(f"article-{article_id}" for _issue_id, article_id in items))
    if stories_from is None:
        return entries
    live = stories_from.in_bulk({article_id for _issue_id, article_id in items})
    gone_by_article = {story.article_id: story for stories in gone.values() for story in stories}
    by_issue = {entry.issue.pk: entry for entry in entries}
    for issue_id, article_id in items:
        story = live.get(article_id) or gone_by_article.get(article_id)
        if story is not None:
            by_issue[issue_id].stories.append(story)
    return entries


@require_safe
def archive(request):
    paginator = Paginator(Issue.objects.for_archive(), settings.NEWSLETTER_ARCHIVE_SIZE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger):
        raise Http404("No such page.") from None
    return render(request, "newsletters/archive.html", {"page_obj": page, "issues": archived_page(page.object_list)})


@require_safe
def archive_issue(request, pk: int):
    issue = get_object_or_404(Issue.objects.for_archive(), pk=pk)
    [entry] = archived_page([issue], stories_from=Article.objects.published().for_listing())
    return render(request, "newsletters/archive_issue.html", {"entry": entry})


class IssueFeed(Feed):
    def title(self):
        return f"{settings.SITE_NAME} newsletters"

    def description(self):
        return f"Newsletters and breaking-news alerts sent by {settings.SITE_NAME}."

    def link(self):
        return reverse("newsletters:archive")

    def items(self):
        issues = Issue.objects.for_archive()[: settings.NEWSLETTER_ARCHIVE_SIZE]
        return archived_page(issues, stories_from=Article.objects.published().only("pk", "headline"))

    def item_title(self, item):
        return item.subject

    def item_description(self, item):
        stories = "; ".join(story.headline if isinstance(story, Article) else story.notice for story in item.stories)
        return " — ".join(part for part in (item.preheader, stories) if part)

    def item_pubdate(self, item):
        return item.issue.sent_at

    def item_categories(self, item):
        return [item.issue.mailing_list.name]
