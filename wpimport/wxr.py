"""Reading a WordPress export (WXR 1.0 to 1.2) as a stream, so a 500 MB file never sits in memory whole.

The file is read with lxml's ``iterparse``: each ``<item>`` (and each channel-level author, category and tag) is
turned into a plain object the moment it ends, then its element is cleared and dropped from the tree, so memory
holds one item at a time. Entities are never expanded, the network is never used, and a file that declares a DTD
(WordPress never writes one; entity bombs need one) is refused, as are text nodes past libxml2's safe limits.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

RSS_CONTENT = "http://purl.org/rss/1.0/modules/content/"
DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"
WORDPRESS = "http://wordpress.org/export/"  # followed by the WXR version: 1.0/, 1.1/ or 1.2/


class NotAnExport(Exception):
    """The file is not a WordPress export that can be read safely; the message says why, for the person importing."""


@dataclass
class Site:
    title: str = ""
    base_url: str = ""  # the blog's address: the key of every imported item, and the root of its old addresses
    wxr_version: str = ""


@dataclass
class WpAuthor:
    login: str
    id: str = ""  # wp:author_id: the old site's ``/?author=ID`` address
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""

    @property
    def name(self):
        full = f"{self.first_name} {self.last_name}".strip()
        return self.display_name.strip() or full or self.login


@dataclass
class WpTerm:
    """A category or a tag (``taxonomy``); ``parent`` is the parent category's slug."""

    taxonomy: str
    slug: str
    name: str
    parent: str = ""
    description: str = ""
    id: str = ""  # wp:term_id: the old site's ``/?cat=ID`` address of a category


@dataclass
class WpItem:
    """An ``<item>``: a post, page, attachment, menu item, revision or any custom post type."""

    post_id: str = ""
    post_type: str = ""
    status: str = ""
    title: str = ""
    link: str = ""
    guid: str = ""
    creator: str = ""
    content: str = ""
    excerpt: str = ""
    post_name: str = ""
    post_date: str = ""
    post_date_gmt: str = ""
    post_modified: str = ""
    post_modified_gmt: str = ""
    post_parent: str = ""
    sticky: bool = False
    attachment_url: str = ""
    terms: list = field(default_factory=list)  # [(taxonomy, slug, name)]
    meta: dict = field(default_factory=dict)
    comments: int = 0

    @property
    def label(self):
        """How a report names it: “post 12, ‘Title’”."""
        title = f", “{self.title.strip()[:80]}”" if self.title.strip() else ""
        return f"{self.post_type or 'item'} {self.post_id or '?'}{title}"


def _kind(tag):
    """("wp" | "content" | "excerpt" | "dc" | "", local name) of an element's tag."""
    if not isinstance(tag, str):  # comments, processing instructions, entity references
        return None, None
    if tag[0] != "{":
        return "", tag
    namespace, local = tag[1:].split("}", 1)
    if namespace.startswith(WORDPRESS):
        return ("excerpt" if namespace.rstrip("/").endswith("/excerpt") else "wp"), local
    if namespace == RSS_CONTENT:
        return "content", local
    if namespace == DUBLIN_CORE:
        return "dc", local
    return namespace, local


def _text(element):
    return (element.text or "").strip() if element is not None else ""


def _raw(element):
    """Text as written (bodies keep their newlines: paragraphs are made from them)."""
    return element.text or "" if element is not None else ""


def _children(element):
    return {_kind(child.tag): child for child in element}


def gmt(value):
    """A WXR time in GMT ("2020-01-17 09:00:00"), or None for WordPress's empty date (0000-00-00 00:00:00)."""
    return _time(value, UTC)


def _time(value, tz):
    value = (value or "").strip()
    if not value or value.startswith("0000"):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz)
    except ValueError:
        return None


def local_time(value):
    """A WXR time in the old site's own time zone (which the export does not say), as a naive datetime."""
    value = (value or "").strip()
    if not value or value.startswith("0000"):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def _author(element):
    fields = _children(element)
    return WpAuthor(
        login=_text(fields.get(("wp", "author_login"))),
        id=_text(fields.get(("wp", "author_id"))),
        display_name=_text(fields.get(("wp", "author_display_name"))),
        first_name=_text(fields.get(("wp", "author_first_name"))),
        last_name=_text(fields.get(("wp", "author_last_name"))),
    )


def _category(element):
    fields = _children(element)
    return WpTerm(
        taxonomy="category",
        id=_text(fields.get(("wp", "term_id"))),
        slug=_text(fields.get(("wp", "category_nicename"))),
        name=_text(fields.get(("wp", "cat_name"))),
        parent=_text(fields.get(("wp", "category_parent"))),
        description=_text(fields.get(("wp", "category_description"))),
    )


def _tag(element):
    fields = _children(element)
    return WpTerm(
        taxonomy="post_tag",
        id=_text(fields.get(("wp", "term_id"))),
        slug=_text(fields.get(("wp", "tag_slug"))),
        name=_text(fields.get(("wp", "tag_name"))),
        description=_text(fields.get(("wp", "tag_description"))),
    )


def _term(element):
    """A WXR 1.2 ``wp:term``: custom taxonomies and menus, or a category/tag written this way."""
    fields = _children(element)
    return WpTerm(
        taxonomy=_text(fields.get(("wp", "term_taxonomy"))),
        id=_text(fields.get(("wp", "term_id"))),
        slug=_text(fields.get(("wp", "term_slug"))),
        name=_text(fields.get(("wp", "term_name"))),
        parent=_text(fields.get(("wp", "term_parent"))),
        description=_text(fields.get(("wp", "term_description"))),
    )


def _item(element):
    item = WpItem()
    for child in element:
        kind, name = _kind(child.tag)
        if kind == "wp":
            if name == "postmeta":
                meta = _children(child)
                key = _text(meta.get(("wp", "meta_key")))
                if key:
                    item.meta[key] = _raw(meta.get(("wp", "meta_value"))).strip()
            elif name == "comment":
                item.comments += 1
            elif name == "is_sticky":
                item.sticky = _text(child) == "1"
            elif name in (
                "post_id",
                "post_type",
                "status",
                "post_name",
                "post_date",
                "post_date_gmt",
                "post_modified",
                "post_modified_gmt",
                "post_parent",
                "attachment_url",
            ):
                setattr(item, name, _text(child))
        elif kind == "content" and name == "encoded":
            item.content = _raw(child)
        elif kind == "excerpt" and name == "encoded":
            item.excerpt = _raw(child)
        elif kind == "dc" and name == "creator":
            item.creator = _text(child)
        elif kind == "" and name == "title":
            item.title = _raw(child)
        elif kind == "" and name == "link":
            item.link = _text(child)
        elif kind == "" and name == "guid":
            item.guid = _text(child)
        elif kind == "" and name == "category":
            taxonomy = child.get("domain", "")
            if taxonomy:
                item.terms.append((taxonomy, child.get("nicename", ""), _text(child)))
    return item


CHANNEL_PARTS = {
    ("wp", "author"): ("author", _author),
    ("wp", "category"): ("term", _category),
    ("wp", "tag"): ("term", _tag),
    ("wp", "term"): ("term", _term),
}


def read(source) -> Iterator[tuple[str, object]]:
    """From ``source`` (a binary file): ("site", Site) once the channel's head is read (before the first item), then
    ("author", WpAuthor), ("term", WpTerm) and ("item", WpItem) in file order. Raises NotAnExport when the file is
    not a whole WordPress export, after whatever came before the fault: read it all once before writing anything."""
    site = Site()
    site_sent = False
    saw_wordpress = False
    started = False
    context = etree.iterparse(
        source,
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        for event, element in context:
            if event == "start":
                if not started:
                    started = True
                    _check_root(element)
                continue
            parent = element.getparent()
            if parent is None:
                continue  # the root's end: the file is whole
            kind = _kind(element.tag)
            if kind[0] == "wp":
                saw_wordpress = True
            if _kind(parent.tag) != ("", "channel"):
                continue  # inside an item or a channel part: read with it when it ends
            # Done with what came before: drop it, so the tree never grows (this element is cleared below).
            while element.getprevious() is not None:
                del parent[0]
            if kind == ("", "item"):
                if not site_sent:
                    yield "site", _site_or_refuse(site, saw_wordpress)
                    site_sent = True
                yield "item", _item(element)
            elif kind in CHANNEL_PARTS:
                what, reader = CHANNEL_PARTS[kind]
                yield what, reader(element)
            elif kind == ("", "title"):
                site.title = _text(element)
            elif kind == ("", "link") and not site.base_url:
                site.base_url = _text(element)
            elif kind == ("wp", "base_blog_url"):
                site.base_url = _text(element) or site.base_url
            elif kind == ("wp", "wxr_version"):
                site.wxr_version = _text(element)
            element.clear()
    except etree.XMLSyntaxError as error:
        if not started:
            raise NotAnExport(
                "This file is not XML, so it is not a WordPress export. In WordPress, use Tools → Export, choose "
                "“All content” and upload the .xml file it downloads."
            ) from None
        raise NotAnExport(
            f"The file is damaged or incomplete: the XML stops making sense at line {error.lineno} ({error.msg}). "
            "It may have been cut short while downloading. Export it again and import the new file."
        ) from None
    if not site_sent:
        yield "site", _site_or_refuse(site, saw_wordpress)


def _check_root(element):
    docinfo = element.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.doctype:
        raise NotAnExport(
            "The file declares a DTD (<!DOCTYPE …>), which WordPress exports never do; it may be built to attack the "
            "importer (an “entity bomb”), so it was not read."
        )
    if _kind(element.tag) != ("", "rss"):
        local = _kind(element.tag)[1]
        raise NotAnExport(
            f"This XML file is not a WordPress export: it starts with <{local}>, and a WordPress export (WXR) starts "
            "with <rss>. In WordPress, use Tools → Export to make one."
        )


def _site_or_refuse(site, saw_wordpress):
    if not (site.wxr_version or saw_wordpress):
        raise NotAnExport(
            "This is an RSS feed, not a WordPress export: it has no WordPress data (wp:wxr_version). In WordPress, "
            "use Tools → Export, choose “All content” and import the file it downloads."
        )
    if not site.base_url:
        raise NotAnExport("The export does not say which site it comes from (no wp:base_blog_url or channel link).")
    site.base_url = site.base_url.strip().rstrip("/")
    return site
