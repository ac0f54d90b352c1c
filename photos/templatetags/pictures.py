"""`{% picture %}`: responsive, shift-free markup for a library image; `|inline_pictures` for bodies."""

import html
import re

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from newsroom import pagecache
from photos.models import Image
from photos.renditions import SPECS, picture_for

register = template.Library()


def picture_context(
    image,
    spec,
    *,
    sizes=None,
    eager=False,
    priority=False,
    caption=None,
    credit=None,
    figure=True,
    alt=None,
    css_class="",
):
    # The page names every picture it shows: new renditions purge it (website/purges.py).
    pagecache.add_keys(f"image-{image.pk}")
    return {
        "image": image,
        "spec": spec,
        "pic": picture_for(image, spec),
        "sizes": sizes or SPECS[spec].sizes,
        "eager": eager or priority,
        "priority": priority,
        "alt": image.alt_text if alt is None else alt,
        "caption": image.caption if caption is None else caption,
        "credit": image.credit if credit is None else credit,
        "figure": figure,
        "css_class": css_class,
    }


@register.inclusion_tag("photos/picture.html")
def picture(
    image,
    spec="article",
    *,
    sizes=None,
    eager=False,
    priority=False,
    caption=None,
    credit=None,
    figure=True,
    css_class="",
):
    """A <picture> of a rendition spec: WebP and JPEG srcsets, width and height, lazy unless `eager`.

    `priority` is for the page's largest picture, the one a reader sees first (an article's lead image, the home
    page's lead, a listing's first card): loaded at once and before other pictures (`fetchpriority="high"`). With
    `figure` (the default) it sits in a <figure> with the caption and credit (the image's own unless given). Until
    the renditions exist it shows the served copy in the same box.
    """
    return picture_context(
        image,
        spec,
        sizes=sizes,
        eager=eager,
        priority=priority,
        caption=caption,
        credit=credit,
        figure=figure,
        css_class=css_class,
    )


# The body is sanitised by nh3 before it is stored, so its markup is regular: attributes double-quoted,
# quotes inside them escaped. These patterns rely on that and are used on nothing else.
FIGURE = re.compile(r"<figure\b[^>]*>\s*(<img\b[^>]*>)\s*(?:<figcaption>(.*?)</figcaption>)?\s*</figure>", re.S)
IMG = re.compile(r"<img\b[^>]*>")
FILE_ID = re.compile(r'\bdata-file="(\d+)"')
ALT = re.compile(r'\balt="([^"]*)"')


def pictures_in(*bodies):
    """The library images placed in these bodies, by id: one query for all of them, none when they have none."""
    ids = {int(i) for body in bodies for i in FILE_ID.findall(body or "")}
    return Image.objects.in_bulk(ids) if ids else {}


@register.filter
def inline_pictures(body):
    """The article body with each library image placed through the editor turned into a responsive <picture>.

    One query for all the images in the body, none when it has none.
    """
    return with_pictures(body, pictures_in(body))


def with_pictures(body, images):
    """``inline_pictures`` with the images already loaded (``pictures_in``), for pages that show many bodies."""
    if not FILE_ID.search(body or ""):
        return mark_safe(body or "")  # noqa: S308 - sanitised on write (articles/fields.py)

    def render(img_tag, caption_html):
        match = FILE_ID.search(img_tag)
        if match is None:
            return None
        image = images.get(int(match[1]))
        if image is None:
            return ""  # deleted from the library since: its files are gone, so show nothing rather than a hole
        alt = ALT.search(img_tag)
        context = picture_context(
            image,
            "article",
            alt=html.unescape(alt[1]) if alt and alt[1] else None,
            caption=mark_safe(caption_html) if caption_html and caption_html.strip() else None,  # noqa: S308
            css_class="inline",
        )
        return render_to_string("photos/picture.html", context).strip()

    def figure(match):
        rendered = render(match[1], match[2])
        return match[0] if rendered is None else rendered

    def bare(match):
        rendered = render(match[0], None)
        return match[0] if rendered is None else rendered

    out = []
    position = 0
    for match in FIGURE.finditer(body):
        out.append(IMG.sub(bare, body[position : match.start()]))
        out.append(figure(match))
        position = match.end()
    out.append(IMG.sub(bare, body[position:]))
    return mark_safe("".join(out))  # noqa: S308 - sanitised body and our own template
