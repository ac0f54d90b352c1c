from django import template

from articles.models import Article

register = template.Library()

DASHBOARD_LENGTH = 8


@register.inclusion_tag("admin/articles/_dashboard.html", takes_context=True)
def editorial_dashboard(context):
    """The newsroom's desk on the admin index: what waits, what is timed, what is mine, what just changed."""
    user = context["request"].user
    if not user.has_perm("articles.view_article"):
        return {"show": False}
    n = DASHBOARD_LENGTH
    return {
        "show": True,
        "awaiting_review": Article.objects.awaiting_review()[:n],
        "changes_awaiting_review": Article.objects.with_changes_awaiting_review()[:n],
        "scheduled": Article.objects.scheduled()[:n],
        "my_drafts": Article.objects.drafts_of(user)[:n],
        "recently_published": Article.objects.published().order_by("-published_at")[:n],
        "recently_withdrawn": Article.objects.withdrawn()[:n],
    }
