from django import template
from django.utils.html import format_html, format_html_join

from articles.models import group_bylines

register = template.Library()


def _join_links(authors):
    links = [format_html('<a href="{}" rel="author">{}</a>', a.get_absolute_url(), a.name) for a in authors]
    if len(links) <= 1:
        return format_html_join("", "{}", ((link,) for link in links))
    return format_html("{} and {}", format_html_join(", ", "{}", ((link,) for link in links[:-1])), links[-1])


@register.simple_tag
def byline(article):
    """The byline with links to author pages, then the source credit: “By Lisa Schlein · VOA”."""
    groups = group_bylines(article.bylines.all())
    html = format_html_join("; ", "{} {}", ((role, _join_links(authors)) for role, authors in groups))
    if article.source_id:
        credit = format_html('<span class="credit">{}</span>', article.source.short_name)
        html = format_html("{}{}{}", html, " · " if groups else "", credit)
    return html
