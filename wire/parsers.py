"""Turning what a channel delivered into items: RSS and Atom (feedparser), NewsML-G2 (lxml) and ninjs (JSON).

XML is never trusted: before any parser sees a document, defusedxml reads it once and refuses any entity
declaration (billion laughs, quadratic blow-up) and anything external (XXE, external DTDs); lxml then parses
NewsML-G2 with entities left unresolved, no network and no "huge tree" allowance. Documents arrive under the size cap
of wire/fetch.py. HTML in items is kept as it came: the item's body field sanitises it (the article body's nh3
policy) whenever it is stored.

Each parser returns ``ParsedItem``s. An item is known by the agency's identifier (RSS guid or link, Atom id,
NewsML-G2 ``guid``, ninjs ``uri``); NewsML-G2 and ninjs number their versions, feeds do not, so a feed item's
version is told by its fingerprint changing.
"""

import hashlib
import html
import json
import re
from calendar import timegm
from dataclasses import dataclass, field
from datetime import UTC, datetime

import feedparser
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree
from django.utils.dateparse import parse_datetime
from django.utils.html import strip_tags
from lxml import etree

NAR = "http://iptc.org/std/nar/2006-10-01/"
XHTML = "http://www.w3.org/1999/xhtml"
FORMATS = ("rss", "atom", "newsml", "ninjs")


class ParseError(Exception):
    """Why a document could not be read, in words for the channel's last error."""


@dataclass
class ParsedItem:
    guid: str
    format: str
    headline: str
    version: int | None = None  # the agency's own number, when the format has one
    dek: str = ""
    body: str = ""
    dateline: str = ""
    authors: list = field(default_factory=list)
    subjects: list = field(default_factory=list)
    pictures: list = field(default_factory=list)  # [{"url", "caption", "credit", "alt"}]
    original_url: str = ""
    sent_at: datetime | None = None

    def fingerprint(self):
        content = [
            self.headline,
            self.dek,
            self.body,
            self.dateline,
            self.authors,
            self.subjects,
            self.pictures,
            self.original_url,
        ]
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


@dataclass
class Parsed:
    items: list
    warning: str = ""


def parse(data, *, content_type=""):
    """The items in ``data`` (bytes), whatever the format; raises ParseError."""
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        raise ParseError("The document is empty.")
    if stripped[:1] in (b"{", b"["):
        return Parsed(parse_ninjs(stripped))
    data, warning = _declared_encoding_or_windows_1252(data, content_type)
    root_tag = _check_xml(data)
    local = etree.QName(root_tag).localname if root_tag.startswith("{") else root_tag
    if local in ("newsItem", "newsMessage"):
        return Parsed(parse_newsml(data), warning)
    if local.lower() in ("rss", "feed", "rdf"):
        return Parsed(parse_feed(data), warning)
    raise ParseError(f"The document is XML but not a feed, NewsML-G2 or ninjs (its root element is <{local}>).")


# ---- hostile XML


def _declared_encoding_or_windows_1252(data, content_type):
    """``data`` unchanged when it decodes in the encoding it declares (UTF-8 by default); otherwise, when it reads as
    Windows-1252 (the usual mislabelled agency feed), the same document re-encoded as UTF-8, with a warning."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data, ""  # UTF-16 with its byte order mark: the XML parser reads it as it is
    match = re.match(rb"""\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""", data.lstrip(b"\xef\xbb\xbf"))
    declared = match.group(1).decode("ascii") if match else ""
    charset = re.search(r"charset=\"?([A-Za-z0-9._-]+)", content_type or "")
    try:
        data.decode(declared or "utf-8")
        return data, ""
    except LookupError:
        raise ParseError(f"The document declares an encoding Python does not know ({declared!r}).") from None
    except UnicodeDecodeError as exc:
        bad = exc.start
    for fallback in [charset.group(1) if charset else None, "cp1252"]:
        if not fallback:
            continue
        try:
            text = data.decode(fallback)
        except (LookupError, UnicodeDecodeError):
            continue
        text = re.sub(r"""^(\s*<\?xml[^>]*encoding\s*=\s*["'])[A-Za-z0-9._-]+""", r"\1utf-8", text.lstrip("\ufeff"))
        name = "Windows-1252" if fallback == "cp1252" else fallback
        warning = (
            f"The feed says it is {declared or 'UTF-8'} but is not (byte {bad}); it was read as {name}. "
            "Ask the agency to declare its encoding."
        )
        return text.encode("utf-8"), warning
    raise ParseError(f"The document is not valid {declared or 'UTF-8'} (byte {bad}), nor Windows-1252.")


def _check_xml(data):
    """Read the document once with defusedxml, refusing entity declarations and external references; return the
    root element's tag."""
    try:
        root = SafeElementTree.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ParseError(
            f"The document was refused: it declares entities or external references ({type(exc).__name__}), "
            "which a feed never needs and an attack (billion laughs, XXE) does."
        ) from None
    except SafeElementTree.ParseError as exc:
        raise ParseError(f"The document is not well-formed XML: {exc}.") from None
    return root.tag


def _lxml_root(data):
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, dtd_validation=False
    )
    try:
        return etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"The document is not well-formed XML: {exc}.") from None


# ---- RSS and Atom


MRSS = "http://search.yahoo.com/mrss/"


def parse_feed(data):
    # The bytes were checked above; feedparser gets them with no address, so it fetches nothing.
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    fmt = "atom" if (parsed.get("version") or "").startswith("atom") else "rss"
    # feedparser reads a picture's media:description as the item's summary: pictures and summaries are read here.
    extras = _feed_extras(_lxml_root(data))
    items = []
    for index, entry in enumerate(parsed.entries):
        extra = extras[index] if index < len(extras) else {}
        headline = _text(entry.get("title", ""))
        link = entry.get("link", "")
        guid = entry.get("id") or link
        if not guid:
            guid = "sha256:" + hashlib.sha256((headline + entry.get("summary", "")).encode()).hexdigest()
        content = entry.get("content") or []
        summary = extra.get("summary", entry.get("summary", ""))
        body = content[0].get("value", "") if content else summary
        dek = _text(summary) if content and _text(summary) != _text(body) else ""
        items.append(
            ParsedItem(
                guid=guid[:500],
                format=fmt,
                headline=headline[:300] or "(no headline)",
                dek=dek,
                body=_as_html(body),
                authors=_names(entry),
                subjects=[t.get("term") or t.get("label") for t in entry.get("tags", []) if t.get("term")],
                pictures=extra.get("pictures") or _feed_pictures(entry),
                original_url=link if _is_web_url(link) else "",
                sent_at=_struct_time(entry.get("published_parsed") or entry.get("updated_parsed")),
            )
        )
    return items


def _names(entry):
    names = [a.get("name", "") for a in entry.get("authors", []) if isinstance(a, dict)]
    if not any(names) and entry.get("author"):
        names = [entry["author"]]
    return split_names(names)


def split_names(raw_names):
    """“By Lisa Schlein and Henry Ridgwell” → ["Lisa Schlein", "Henry Ridgwell"]; e-mail addresses left out."""
    names = []
    for raw in raw_names:
        raw = re.sub(r"\S+@\S+", "", _text(raw or "")).strip(" ()")
        raw = re.sub(r"(?i)^by\s+", "", raw)
        for name in re.split(r"\s*(?:,|;|\band\b|&)\s*", raw):
            name = name.strip(" ().")
            if name and name not in names:
                names.append(name[:200])
    return names


def _feed_extras(root):
    """Per item, in document order: its own summary, and its pictures (media:content or media:thumbnail in an
    item or its media:group, with media:description, media:credit and media:title)."""
    entries = [e for e in root.iter() if isinstance(e.tag, str) and etree.QName(e).localname in ("item", "entry")]
    extras = []
    for entry in entries:
        extra = {}
        summary = [
            c
            for c in entry
            if isinstance(c.tag, str)
            and etree.QName(c).localname in ("description", "summary")
            and etree.QName(c).namespace in (None, "http://www.w3.org/2005/Atom")
        ]
        if summary:
            extra["summary"] = summary[0].text or ""
        pictures, seen = [], set()
        for media in entry.iter(f"{{{MRSS}}}content", f"{{{MRSS}}}thumbnail"):
            url = media.get("url", "")
            kind = media.get("medium") or (media.get("type") or "image/").split("/")[0]
            if not url or url in seen or kind != "image":
                continue
            seen.add(url)
            scope = [media, media.getparent(), entry]

            def first(name, scope=scope):
                for holder in scope:
                    found = holder.find(f"{{{MRSS}}}{name}")
                    if found is not None and (found.text or "").strip():
                        return _text(found.text)
                return ""

            pictures.append(
                {"url": url, "caption": first("description"), "credit": first("credit"), "alt": first("title")}
            )
        extra["pictures"] = pictures
        extras.append(extra)
    return extras


def _feed_pictures(entry):
    pictures, seen = [], set()
    credits = entry.get("media_credit") or []
    credit = _text(credits[0].get("content", "")) if credits else ""
    caption = _text(entry.get("media_description", "") or "")
    candidates = list(entry.get("media_content") or [])
    candidates += [e for e in entry.get("enclosures", []) if (e.get("type") or "").startswith("image/")]
    for media in candidates:
        url = media.get("url") or media.get("href") or ""
        kind = media.get("medium") or (media.get("type") or "").split("/")[0]
        if not url or url in seen or (kind and kind != "image"):
            continue
        seen.add(url)
        pictures.append({"url": url, "caption": caption, "credit": credit, "alt": ""})
    return pictures


# ---- NewsML-G2


def _nar(path):
    return path.replace("nar:", f"{{{NAR}}}")


def parse_newsml(data):
    root = _lxml_root(data)
    news_items = [root] if etree.QName(root).localname == "newsItem" else root.iter(_nar("nar:newsItem"))
    texts, pictures = [], {}
    for news_item in news_items:
        item_class = news_item.find(_nar("nar:itemMeta/nar:itemClass"))
        qcode = item_class.get("qcode", "") if item_class is not None else "ninat:text"
        status = news_item.find(_nar("nar:itemMeta/nar:pubStatus"))
        if status is not None and status.get("qcode", "stat:usable") != "stat:usable":
            continue  # withheld or cancelled: nothing to run
        if qcode.endswith(":picture"):
            picture = _newsml_picture(news_item)
            if picture:
                pictures[news_item.get("guid", "")] = picture
        else:
            texts.append(news_item)
    items = []
    for news_item in texts:
        guid = news_item.get("guid", "").strip()
        if not guid:
            raise ParseError("A NewsML-G2 newsItem has no guid.")
        meta = news_item.find(_nar("nar:contentMeta"))
        linked = [
            link.get("residref")
            for link in news_item.iterfind(_nar("nar:itemMeta/nar:link"))
            if link.get("residref") in pictures
        ]
        attached = [pictures[g] for g in linked] or (list(pictures.values()) if len(texts) == 1 else [])
        web = [
            link.get("href")
            for link in news_item.iterfind(_nar("nar:itemMeta/nar:link"))
            if link.get("contenttype", "text/html") == "text/html" and _is_web_url(link.get("href", ""))
        ]
        items.append(
            ParsedItem(
                guid=guid[:500],
                format="newsml",
                version=_int(news_item.get("version")),
                headline=_child_text(meta, "nar:headline")[:300] or "(no headline)",
                dek=" ".join(
                    _all_text(d)
                    for d in _find_all(meta, "nar:description")
                    if d.get("role", "drol:summary") in ("drol:summary", "drol:teaser")
                ),
                body=_newsml_body(news_item),
                dateline=_child_text(meta, "nar:dateline")[:100],
                authors=split_names(
                    [_child_text(c, "nar:name") or c.get("literal", "") for c in _find_all(meta, "nar:creator")]
                ),
                subjects=[
                    *(_child_text(s, "nar:name") for s in _find_all(meta, "nar:subject") if _child_text(s, "nar:name")),
                    *(_all_text(k) for k in _find_all(meta, "nar:keyword")),
                ],
                pictures=attached,
                original_url=web[0] if web else "",
                sent_at=_iso(_child_text(news_item.find(_nar("nar:itemMeta")), "nar:versionCreated")),
            )
        )
    return items


def _newsml_picture(news_item):
    meta = news_item.find(_nar("nar:contentMeta"))
    renditions = list(news_item.iterfind(_nar("nar:contentSet/nar:remoteContent")))
    if not renditions:
        return None
    best = max(renditions, key=lambda r: (r.get("rendition") == "rnd:highRes", _int(r.get("width")) or 0))
    caption = " ".join(_all_text(d) for d in _find_all(meta, "nar:description"))
    return {
        "url": best.get("href", ""),
        "caption": caption,
        "credit": _child_text(meta, "nar:creditline")
        or _child_text(news_item, "nar:rightsInfo/nar:copyrightHolder/nar:name"),
        "alt": _child_text(meta, "nar:headline"),
    }


def _newsml_body(news_item):
    inline = news_item.find(_nar("nar:contentSet/nar:inlineXML"))
    if inline is not None:
        body = inline.find(f".//{{{XHTML}}}body")
        container = body if body is not None else inline
        # HTML has no namespaces: the XHTML one is dropped from every element before it is written out.
        for element in container.iter():
            if isinstance(element.tag, str) and element.tag.startswith("{"):
                element.tag = etree.QName(element).localname
        written = "".join(etree.tostring(child, encoding="unicode", with_tail=True) for child in container)
        return re.sub(r'\s+xmlns(?::[\w.-]+)?="[^"]*"', "", written).strip()
    data = news_item.find(_nar("nar:contentSet/nar:inlineData"))
    if data is not None:
        return _as_html(data.text or "")
    return ""


def _find_all(element, path):
    return [] if element is None else list(element.iterfind(_nar(path)))


def _child_text(element, path):
    if element is None:
        return ""
    found = element.find(_nar(path))
    return _all_text(found) if found is not None else ""


def _all_text(element):
    return " ".join("".join(element.itertext()).split())


# ---- ninjs


def parse_ninjs(data):
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"The document is not valid JSON: {exc}.") from None
    documents = document if isinstance(document, list) else [document]
    items = []
    for doc in documents:
        if not isinstance(doc, dict):
            raise ParseError("A ninjs document is an object, or a list of objects.")
        if doc.get("pubstatus", "usable") != "usable" or doc.get("type", "text") not in ("text", "composite"):
            continue
        uri = str(doc.get("uri") or "").strip()
        if not uri:
            raise ParseError("A ninjs item has no uri.")
        headline = doc.get("headline") or _first_value(doc.get("headlines"))
        body = doc.get("body_html") or _first_value(doc.get("bodies"), prefer="text/html")
        if not body and doc.get("body_text"):
            body = _as_html(doc["body_text"])
        dek = doc.get("description_text") or _first_value(doc.get("descriptions"), role="summary")
        if not dek and doc.get("description_html"):
            dek = _text(doc["description_html"])
        located = doc.get("located") or ""
        links = [
            link.get("href")
            for link in doc.get("links") or []
            if isinstance(link, dict)
            and _is_web_url(link.get("href", ""))
            and "html" in link.get("contenttype", "html")
        ]
        items.append(
            ParsedItem(
                guid=uri[:500],
                format="ninjs",
                version=_int(doc.get("version")),
                headline=_text(headline or "")[:300] or "(no headline)",
                dek=_text(dek or ""),
                body=_as_html(body or ""),
                dateline=_text(str(located))[:100],
                authors=split_names([doc.get("byline") or doc.get("by") or ""]),
                subjects=[
                    s.get("name")
                    for s in (doc.get("subject") or doc.get("subjects") or [])
                    if isinstance(s, dict) and s.get("name")
                ]
                + [k for k in doc.get("keywords") or [] if isinstance(k, str)],
                pictures=_ninjs_pictures(doc.get("associations") or {}),
                original_url=links[0] if links else "",
                sent_at=_iso(doc.get("versioncreated") or doc.get("firstcreated") or ""),
            )
        )
    return items


def _ninjs_pictures(associations):
    if isinstance(associations, dict):
        associations = list(associations.values())
    pictures = []
    for media in associations or []:
        if not isinstance(media, dict) or media.get("type") not in ("picture", "image"):
            continue
        renditions = media.get("renditions") or {}
        if isinstance(renditions, dict):
            renditions = list(renditions.values())
        hrefs = [r for r in renditions if isinstance(r, dict) and r.get("href")]
        if not hrefs:
            continue
        best = max(hrefs, key=lambda r: _int(r.get("width")) or 0)
        pictures.append(
            {
                "url": best["href"],
                "caption": _text(media.get("description_text") or _first_value(media.get("descriptions")) or ""),
                "credit": _text(media.get("byline") or media.get("by") or media.get("copyrightholder") or ""),
                "alt": _text(media.get("headline") or _first_value(media.get("headlines")) or ""),
            }
        )
    return pictures


def _first_value(values, *, prefer=None, role=None):
    if not isinstance(values, list):
        return ""
    chosen = [v for v in values if isinstance(v, dict) and v.get("value")]
    if role:
        chosen = [v for v in chosen if role in (v.get("role") or role)] or chosen
    if prefer:
        chosen = sorted(chosen, key=lambda v: v.get("contenttype") != prefer)
    return chosen[0]["value"] if chosen else ""


# ---- shared


def _text(value):
    """Plain text from a field that may hold markup or entities."""
    return " ".join(html.unescape(strip_tags(str(value))).split())


def _as_html(value):
    """A body as HTML: markup kept as it is (sanitised when stored); plain text split into paragraphs."""
    value = (value or "").strip()
    if re.search(r"<(p|div|br|h\d|ul|ol|blockquote|figure)\b", value, re.IGNORECASE):
        return value
    if re.search(r"</?[a-zA-Z]", value):
        return f"<p>{value}</p>"  # inline markup only
    paragraphs = [p.strip() for p in re.split(r"\r?\n\s*\r?\n", value) if p.strip()]
    return "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)


def _is_web_url(url):
    return bool(re.match(r"(?i)^https?://[^/\s]+", url or ""))


def _int(value):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _iso(value):
    try:
        parsed = parse_datetime((value or "").strip())
    except ValueError:
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _struct_time(value):
    return datetime.fromtimestamp(timegm(value), tz=UTC) if value else None
