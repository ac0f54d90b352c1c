from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from articles.models import group_bylines

register = template.Library()


def _join_links(authors):
    links = [format_html('<a href="{}" rel="author">{}</a>', a.get_absolute_url(), a.name) for a in authors]
    if len(links) <= 1:
        return mark_safe("".join(links))  # noqa: S308 - each part escaped by format_html
    return format_html("{} and {}", mark_safe(", ".join(links[:-1])), links[-1])  # noqa: S308


@register.simple_tag
def byline(article):
    """The byline with links to author pages, then the source credit: “By Lisa Schlein · VOA”."""
    groups = group_bylines(article.bylines.all())
    html = format_html_join(mark_safe("; "), "{} {}", ((role, _join_links(authors)) for role, authors in groups))
    if article.source_id:
        credit = format_html('<span class="credit">{}</span>', article.source.short_name)
        html = format_html("{}{}{}", html, mark_safe(" · ") if groups else "", credit)
    return html
