"""Turning a WordPress post's content into an article body.

WordPress stores what the writer typed: paragraphs as blank lines (its ``wpautop`` adds the ``<p>`` tags when the page
is shown), shortcodes in square brackets, and, from the block editor, HTML wrapped in ``<!-- wp:… -->`` comments. Here
block comments go, ``[caption]`` becomes a figure with its caption, any other shortcode leaves only the text it
encloses, paragraphs get their ``<p>``, and pictures that were imported into the library become library figures
(``data-file``, as the body editor records them). The body field's nh3 allow-list then keeps what a story may hold.
"""

import html
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import lxml.html
from django.utils.html import strip_tags
from lxml import etree

from articles.fields import sanitize_body

BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:.*?-->", re.S)
COMMENT = re.compile(r"<!--.*?-->", re.S)

# WordPress's own shortcode grammar (get_shortcode_regex), for any name: [name attrs], [name attrs /] or
# [name attrs]inner[/name]; [[name]] is an escaped shortcode, shown as written. Names start with a letter, so "[1]"
# footnote marks are never taken for one.
SHORTCODE = re.compile(
    r"\[(?P<open>\[?)(?P<name>[A-Za-z][\w-]*)(?![\w-])(?P<attrs>[^\]/]*+(?:/(?!\])[^\]/]*+)*+)"
    r"(?:(?P<self>/)\]|\](?:(?P<inner>[^\[]*+(?:\[(?!/(?P=name)\])[^\[]*+)*+)\[/(?P=name)\])?)(?P<close>\]?)"
)
# Shortcodes that stand alone (no closing tag) in a stock WordPress and the plugins newsrooms use most. Any other
# lone [word] stays as written, as WordPress leaves it unless a plugin claims it: “[sic]” is not a shortcode.
STANDALONE = {
    "gallery",
    "audio",
    "video",
    "playlist",
    "embed",
    "wp_caption",
    "caption",
    "contact-form",
    "contact-form-7",
    "gravityform",
    "ninja_form",
    "instagram",
    "tweet",
    "youtube",
    "vimeo",
    "soundcloud",
    "googlemaps",
    "ad",
    "adsense",
    "related",
    "related_posts",
    "toc",
    "pdf-embedder",
    "wpforms",
    "mc4wp_form",
}
# Where a shortcode was dropped, until the spaces around it are tidied (a character no post holds: private use).
DROPPED = "\ue000"
WEB_ADDRESS = re.compile(r"https?://[^\s<>\"'\[\]]+", re.I)
LONE_ADDRESS = re.compile(rf"^[ \t]*({WEB_ADDRESS.pattern})[ \t]*$", re.I | re.M)
ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s'"\]]+))""")

BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|blockquote"
    r"|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|footer|nav|figure"
    r"|figcaption|details|menu|summary|iframe|script|audio|video|object|embed)"
)
UPLOADS = re.compile(r"/(?:wp-content/uploads|files)/(.+)$")
SIZE_SUFFIX = re.compile(r"(?:-\d+x\d+|-scaled|-rotated|-e\d{10,})+(\.\w+)$")
WP_IMAGE_CLASS = re.compile(r"\bwp-image-(\d+)\b")


@dataclass
class Converted:
    body: str
    pictures: list = field(default_factory=list)  # library image ids placed in the body
    external: list = field(default_factory=list)  # picture addresses left pointing elsewhere


def uploaded_file(url):
    """The file under wp-content/uploads a picture address names ("2020/01/photo-300x200.jpg"), or ""."""
    match = UPLOADS.search(unquote(urlsplit((url or "").strip()).path))
    return match[1] if match else ""


def upload_key(relative):
    """What an uploaded file is matched on: its path without the size WordPress added to a resized copy
    ("2020/01/photo-300x200.jpg" → "2020/01/photo.jpg"), lower-cased; "" if it names no file."""
    relative = (relative or "").strip().lstrip("/")
    if not relative or "." not in relative.rsplit("/", 1)[-1]:
        return ""
    return SIZE_SUFFIX.sub(r"\1", relative).lower()


def plain_text(value, limit=None):
    """Titles and excerpts: no markup, entities decoded, whitespace collapsed, cut at ``limit`` characters."""
    text = " ".join(html.unescape(strip_tags(value or "")).split())
    if limit and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def remove_block_comments(text):
    return BLOCK_COMMENT.sub("", text)


def _markup(text):
    text = remove_block_comments(text)
    text = COMMENT.sub("", text)  # <!--more--> and the like
    text = shortcodes(text)
    # An address alone on its line is embedded by WordPress (a video, a post from a social network): a link here.
    return LONE_ADDRESS.sub(lambda match: _link(match[1]), text)


def block_runs(content):
    """A block-editor post as (freeform, text) runs: each top-level block whole (nested blocks inside it), and the
    text between them. A block left open by a cut export runs to the end."""
    runs, depth, start = [], 0, 0
    for match in BLOCK_COMMENT.finditer(content):
        closing = re.match(r"<!--\s*/wp:", match[0]) is not None
        if closing and depth == 0:
            continue  # a stray closing comment: it goes with the others
        if depth == 0:
            runs.append((True, content[start : match.start()]))
            start = match.start()
        if closing:
            depth -= 1
        elif not match[0].endswith("/-->"):
            depth += 1
        if depth == 0:
            runs.append((False, content[start : match.end()]))
            start = match.end()
    runs.append((depth == 0, content[start:]))
    return [(freeform, text) for freeform, text in runs if text]


def shortcodes(text, depth=0):
    """[caption] to a figure, [embed] to a link, other shortcodes unwrapped to the text they enclose, [[escaped]]
    ones shown as written."""

    def replace(match):
        if match["open"] and match["close"]:
            return match[0][1:-1]
        name = match["name"].lower()
        inner = match["inner"]
        if name in ("caption", "wp_caption"):
            return _caption(match["attrs"], inner or "")
        if name == "embed" and inner is not None and WEB_ADDRESS.fullmatch(inner.strip()):
            return _link(inner.strip())
        if inner is not None:
            return shortcodes(inner, depth + 1) if depth < 20 else inner
        if name in STANDALONE or "=" in match["attrs"] or match["self"]:
            return DROPPED
        return match[0]

    text = SHORTCODE.sub(replace, text)
    # What stood between two words leaves one space between them, not two.
    text = re.sub(rf"[ \t]*{DROPPED}(?:[ \t]*{DROPPED})*[ \t]*", _gap, text)
    return text


def _gap(match):
    spaced = re.search(r"[ \t]", match[0])
    before, after = match.string[match.start() - 1 : match.start()], match.string[match.end() : match.end() + 1]
    return " " if spaced and before.strip() and after.strip() else match[0].replace(DROPPED, "")


def _link(url):
    # WordPress shows a video, a post or a map from another site there (oEmbed); here it is a link to it.
    return f'<a href="{html.escape(url)}">{html.escape(url)}</a>'


def _caption(attrs, inner):
    attributes = {m[1].lower(): m[2] or m[3] or m[4] or "" for m in ATTRIBUTE.finditer(attrs)}
    image = re.search(r"<a\b[^>]*>\s*(<img\b[^>]*>)\s*</a>|<img\b[^>]*>", inner, re.S | re.I)
    if image is None:
        return shortcodes(inner)
    picture = image[1] or image[0]
    caption = attributes.get("caption") or inner[: image.start()] + inner[image.end() :]
    caption = shortcodes(caption).strip()
    figcaption = f"<figcaption>{caption}</figcaption>" if strip_tags(caption).strip() else ""
    return f"<figure>{picture}{figcaption}</figure>"


def autop(text):
    """WordPress's wpautop, the parts a story needs: blank lines make paragraphs, single newlines line breaks, and
    block elements are left outside paragraphs. <pre> blocks are kept as written."""
    if not text.strip():
        return ""
    kept = []

    def keep(match):
        kept.append(match[0])
        return f"<pre wp-pre-tag-{len(kept) - 1}></pre>"

    text = re.sub(r"<pre\b.*?</pre>", keep, text, flags=re.S | re.I)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Newlines inside a tag are not line breaks.
    text = re.sub(r"<[^>]*>", lambda m: m[0].replace("\n", " "), text)
    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text, flags=re.I)
    text = re.sub(rf"(<{BLOCKS}[\s/>])", r"\n\n\1", text, flags=re.I)
    text = re.sub(rf"(</{BLOCKS}>)", r"\1\n\n", text, flags=re.I)
    text = re.sub(r"\n\s*\n+", "\n\n", text.strip() + "\n")
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    text = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    text = re.sub(r"<p>\s*</p>", "", text)
    text = re.sub(rf"<p>\s*(</?{BLOCKS}\b[^>]*>)\s*</p>", r"\1", text, flags=re.I)
    text = re.sub(rf"<p>\s*(</?{BLOCKS}\b[^>]*>)", r"\1", text, flags=re.I)
    text = re.sub(rf"(</?{BLOCKS}\b[^>]*>)\s*</p>", r"\1", text, flags=re.I)
    text = re.sub(r"(?<!<br />)\s*\n", "<br />\n", text)
    text = re.sub(rf"(</?{BLOCKS}\b[^>]*>)\s*<br />", r"\1", text, flags=re.I)
    text = re.sub(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", r"\1", text, flags=re.I)
    text = re.sub(r"\n</p>$", "</p>", text)
    for number, block in enumerate(kept):
        text = text.replace(f"<pre wp-pre-tag-{number}></pre>", block)
    return text


def convert(content, *, find_pictures=None):
    """The article body for a post's content. ``find_pictures([(attachment_id, src), …])`` gives the library images
    the body's inline pictures were imported as (a list in the same order, None where there is none), asked once per
    body; ``attachment_id`` comes from the block editor's "wp-image-ID" class ("")."""
    if "<!-- wp:" in content:
        # Block-editor HTML has its paragraphs already; text typed between its blocks (a classic post opened in the
        # block editor keeps its old text there) has only blank lines, which WordPress shows run together.
        text = "".join(autop(_markup(run)) if freeform else _markup(run) for freeform, run in block_runs(content))
    else:
        text = autop(_markup(content))
    converted = Converted(body="")
    text = _place_pictures(text, find_pictures, converted) if "<img" in text.lower() else text
    converted.body = sanitize_body(relevel_headings(text))
    return converted


HEADING = re.compile(r"<(/?)h([1-6])\b", re.I)


def relevel_headings(text):
    """Headings moved so the body's highest one is an <h2> under the page's <h1> (the body keeps h2 to h4): WordPress
    themes vary, and posts often start at <h3> or use <h1>, which would leave a gap in the outline or be dropped."""
    levels = {int(level) for _slash, level in HEADING.findall(text)}
    if not levels:
        return text
    shift = min(levels) - 2
    return HEADING.sub(lambda m: f"<{m[1]}h{max(2, min(4, int(m[2]) - shift))}", text)


def _place_pictures(text, find_pictures, converted):
    try:
        root = lxml.html.fragment_fromstring(text, create_parent="div")
    except (etree.ParserError, ValueError):
        return text
    imgs = list(root.iter("img"))
    images = [None] * len(imgs)
    if find_pictures is not None and imgs:
        images = find_pictures([(_attachment_id(img), img.get("src") or "") for img in imgs])
    for img, image in zip(imgs, images, strict=True):
        src = img.get("src") or ""
        if image is None:
            if src:
                converted.external.append(src)
            if img.get("alt") is None:
                img.set("alt", "")  # a picture with nothing said of it is decoration to a screen reader
            continue
        converted.pictures.append(image.pk)
        _library_figure(img, image)
    return (root.text or "") + "".join(etree.tostring(child, encoding="unicode", method="html") for child in root)


def _attachment_id(img):
    match = WP_IMAGE_CLASS.search(img.get("class") or "")
    return match[1] if match else ""


def _library_figure(img, image):
    """Make ``img`` the body editor's figure for a library image: <figure class="figure"><img data-file>…."""
    alt = img.get("alt") or ""
    placed = img
    parent = img.getparent()
    # A picture linked to its own file or attachment page: the link goes, the library figure links nowhere.
    if parent is not None and parent.tag == "a" and len(parent) == 1 and not (parent.text or "").strip():
        _replace(parent, img)
        parent = img.getparent()
    for name in list(img.attrib):
        del img.attrib[name]
    img.set("src", image.file.url)
    img.set("alt", alt or image.alt_text)
    img.set("data-file", str(image.pk))
    if parent is not None and parent.tag == "figure":
        parent.attrib.clear()
        parent.set("class", "figure")
        return
    figure = etree.Element("figure")
    figure.set("class", "figure")
    holder = img.getparent()
    if holder is not None and holder.tag == "p" and len(holder) == 1 and not _has_text(holder, img):
        # The picture was all the paragraph held: the figure takes the paragraph's place.
        _replace(holder, figure)
    elif holder is not None and holder.tag == "p":
        # A figure cannot sit inside a paragraph: it follows it.
        _cut(img)
        holder.addnext(figure)
    else:
        _replace(img, figure)
    figure.append(img)
    img.tail = None
    placed.tail = None


def _has_text(holder, img):
    return bool((holder.text or "").strip() or (img.tail or "").strip())


def _cut(element):
    """Take ``element`` out of its parent, keeping the text that followed it."""
    parent = element.getparent()
    tail = element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)
    element.tail = None


def _replace(old, new):
    """Put ``new`` where ``old`` is (``old``'s tail stays with ``new``)."""
    new.tail = old.tail
    old.tail = None
    old.getparent().replace(old, new)
