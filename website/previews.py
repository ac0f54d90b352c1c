"""Public pages of the editorial workflow: share-link previews, withdrawn and moved article URLs."""

from django.http import Http404, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_safe

from articles.models import Article, ArticleRedirect, PendingVersion, PreviewLink
from articles.previews import private as _private
from articles.previews import render_preview


@require_safe
def preview(request, token):
    link = PreviewLink.objects.from_token(token)
    if link is None:
        response = render(request, "website/preview_unavailable.html", {"reason": "invalid"}, status=404)
        return _private(response)
    if not link.is_active:
        reason = "revoked" if link.revoked_at else "expired"
        return _private(render(request, "website/preview_unavailable.html", {"reason": reason}, status=410))
    article = Article.objects.for_display().get(pk=link.article_id)
    if article.is_live and not PendingVersion.objects.filter(article=article).exists():
        return _private(HttpResponseRedirect(article.get_absolute_url()))
    if article.status == Article.Status.WITHDRAWN:
        return _private(render(request, "website/preview_unavailable.html", {"reason": "withdrawn"}, status=410))
    return render_preview(request, article, link)


def gone_or_moved(request, slug):
    """For an article URL with no live article: 301 to where it moved, 410 if withdrawn, otherwise 404."""
    redirect = ArticleRedirect.objects.select_related("article").filter(old_path=request.path).first()
    if redirect is not None and redirect.article.is_live:
        return HttpResponsePermanentRedirect(redirect.article.get_absolute_url())
    withdrawn = Article.objects.filter(status=Article.Status.WITHDRAWN, slug=slug).first()
    if withdrawn is not None and withdrawn.get_absolute_url() != request.path:
        withdrawn = None
    if withdrawn is None and redirect is not None and redirect.article.status == Article.Status.WITHDRAWN:
        withdrawn = redirect.article
    if withdrawn is not None:
        # The notice names neither the headline nor the byline: a withdrawal may be for what they said.
        context = {"withdrawn": withdrawn, "withdrawn_on": withdrawn.withdrawn_at}
        return render(request, "website/article_withdrawn.html", context, status=410)
    raise Http404("No article at this address.")
