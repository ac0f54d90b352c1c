"""Article revisions, kept by django-reversion: what is recorded, how two compare, what a restore brings back.

Every admin save of an article is one revision holding the article, its bylines and its tags. A comparison
reads the revisions' stored copies; a restore puts back the words, filing and credits but never the
workflow state or the URL, so restoring cannot publish, unpublish or move anything.
"""

import difflib
import html
import re
from dataclasses import dataclass
from types import SimpleNamespace

import reversion
from django.contrib.contenttypes.models import ContentType
from django.utils.html import format_html, strip_tags
from django.utils.safestring import mark_safe
from reversion.models import Version
from taggit.models import Tag, TaggedItem

from articles import pending
from articles.models import Article, Author, Byline, LiveUpdate, format_bylines

# What a restore writes back; status, publication time and slug are left as they are.
RESTORED_FIELDS = [
    "headline",
    "dek",
    "body",
    "dateline",
    "category_id",
    "source_id",
    "original_url",
    "canonical_is_original",
    "featured",
]


def register():
    if not reversion.is_registered(Article):
        reversion.register(Article, follow=["bylines", "tagged_items"])
    if not reversion.is_registered(Byline):
        reversion.register(Byline)
    if not reversion.is_registered(TaggedItem):
        reversion.register(TaggedItem)
    if not reversion.is_registered(LiveUpdate):
        reversion.register(LiveUpdate)


@dataclass
class Snapshot:
    """An article as one revision recorded it, in the terms a person compares."""

    version: Version
    fields: dict
    bylines: list  # [(role, author_id, order)]
    tag_ids: list

    @property
    def revision(self):
        return self.version.revision

    def byline_text(self, authors):
        ordered = sorted(self.bylines, key=lambda b: b[2])
        return format_bylines(SimpleNamespace(role=role, author=authors[a]) for role, a, _o in ordered if a in authors)

    def tag_text(self, tags):
        return ", ".join(sorted(tags[t] for t in self.tag_ids if t in tags))


def versions_of(article):
    """The article's revisions, newest first, with who made them."""
    return Version.objects.get_for_object(article).select_related("revision", "revision__user")


def snapshot(version):
    byline_type = ContentType.objects.get_for_model(Byline)
    tagged_type = ContentType.objects.get_for_model(TaggedItem)
    bylines, tag_ids = [], []
    for other in version.revision.version_set.filter(content_type__in=[byline_type, tagged_type]):
        data = other.field_dict
        if other.content_type_id == byline_type.pk and str(data.get("article_id")) == version.object_id:
            bylines.append((data["role"], data["author_id"], data["order"]))
        elif other.content_type_id == tagged_type.pk and str(data.get("object_id")) == version.object_id:
            tag_ids.append(data["tag_id"])
    return Snapshot(version=version, fields=version.field_dict, bylines=bylines, tag_ids=tag_ids)


def snapshot_at(article, version_number):
    """The newest revision recorded at or before the article's edit counter reached ``version_number``."""
    for version in versions_of(article)[:50]:
        if (version.field_dict.get("version") or 0) <= version_number:
            return snapshot(version)
    return None


def body_text(body_html):
    """The body as paragraphs of plain text, one per line, so a diff reads like the story."""
    text = re.sub(r"(?i)</(p|h[1-6]|li|blockquote)>|<br\s*/?>", "\n", body_html or "")
    return "\n".join(line.strip() for line in html.unescape(strip_tags(text)).splitlines() if line.strip())


def inline_diff(old, new):
    """Word-level difference as HTML: removed words in <del>, added words in <ins>."""
    old_words = re.findall(r"\S+|\n", old or "")
    new_words = re.findall(r"\S+|\n", new or "")
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(format_html("{}", _words(old_words[i1:i2])))
            continue
        if op in ("delete", "replace"):
            parts.append(format_html("<del>{}</del>", _words(old_words[i1:i2])))
        if op in ("insert", "replace"):
            parts.append(format_html("<ins>{}</ins>", _words(new_words[j1:j2])))
    return mark_safe(" ".join(str(p) for p in parts))  # noqa: S308 - every part escaped by format_html


def _words(words):
    return " ".join(words).replace(" \n ", "\n").replace("\n ", "\n").replace(" \n", "\n")


@dataclass
class FieldDiff:
    label: str
    old: str
    new: str

    @property
    def changed(self):
        return self.old != self.new

    @property
    def html(self):
        return inline_diff(self.old, self.new)


def readable(fields, bylines_text, tags_text):
    return {
        "Headline": fields.get("headline") or "",
        "Dek": fields.get("dek") or "",
        "Body": body_text(fields.get("body")),
        "Bylines": bylines_text,
        "Tags": tags_text,
    }


def compare(old, new):
    """[FieldDiff] for headline, dek, body, bylines and tags between two snapshots (``old`` may be None)."""
    before = _readable_snapshot(old)
    after = _readable_snapshot(new)
    return [FieldDiff(label, before[label], after[label]) for label in LABELS]


def compare_with_current(old, article):
    """[FieldDiff] between a snapshot (or None) and the article as it is in the database now."""
    before = _readable_snapshot(old)
    current = readable(
        {"headline": article.headline, "dek": article.dek, "body": article.body},
        format_bylines(article.bylines.select_related("author")),
        ", ".join(sorted(t.name for t in article.tags.all())),
    )
    return [FieldDiff(label, before[label], current[label]) for label in LABELS]


def _readable_snapshot(snap):
    if snap is None:
        return dict.fromkeys(LABELS, "")
    authors = Author.objects.in_bulk({a for _r, a, _o in snap.bylines})
    tags = dict(Tag.objects.filter(pk__in=snap.tag_ids).values_list("pk", "name"))
    return readable(snap.fields, snap.byline_text(authors), snap.tag_text(tags))


LABELS = ["Headline", "Dek", "Body", "Bylines", "Tags"]


# Changes to a live story awaiting review (articles/pending.py), compared with the live story.

OTHER_FIELDS = {
    "dateline": "Dateline",
    "category_id": "Primary category",
    "secondary_category_ids": "Secondary categories",
    "source_id": "Source",
    "original_url": "Original URL",
    "canonical_is_original": "Canonical link to the original",
    "featured": "Featured",
    "lead_image_id": "Lead image",
    "lead_image_caption": "Lead image caption",
    "lead_image_credit": "Lead image credit",
}
KEYS_BY_LABEL = {
    "Headline": "headline",
    "Dek": "dek",
    "Body": "body",
    "Bylines": "bylines",
    "Tags": "tags",
    **{label: key for key, label in OTHER_FIELDS.items()},
}


@dataclass
class PendingDiff:
    """What publishing the changes awaiting review would do to the live story, and what changed on the live story
    since they were saved (quick fixes, kept unless the changes change the same field)."""

    changes: list  # [FieldDiff] the live story now -> as publishing would leave it
    other_changes: list  # labels of the other fields publishing changes
    quick_fixes: list  # [FieldDiff] the live story when the changes were saved -> now, changed ones only
    other_quick_fixes: list  # labels
    replaced: list  # labels of quick fixes that publishing replaces

    @property
    def changed(self):
        return [diff for diff in self.changes if diff.changed]


def pending_diff(article, waiting):
    live = pending.live_content(article)
    after = pending.merge(base=waiting.base, proposed=waiting.content, live=live)
    authors = Author.objects.in_bulk({a for content in (live, after, waiting.base) for a, _r, _o in content["bylines"]})

    def text(content):
        bylines = format_bylines(
            SimpleNamespace(role=r, author=authors[a]) for a, r, _o in content["bylines"] if a in authors
        )
        return readable(content, bylines, ", ".join(content["tags"]))

    base, now, published = text(waiting.base), text(live), text(after)
    proposed = set(pending.changed(waiting.base, waiting.content))
    fixed = set(pending.changed(waiting.base, live))
    return PendingDiff(
        changes=[FieldDiff(label, now[label], published[label]) for label in LABELS],
        other_changes=[label for key, label in OTHER_FIELDS.items() if live[key] != after[key]],
        quick_fixes=[FieldDiff(label, base[label], now[label]) for label in LABELS if base[label] != now[label]],
        other_quick_fixes=[label for key, label in OTHER_FIELDS.items() if key in fixed],
        replaced=[
            label
            for label, key in KEYS_BY_LABEL.items()
            if key in proposed and key in fixed and waiting.content[key] != live[key]
        ],
    )
