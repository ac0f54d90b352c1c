"""The wire desk's work across models: storing what arrived, turning an item into a story, taking an agency's update.

Keyword-only and atomic; each checks the current state under a row lock before changing it. Pictures are downloaded
before any transaction opens (a slow picture server must not hold row locks) and enter the photo library through its
own upload checks.
"""

import re
from dataclasses import dataclass, field

import reversion
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.text import slugify

from articles import revisions
from articles.admin.workflow import ensure_baseline_revision
from articles.models import Article, Author, Byline, Correction
from articles.revisions import FieldDiff
from photos.services import add_image
from wire import fetch
from wire.models import Channel, WireItem


@dataclass
class Ingested:
    new: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: int = 0

    def summary(self):
        return f"{len(self.new)} new, {len(self.updated)} updated, {self.unchanged} unchanged"


@transaction.atomic
def ingest(*, channel, items):
    """Store parsed items: a guid not seen on this channel is a new item; a newer version of a known one (by the
    agency's number, or for feeds by its text changing) updates it, and marks it when a story was made from it."""
    latest = {}
    for parsed in items:
        seen = latest.get(parsed.guid)
        if seen is None or (parsed.version or 0) >= (seen.version or 0):
            latest[parsed.guid] = parsed
    known = {
        item.guid: item for item in WireItem.objects.select_for_update().filter(channel=channel, guid__in=list(latest))
    }
    result, now = Ingested(), timezone.now()
    for guid, parsed in latest.items():
        fingerprint = parsed.fingerprint()
        item = known.get(guid)
        if item is None:
            item = WireItem(channel=channel, guid=guid, version=parsed.version or 1, received_at=now)
            _fill(item, parsed, fingerprint, now)
            item.save()
            result.new.append(item)
            continue
        newer = parsed.version > item.version if parsed.version is not None else fingerprint != item.fingerprint
        if not newer:
            result.unchanged += 1
            continue
        item.version = parsed.version if parsed.version is not None else item.version + 1
        _fill(item, parsed, fingerprint, now)
        if item.state in (WireItem.State.USED, WireItem.State.UPDATED):
            item.state = WireItem.State.UPDATED if item.article_id else WireItem.State.NEW
        item.save()
        result.updated.append(item)
    return result


def _fill(item, parsed, fingerprint, now):
    item.fingerprint = fingerprint
    item.format = parsed.format
    item.headline = parsed.headline[:300]
    item.dek = parsed.dek
    item.body = parsed.body
    item.dateline = parsed.dateline[:100]
    item.authors = parsed.authors
    item.subjects = [s[:200] for s in parsed.subjects if s]
    item.pictures = parsed.pictures
    item.original_url = parsed.original_url[:500]
    item.sent_at = parsed.sent_at
    item.updated_at = now


# ---- filing


def filing(item):
    """(section, [tags], matched rules) for an item: the first matching rule's section, else the channel's."""
    channel = item.channel
    text = " \n".join([item.headline, item.dek, item.dateline, strip_tags(item.body), *item.subjects])
    rules = channel.rules_for(text)
    section = next((rule.section for rule in rules if rule.section_id), None) or channel.section
    tags = list(dict.fromkeys(rule.tag.strip() for rule in rules if rule.tag.strip()))
    return section, tags, rules


# ---- Use this story


@dataclass
class Picture:
    upload: SimpleUploadedFile | None
    caption: str
    credit: str
    alt: str
    problem: str = ""


def may_use(user):
    return user.has_perm("wire.use_wireitem") and user.has_perm("articles.add_article")


def use_item(*, item, by):
    """Turn an item into a draft story, credited to its reporters and its source, filed by the channel's rules, with
    its pictures in the library. Returns (article, [problems with pictures]); nothing is made if it was used already."""
    if not may_use(by):
        raise PermissionDenied("You may not turn wire items into stories.")
    pictures = download_pictures(item)
    with transaction.atomic():
        article = _make_story(item=item, by=by, status=Article.Status.DRAFT, pictures=pictures)
    return article, [p.problem for p in pictures if p.problem]


def auto_publish(*, item):
    """Publish an item of a trusted channel with no one at the controls, if it matches one of the channel's rules.

    The story is made in review and published by the workflow's unattended step, so every check of publication
    still applies; if one fails, the story waits in review and the item says why. Returns the article or None.
    """
    _section, _tags, rules = filing(item)
    if not (item.channel.auto_publish and rules):
        return None
    pictures = download_pictures(item)
    with transaction.atomic():
        article = _make_story(item=item, by=None, status=Article.Status.REVIEW, pictures=pictures)
    try:
        article.publish_unattended(comment=f"Published automatically from the wire channel “{item.channel}”.")
    except ValidationError as exc:
        note = f"Not published automatically: {' '.join(exc.messages)} It waits in review."
        WireItem.objects.filter(pk=item.pk).update(note=note[:500])
    return article


def _make_story(*, item, by, status, pictures):
    item = (
        WireItem.objects.select_for_update(of=("self",))
        .select_related("channel__source", "channel__section")
        .get(pk=item.pk)
    )
    if item.article_id is not None:
        raise ValidationError(f"This item is already the story “{item.article}”.")
    channel = item.channel
    section, tags, _rules = filing(item)
    now = timezone.now()
    article = Article.objects.create(
        headline=item.headline[:300],
        slug=unique_slug(item.headline),
        dek=item.dek[:1000],
        body=item.body,
        dateline=item.dateline[:100],
        category=section,
        source=channel.source,
        original_url=item.original_url,
        canonical_is_original=channel.canonical_is_original and bool(item.original_url),
        status=status,
        created_by=by,
        edited_by=by,
        edited_at=now,
    )
    for order, author in enumerate(wire_authors(item)):
        Byline.objects.create(article=article, author=author, order=order)
    if tags:
        article.tags.add(*tags)
    _place_pictures(article, pictures, by=by, source=channel.source)
    with reversion.create_revision():
        reversion.add_to_revision(article)
        reversion.set_user(by)
        reversion.set_comment(f"Made from the wire: “{item.headline}” ({channel}, version {item.version}).")
    item.mark_used(article=article, by=by, at=now)
    return article


def unique_slug(headline):
    base = (slugify(headline)[:190].strip("-")) or "wire-story"
    slug, n = base, 1
    while Article.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def wire_authors(item):
    """Non-staff authors for the item's reporters, matched by name (the same reporter next time is the same
    author); the source itself when the agency names no one, so the story can carry a byline."""
    source = item.channel.source
    names = item.authors or [source.name]
    return [_wire_author(name, source) for name in names]


def _wire_author(name, source):
    name = " ".join(name.split())[:200]
    author = Author.objects.filter(user__isnull=True, name__iexact=name).order_by("pk").first()
    if author is not None:
        return author
    base = slugify(name)[:190] or "wire-reporter"
    slug, n = base, 1
    while Author.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return Author.objects.create(name=name, slug=slug, affiliation=source)


# ---- pictures

SIGNATURES = [
    (b"\xff\xd8\xff", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", ".png"),
    (b"GIF87a", ".gif"),
    (b"GIF89a", ".gif"),
]


def _extension(data):
    for signature, extension in SIGNATURES:
        if data.startswith(signature):
            return extension
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    return ".bin"  # the library's checks refuse it with their own words


def download_pictures(item):
    """Each of the item's pictures fetched (or read from the wire folder, for a file channel's relative names)."""
    pictures = []
    for index, meta in enumerate(item.pictures or []):
        url = (meta.get("url") or "").strip()
        picture = Picture(None, meta.get("caption", ""), meta.get("credit", ""), meta.get("alt", ""))
        try:
            if item.channel.kind == Channel.Kind.FILE and not re.match(r"(?i)^https?://", url):
                data = fetch.read_file(url, max_bytes=settings.NEWSROOM_IMAGE_MAX_BYTES).body
            else:
                data = fetch.fetch_url(url, max_bytes=settings.NEWSROOM_IMAGE_MAX_BYTES, accept="image/*").body
        except fetch.FetchError as exc:
            picture.problem = f"Picture {index + 1} ({url}) was not brought in: {exc}"
        else:
            picture.upload = SimpleUploadedFile(f"wire-{item.pk}-{index + 1}{_extension(data)}", data)
        pictures.append(picture)
    return pictures


def _place_pictures(article, pictures, *, by, source):
    """The first picture that passes the library's checks leads the story; the others follow the body as figures."""
    figures = []
    for index, picture in enumerate(pictures):
        if picture.upload is None:
            continue
        alt = (picture.alt or picture.caption or article.headline)[:300]
        try:
            image = add_image(
                upload=picture.upload,
                alt_text=alt,
                caption=picture.caption[:1000],
                credit=picture.credit[:200],
                source=source,
                uploaded_by=by,
            )
        except ValidationError as exc:
            picture.problem = f"Picture {index + 1} was refused by the photo library: {' '.join(exc.messages)}"
            continue
        if article.lead_image_id is None:
            article.lead_image = image
        else:
            figures.append(
                f'<figure class="figure"><img src="{image.file.url}" alt="{escape(alt)}" data-file="{image.pk}">'
                f"<figcaption>{escape(picture.caption)}</figcaption></figure>"
            )
    if article.lead_image_id or figures:
        article.body += "".join(figures)
        article.save(update_fields=["lead_image", "body"])


# ---- updates


def update_diffs(item):
    """[FieldDiff] from the story as it is now to the item's latest version: what taking the update changes."""
    article = item.article
    pairs = [
        ("Headline", article.headline, item.headline),
        ("Dek", article.dek, item.dek),
        ("Dateline", article.dateline, item.dateline),
        ("Body", revisions.body_text(article.body), revisions.body_text(item.body)),
    ]
    return [FieldDiff(label, old, new) for label, old, new in pairs]


def default_update_note(item):
    return f"This story was updated with new information from {item.channel.source.name}."


@transaction.atomic
def take_update(*, item, by, expected_version, note=""):
    """Put the item's latest headline, dek, dateline and body into its story, through the article's conflict-safe
    save (``expected_version`` is the story's version the editor compared against). A live story also gets an
    “Update” note for readers (the corrections mechanism); bylines, filing and pictures stay as the desk left them."""
    item = WireItem.objects.select_for_update(of=("self",)).select_related("channel__source").get(pk=item.pk)
    if item.state != WireItem.State.UPDATED or item.article_id is None:
        raise ValidationError("There is no new version of this item to take.")
    article = Article.objects.get(pk=item.article_id)
    if article.status == Article.Status.WITHDRAWN:
        raise ValidationError("The story was withdrawn: restore it before taking the agency's update.")
    if article.is_live and not by.has_perm("articles.add_correction"):
        raise PermissionDenied("The story is live: only an editor can take the update, since readers are told.")
    ensure_baseline_revision(article)
    was_live = article.is_live
    with reversion.create_revision():
        article.headline = item.headline[:300]
        article.dek = item.dek[:1000]
        article.dateline = item.dateline[:100]
        article.body = item.body
        article.save_edit(by=by, expected_version=expected_version)
        reversion.add_to_revision(article)
        reversion.set_user(by)
        reversion.set_comment(f"Took version {item.version} of the wire item ({item.channel}).")
    if was_live:
        article.add_correction(
            by=by, kind=Correction.Kind.UPDATE, text=(note or "").strip() or default_update_note(item)
        )
    item.mark_used()
    return article
