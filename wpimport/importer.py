"""Importing a WordPress export: what each WordPress thing becomes here, and the report of what happened.

The export is read three times as a stream (wpimport/wxr.py), never held in memory:

1. a survey that writes nothing: it checks the whole file is a readable export (a truncated file or an entity bomb
   is refused before a single row is made) and collects the authors, categories and tags, which are few;
2. the attachments, whose files are looked for under the uploads folder and added to the photo library through its
   usual checks (`photos.services.add_image`);
3. the posts, each in its own transaction with everything that belongs to it (bylines, tags, the record of where it
   came from, its old addresses, its first revision), so a post that fails leaves nothing behind and the others go on.

The work per post is a fixed handful of statements, whatever the size of the site: what earlier runs imported is looked
up for a chunk of items at a time (all the terms at once: they are few), the rows a story needs are written in one
statement each, and its first revision is handed the rows just written instead of reading them back. Memory holds one
chunk of items, never the export (tests/wpimport/test_queries.py and bench/wpimport keep both so).

Every WordPress thing imported is recorded (`ImportedItem`, keyed on the site and its id, slug or login): a second
run finds it and changes nothing, and a run that stopped half-way finishes the rest. Pages are not purged one by one:
the run asks for one purge of every page at the end (`pagecache.batched`).
"""

import logging
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from pathlib import Path
from urllib.parse import unquote, urlsplit

import reversion
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify
from taggit.models import Tag, TaggedItem

from articles.models import Article, Author, Byline, Category, Transition
from newsroom import pagecache
from photos.images import FORMATS, inspect_upload
from photos.services import add_image
from wpimport import content, wxr
from wpimport.models import ImportedItem, ImportRun, OldAddress

logger = logging.getLogger(__name__)

Kind = ImportedItem.Kind

STATUS = {
    "publish": Article.Status.PUBLISHED,
    "future": Article.Status.PUBLISHED,  # scheduled: published with a publication time still ahead
    "draft": Article.Status.DRAFT,
    "pending": Article.Status.REVIEW,
}
NOT_IMPORTED = {
    "private": "private posts (readers could not see them)",
    "trash": "posts in the trash",
    "auto-draft": "automatic drafts (never written)",
    "inherit": "revisions",
}
# Co-Authors Plus, the plugin news sites use for several bylines, keeps them as terms of this taxonomy (and the
# bylines without an account as "guest-author" items).
COAUTHORS = "author"
SKIPPED_TYPES = {
    "page": "pages",
    "nav_menu_item": "menu items",
    "revision": "revisions",
    "wp_block": "reusable blocks",
    "wp_navigation": "menu items",
    "wp_template": "theme templates",
    "wp_template_part": "theme templates",
    "wp_global_styles": "theme settings",
    "custom_css": "theme settings",
    "customize_changeset": "theme settings",
    "oembed_cache": "embed caches",
    "user_request": "privacy requests",
}
PICTURE_EXTENSIONS = {extension for spec in FORMATS.values() for extension in spec["extensions"]}
# Jetpack serves a site's uploads from these hosts too (i0.wp.com/example.com/wp-content/uploads/…).
PHOTON_HOSTS = {"i0.wp.com", "i1.wp.com", "i2.wp.com", "i3.wp.com"}
PROGRESS_EVERY = 25
CHUNK = 100  # items whose earlier import is looked up in one query; held in memory together
LISTED = 500  # items named one by one in a report section; past this, only counted


class ItemFailed(Exception):
    """This item cannot be imported; the message says why, for the report."""


@dataclass
class Report:
    """What a run did: counts by kind and outcome, what was skipped and why, each failure and each note."""

    site: str = ""
    dry_run: bool = False
    counts: Counter = field(default_factory=Counter)  # "post created", "tag merged", "author existing"...
    skipped: Counter = field(default_factory=Counter)  # reason → how many
    failures: list = field(default_factory=list)  # [label, reason]
    notes: list = field(default_factory=list)  # [label, note]: imported, but something needs an editor's look
    unlisted: Counter = field(default_factory=Counter)  # failures and notes past LISTED

    def count(self, kind, outcome, n=1):
        self.counts[f"{kind} {outcome}"] += n

    def fail(self, label, reason):
        self._list(self.failures, "failures", label, reason)

    def note(self, label, note):
        self._list(self.notes, "notes", label, note)

    def _list(self, entries, name, label, text):
        if len(entries) < LISTED:
            entries.append([label, text])
        else:
            self.unlisted[name] += 1

    @property
    def created(self):
        return sum(n for key, n in self.counts.items() if key.endswith((" created", " merged")))

    def as_dict(self):
        return {
            "site": self.site,
            "dry_run": self.dry_run,
            "counts": dict(sorted(self.counts.items())),
            "skipped": dict(self.skipped.most_common()),
            "failures": self.failures,
            "notes": self.notes,
            "unlisted": dict(self.unlisted),
        }

    def lines(self):
        return report_lines(self.as_dict())


def report_lines(report):
    """A report (``Report.as_dict()``) as lines of text, for the command's output and the admin."""
    dry = " (dry run: nothing was saved)" if report.get("dry_run") else ""
    lines = [f"Site: {report.get('site') or '(unknown)'}{dry}"]
    if report.get("counts"):
        lines.append("Imported:")
        lines += [f"  {what}: {n}" for what, n in report["counts"].items()]
    if report.get("skipped"):
        lines.append("Not imported:")
        lines += [f"  {why}: {n}" for why, n in report["skipped"].items()]
    for name, title in (("failures", "Failed"), ("notes", "To look at")):
        entries = report.get(name) or []
        if entries:
            lines.append(f"{title} ({len(entries) + report.get('unlisted', {}).get(name, 0)}):")
            lines += [f"  {label}: {text}" for label, text in entries]
            if report.get("unlisted", {}).get(name):
                lines.append(f"  … and {report['unlisted'][name]} more")
    return lines


@dataclass
class Survey:
    site: wxr.Site = None
    authors: list = field(default_factory=list)
    guest_authors: dict = field(default_factory=dict)  # login → WpAuthor: Co-Authors Plus bylines with no account
    categories: list = field(default_factory=list)
    tags: list = field(default_factory=list)
    posts: int = 0


def import_export(export, *, uploads=None, dry_run=False, run=None, progress=None):
    """Import a WordPress export: ``export`` is its path, or a function that opens it (binary) each time it is read.
    Pictures are looked for under ``uploads`` (a copy of wp-content/uploads).

    Raises ``wxr.NotAnExport`` (nothing written) for a file that is not a whole, safe WordPress export. With
    ``dry_run`` everything is done and counted inside a transaction that is then rolled back, and no picture file is
    stored. ``progress(done, total)`` is called as posts are dealt with.
    """
    return Importer(export, uploads=uploads, dry_run=dry_run, run=run, progress=progress).run()


class Importer:
    def __init__(self, export, *, uploads=None, dry_run=False, run=None, progress=None):
        self.export = export if callable(export) else partial(Path(export).open, "rb")
        self.uploads = Path(uploads).resolve() if uploads else None
        self.dry_run = dry_run
        self.import_run = run
        self.progress = progress or (lambda done, total: None)
        self.report = Report(dry_run=dry_run)
        self.authors = {}  # login → Author or None
        self.categories = {}  # slug → Category or None
        self.tags = {}  # slug → Tag or None
        self.term_records = {}  # (kind, key) → ImportedItem: the authors, categories and tags earlier runs imported
        self.guest_authors = {}  # login → WpAuthor, from the survey
        self.known_addresses = []  # OldAddress rows for those records, added if an earlier release did not make them

    def run(self):
        survey = self.survey()
        self.report.site = self.site = survey.site.base_url
        parts = urlsplit(self.site)
        self.host = parts.netloc.lower().removeprefix("www.")
        self.prefix = unquote(parts.path).rstrip("/")
        if self.uploads is not None and not self.uploads.is_dir():
            raise wxr.NotAnExport(f"The uploads folder {self.uploads} does not exist.")
        if self.dry_run:
            with transaction.atomic():
                self._import(survey)
                transaction.set_rollback(True)
        else:
            with pagecache.batched():
                self._import(survey)
                if self.report.created:
                    # Stories, sections and tags made outside the editorial workflow: every page may show them.
                    pagecache.purge(pagecache.EVERY_PAGE)
        return self.report

    def _import(self, survey):
        terms = ImportedItem.objects.filter(site=self.site, kind__in=[Kind.AUTHOR, Kind.CATEGORY, Kind.TAG])
        self.term_records = {(r.kind, r.key): r for r in terms.select_related("author", "category", "tag")}
        self.guest_authors = survey.guest_authors
        for author in [*survey.authors, *survey.guest_authors.values()]:
            self._guarded(f"author “{author.login}”", self.author, author)
        for term in survey.categories:
            self._guarded(f"category “{term.slug}”", self.category, term, survey.categories)
        for term in survey.tags:
            self._guarded(f"tag “{term.slug}”", self.tag, term)
        OldAddress.objects.bulk_create(self.known_addresses, ignore_conflicts=True)
        for item, imported in self._chunked("attachment", Kind.ATTACHMENT):
            self._once(Kind.ATTACHMENT, self.attachment, item, imported)
        done = 0
        self.progress(done, survey.posts)
        for item, imported in self._chunked("post", Kind.POST):
            self._once(Kind.POST, self.post, item, imported)
            done += 1
            if done % PROGRESS_EVERY == 0:
                self.progress(done, survey.posts)
        self.progress(done, survey.posts)

    def _items(self, post_type):
        with self.export() as source:
            for what, item in wxr.read(source):
                if what == "item" and item.post_type == post_type:
                    yield item

    def _chunked(self, post_type, kind):
        """The export's items of ``post_type``, each with the keys of its chunk (CHUNK items, read together) that are
        imported already: read from the records in one query, then added to as the import goes (an export may list
        an item twice)."""
        items = self._items(post_type)
        while chunk := list(islice(items, CHUNK)):
            keys = {item.post_id[:200] for item in chunk if item.post_id}
            imported = set(
                ImportedItem.objects.filter(site=self.site, kind=kind, key__in=keys).values_list("key", flat=True)
            )
            for item in chunk:
                yield item, imported

    def _once(self, kind, method, item, imported):
        """Import ``item`` with ``method`` unless an earlier run, or this one, did."""
        if item.post_id and item.post_id[:200] in imported:
            self.report.count(kind, "existing")
        else:
            self._guarded(item.label, method, item, imported)

    def _guarded(self, label, method, *args):
        """Run one item's import in its own transaction; a failure is reported and undoes that item only."""
        known = {name: len(cache) for name, cache in self._caches()}
        try:
            with transaction.atomic():
                method(*args)
            return
        except ItemFailed as failure:
            self.report.fail(label, str(failure))
        except ValidationError as error:
            self.report.fail(label, " ".join(error.messages))
        except Exception as error:
            logger.exception("WordPress import: %s failed", label)
            self.report.fail(label, f"{type(error).__name__}: {error}")
        # What the failed item made along the way (a tag only it named) was rolled back with it. The caches only
        # grow, in order: what it added is what follows their sizes before it.
        for name, cache in self._caches():
            for key in list(cache)[known[name] :]:
                del cache[key]

    def _caches(self):
        return [("authors", self.authors), ("categories", self.categories), ("tags", self.tags)]

    # ---- pass 1: a survey that writes nothing

    def survey(self):
        survey = Survey()
        with self.export() as source:
            for what, thing in wxr.read(source):
                if what == "site":
                    survey.site = thing
                elif what == "author":
                    if thing.login:
                        survey.authors.append(thing)
                elif what == "term":
                    if thing.taxonomy == "category" and thing.slug:
                        survey.categories.append(thing)
                    elif thing.taxonomy == "post_tag" and thing.slug:
                        survey.tags.append(thing)
                    elif thing.taxonomy == COAUTHORS:
                        pass  # read with each post that names them
                    else:
                        self.report.skipped[f"terms of other kinds ({thing.taxonomy or 'unknown'})"] += 1
                elif what == "item":
                    self._survey_item(thing, survey)
        return survey

    def _survey_item(self, item, survey):
        if item.comments:
            self.report.skipped["comments"] += item.comments
        if item.post_type == "post":
            survey.posts += 1
        elif item.post_type == "guest-author":
            guest = _guest_author(item)
            if guest.login:
                survey.guest_authors[guest.login] = guest
        elif item.post_type != "attachment":
            reason = SKIPPED_TYPES.get(item.post_type) or f"items of the custom type “{item.post_type or '?'}”"
            self.report.skipped[reason] += 1

    # ---- records: what each WordPress thing became

    def _remember(self, kind, key, *, name="", merged=False, addresses=(), path="", **target):
        item = ImportedItem.objects.create(
            site=self.site,
            kind=kind,
            key=key[:200],
            name=name[:300],
            path=path[:500],
            merged=merged,
            run=self.import_run if self.import_run and self.import_run.pk else None,
            **target,
        )
        paths = {address[:500] for address in addresses if address}
        OldAddress.objects.bulk_create([OldAddress(path=p, item=item) for p in sorted(paths)], ignore_conflicts=True)
        return item

    def _known(self, kind, key, field_name, addresses):
        """(found, object) for an author, category or tag: whether an earlier run imported it, and what it is now
        (None if deleted since). Its ``addresses`` are kept, in case the run that imported it knew fewer shapes."""
        record = self.term_records.get((kind, key[:200]))
        if record is None:
            return False, None
        self.report.count(kind, "existing")
        self.known_addresses += [OldAddress(path=path[:500], item=record) for path in addresses]
        return True, getattr(record, field_name)

    # ---- authors, categories, tags

    def author(self, wp):
        if wp.login in self.authors:
            return self.authors[wp.login]
        addresses = [f"{self.prefix}/author/{slugify(wp.login) or wp.login}/"]
        if wp.id.isdigit():
            addresses.append(f"{self.prefix}/?author={wp.id}")  # a site without pretty permalinks
        found, author = self._known(Kind.AUTHOR, wp.login, "author", addresses)
        if not found:
            name = wp.name[:200]
            author = Author.objects.filter(name__iexact=name).first()
            merged = author is not None
            if author is None:
                author = Author.objects.create(
                    name=name, slug=_unique_slug(Author, slugify(name) or slugify(wp.login), "author")
                )
            self.report.count(Kind.AUTHOR, "merged" if merged else "created")
            if not merged and name == wp.login:
                # Named by a post only (a partial export, a plugin's co-author): the export has no other name.
                self.report.note(f"author “{wp.login}”", "known by the login only: give the byline its real name")
            self._remember(Kind.AUTHOR, wp.login, name=name, merged=merged, addresses=addresses, author=author)
        self.authors[wp.login] = author
        return author

    def category(self, term, all_terms=()):
        if term.slug in self.categories:
            return self.categories[term.slug]
        chain = _ancestors(term, {t.slug: t for t in all_terms})
        nested = "/".join(unquote(t.slug) for t in [*reversed(chain), term])
        addresses = [f"{self.prefix}/category/{nested}/", f"{self.prefix}/category/{unquote(term.slug)}/"]
        if term.id.isdigit():
            addresses.append(f"{self.prefix}/?cat={term.id}")
        found, category = self._known(Kind.CATEGORY, term.slug, "category", addresses)
        if not found:
            parent = None
            if chain:
                # Sections nest one level: a WordPress category deeper down joins its top-level ancestor.
                top = chain[-1]
                parent = self.categories.get(top.slug) or self.category(top, all_terms)
                if parent is not None and parent.parent_id:
                    parent = parent.parent
                if len(chain) > 1:
                    self.report.note(
                        f"category “{term.name}”", f"nested {len(chain)} levels deep: now a subsection of {top.name}"
                    )
            category, merged = self._find_or_make_category(term, parent)
            self.report.count(Kind.CATEGORY, "merged" if merged else "created")
            self._remember(
                Kind.CATEGORY, term.slug, name=term.name, merged=merged, addresses=addresses, category=category
            )
        self.categories[term.slug] = category
        return category

    def _find_or_make_category(self, term, parent):
        name = content.plain_text(term.name, 200) or term.slug[:200]
        slug = slugify(unquote(term.slug))[:200]
        category = Category.objects.filter(slug=slug).first() if slug else None
        if category is None:
            # A section of the same name the newsroom made itself is the same section; one this import made for
            # another WordPress category (two “News” under different parents) is not.
            made_here = ImportedItem.objects.filter(site=self.site, kind=Kind.CATEGORY, merged=False)
            category = Category.objects.filter(name__iexact=name).exclude(pk__in=made_here.values("category")).first()
        if category is not None:
            return category, True
        if Category.objects.filter(name__iexact=name).exists():
            name = f"{name[:150]} ({parent.name[:40] if parent else slug[:40]})"
        category = Category.objects.create(
            name=_unique_name(Category, name),
            slug=_unique_slug(Category, slug or slugify(name), "section"),
            description=content.plain_text(term.description),
            parent=parent,
            # The newsroom chooses what goes in its navigation (the admin's Categories page).
            in_navigation=False,
        )
        return category, False

    def tag(self, term):
        if term.slug in self.tags:
            return self.tags[term.slug]
        addresses = [f"{self.prefix}/tag/{unquote(term.slug)}/", f"{self.prefix}/?tag={unquote(term.slug)}"]
        found, tag = self._known(Kind.TAG, term.slug, "tag", addresses)
        if not found:
            name = content.plain_text(term.name, 100) or unquote(term.slug)[:100]
            slug = slugify(unquote(term.slug))[:100]
            tag = (Tag.objects.filter(slug=slug).first() if slug else None) or Tag.objects.filter(name=name).first()
            merged = tag is not None
            if tag is None:
                tag = Tag.objects.create(name=name, slug=_unique_slug(Tag, slug or slugify(name), "tag", limit=100))
            self.report.count(Kind.TAG, "merged" if merged else "created")
            self._remember(Kind.TAG, term.slug, name=name, merged=merged, addresses=addresses, tag=tag)
        self.tags[term.slug] = tag
        return tag

    # ---- pass 2: pictures

    def attachment(self, item, imported):
        relative = item.meta.get("_wp_attached_file") or content.uploaded_file(item.attachment_url)
        if Path(relative).suffix.lower() not in PICTURE_EXTENSIONS:
            self.report.skipped["attachments that are not pictures (documents, audio, video)"] += 1
            return
        if self.uploads is None:
            self.report.skipped["pictures (no uploads folder given)"] += 1
            return
        source = self._uploaded(relative)
        if source is None:
            self.report.skipped["pictures whose file is not in the uploads folder"] += 1
            self.report.note(item.label, f"picture file {relative} not found in the uploads folder")
            return
        caption = content.plain_text(item.excerpt, 1000)
        alt = content.plain_text(item.meta.get("_wp_attachment_image_alt", ""), 300)
        if not alt:
            alt = content.plain_text(caption or item.content or item.title, 300) or Path(relative).stem
            self.report.note(item.label, "no alt text in WordPress: the caption or title stands in; check it")
        with source.open("rb") as handle:
            upload = File(handle, name=source.name)
            if self.dry_run:
                inspect_upload(upload)  # the same checks, without storing a file a rollback could not take back
                self.report.count(Kind.ATTACHMENT, "created")
                return
            image = add_image(upload=upload, alt_text=alt, caption=caption)
        self.report.count(Kind.ATTACHMENT, "created")
        self._remember(
            Kind.ATTACHMENT,
            item.post_id,
            name=content.plain_text(item.title, 300),
            path=content.upload_key(relative),
            image=image,
        )
        imported.add(item.post_id[:200])

    def _uploaded(self, relative):
        """The file at ``relative`` under the uploads folder, or None; never anything outside it."""
        try:
            candidate = (self.uploads / relative.lstrip("/")).resolve()
        except (OSError, ValueError):
            return None
        if not candidate.is_relative_to(self.uploads) or not candidate.is_file():
            return None
        return candidate

    def find_pictures(self, pictures):
        """The library images the inline pictures of a post, ``[(attachment_id, src), …]``, were imported as (None
        for each that was not), looked up together."""
        wanted = [(attachment_id, self._upload_key(src)) for attachment_id, src in pictures]
        keys = {attachment_id for attachment_id, path in wanted if attachment_id and path is not None}
        paths = {path for _attachment_id, path in wanted if path}
        if not keys and not paths:
            return [None] * len(pictures)
        records = list(
            ImportedItem.objects.filter(site=self.site, kind=Kind.ATTACHMENT, image__isnull=False)
            .filter(Q(key__in=keys) | Q(path__in=paths))
            .select_related("image")
            .order_by("key")
        )
        # The first record by key, as the ID or the file may each name one.
        return [
            next((r.image for r in records if (key and r.key == key) or (path and r.path == path)), None)
            if path is not None
            else None
            for key, path in wanted
        ]

    def _upload_key(self, src):
        """The uploaded file an inline picture shows ("" if its address names none), or None if it is another site's
        picture, even one under a wp-content/uploads of its own."""
        parts = urlsplit(src or "")
        host = parts.netloc.lower().removeprefix("www.")
        if host and host != self.host and not (host in PHOTON_HOSTS and parts.path.lower().startswith(f"/{self.host}")):
            return None
        return content.upload_key(content.uploaded_file(src))

    # ---- pass 3: posts

    def post(self, item, imported):
        if item.status not in STATUS:
            reason = NOT_IMPORTED.get(item.status) or f"posts with the status “{item.status or '?'}”"
            self.report.skipped[reason] += 1
            if item.status in ("private", "trash"):
                self.report.note(item.label, f"not imported: {reason}")
            return
        if not item.post_id:
            raise ItemFailed("it has no post ID (wp:post_id), so it could not be told apart on a second run")
        headline = content.plain_text(item.title)
        if not headline:
            raise ItemFailed("it has no title; give it one in WordPress and export again, or add the story by hand")
        if len(headline) > 300:
            self.report.note(item.label, "title longer than 300 characters: shortened")
            headline = content.plain_text(item.title, 300)
        status = STATUS[item.status]
        published_at = _when(item.post_date_gmt, item.post_date)
        if status == Article.Status.PUBLISHED and published_at is None:
            raise ItemFailed("it is published but has no publication date (wp:post_date_gmt or wp:post_date)")
        if status != Article.Status.PUBLISHED:
            published_at = None

        authors = self._bylines_of(item)
        categories = self._terms_of(item, "category")
        tags = self._terms_of(item, "post_tag")

        converted = content.convert(item.content, find_pictures=self.find_pictures)
        if converted.external:
            self.report.note(item.label, f"{len(converted.external)} picture(s) still shown from another address")
        lead = None
        if item.meta.get("_thumbnail_id"):
            record = (
                ImportedItem.objects.filter(site=self.site, kind=Kind.ATTACHMENT, key=item.meta["_thumbnail_id"][:200])
                .select_related("image")
                .first()
            )
            lead = record.image if record else None
            if lead is None:
                self.report.note(item.label, "its featured image was not imported")

        missing = [
            what
            for what, lacking in (
                ("a body", not strip_tags(converted.body).strip() and not converted.pictures),
                ("a primary category", not categories),
                ("a byline", not authors),
            )
            if lacking
        ]
        if status == Article.Status.PUBLISHED and missing:
            status, published_at = Article.Status.REVIEW, None
            self.report.note(item.label, f"imported for review, not published: it needs {' and '.join(missing)}")

        base = slugify(unquote(item.post_name))[:200] or slugify(headline)[:200] or f"post-{item.post_id}"
        slug = _unique_slug(Article, base, "post")
        if item.post_name and slug != base:
            self.report.note(item.label, f"its slug “{base}” was taken: it is now “{slug}”")

        article = Article.objects.create(
            headline=headline,
            slug=slug,
            dek=content.plain_text(item.excerpt, 1000),
            body=converted.body,
            category=categories[0] if categories else None,
            status=status,
            published_at=published_at,
            featured=item.sticky,
            lead_image=lead,
            created_by=self.import_run.started_by if self.import_run else None,
        )
        # The old site's times, not the moment of the import (auto_now fields are set only by save()). Its modification
        # time of a published post is one readers saw: crawlers and feed readers are given it (Article.modified_at).
        written = _when(item.post_date_gmt, item.post_date) or timezone.now()
        modified = max(_when(item.post_modified_gmt, item.post_modified) or written, written)
        article.created_at, article.updated_at = written, modified
        article.content_modified_at = modified if published_at else None
        Article.objects.filter(pk=article.pk).update(
            created_at=written, updated_at=modified, content_modified_at=article.content_modified_at
        )
        # A new story's related rows, one insert each: .set() and tags.add() would first read what the story already
        # has, and a new story has nothing (nothing in this project listens to their m2m_changed).
        secondary = sorted(categories[1:], key=lambda c: (c.nav_order, c.name))  # as Category.Meta orders them
        Article.secondary_categories.through.objects.bulk_create(
            [Article.secondary_categories.through(article=article, category=category) for category in secondary]
        )
        bylines = [
            Byline.objects.create(article=article, author=author, role="By", order=order)
            for order, author in enumerate(authors)
        ]
        tagged = TaggedItem.objects.bulk_create([TaggedItem(content_object=article, tag=tag) for tag in tags])
        Transition.objects.create(
            article=article,
            from_status=status,
            to_status=status,
            comment=f"Imported from {self.site} (WordPress post {item.post_id}, status “{item.status}”).",
        )
        # The first revision records the story with its bylines and tags (as the admin's saves do): reversion follows
        # the relations it was registered with, and reads them back unless the story holds them already, as a
        # prefetch leaves them. These are the rows just written, with what they name, so it reads nothing.
        if all(row.pk for row in tagged):  # bulk inserts return their ids on PostgreSQL and SQLite 3.35+
            _hold(article, secondary_categories=secondary, bylines=bylines, tagged_items=tagged)
        # Already inside the post's own transaction: no savepoint of its own.
        with reversion.create_revision(manage_manually=True, atomic=False):
            reversion.add_to_revision(article)
            reversion.set_comment(f"Imported from {self.site}.")
            if self.import_run and self.import_run.started_by_id:
                reversion.set_user(self.import_run.started_by)
        self.report.count(Kind.POST, "created")
        self._remember(
            Kind.POST,
            item.post_id,
            name=headline,
            addresses=self._post_addresses(item),
            article=article,
        )
        imported.add(item.post_id[:200])

    def _bylines_of(self, item):
        """The post's authors, as readers saw them: its co-authors where a plugin kept them (Co-Authors Plus: terms
        of the ``author`` taxonomy named by login), the post's own author first; else the post's author."""
        logins = [name or slug.removeprefix("cap-") for kind, slug, name in item.terms if kind == COAUTHORS]
        if not logins:
            logins = [item.creator] if item.creator else []
        # The export lists a post's terms by name: the order of the bylines is not in it, beyond who wrote the post.
        logins.sort(key=lambda login: login != item.creator)
        authors = []
        for login in logins:
            # Known, a guest author, or named by the post only (a partial export, by author or date, lists no authors).
            author = self.author(self.guest_authors.get(login) or wxr.WpAuthor(login=login))
            if author is not None and author not in authors:
                authors.append(author)
        return authors

    def _terms_of(self, item, taxonomy):
        found = (self._term_for(taxonomy, slug, name) for kind, slug, name in item.terms if kind == taxonomy)
        return list(dict.fromkeys(term for term in found if term is not None))

    def _term_for(self, taxonomy, slug, name):
        known = self.categories if taxonomy == "category" else self.tags
        if slug in known:
            return known[slug]
        if not slug:
            return None
        # Named by the post only: a partial export (by author or date) lists no terms of its own.
        term = wxr.WpTerm(taxonomy=taxonomy, slug=slug, name=name)
        return self.category(term) if taxonomy == "category" else self.tag(term)

    def _post_addresses(self, item):
        """The addresses a post answered at: its permalink as exported, ``/?p=ID`` and WordPress's common
        permalink shapes (by day, by month, by name alone, numeric)."""
        addresses = [f"{self.prefix}/?p={item.post_id}", f"{self.prefix}/archives/{item.post_id}"]
        for url in (item.link, item.guid):
            parts = urlsplit(url)
            if parts.netloc.lower().removeprefix("www.") == self.host:
                query = f"?{parts.query}" if parts.query.startswith("p=") else ""
                addresses.append(unquote(parts.path) + query)
        name = unquote(item.post_name)
        written = wxr.local_time(item.post_date)  # permalinks carry the old site's own date
        if name and item.status in ("publish", "future"):
            addresses.append(f"{self.prefix}/{name}/")
            if written:
                addresses.append(f"{self.prefix}/{written:%Y/%m/%d}/{name}/")
                addresses.append(f"{self.prefix}/{written:%Y/%m}/{name}/")
        return addresses


def _hold(instance, **related):
    """Make ``instance.<name>.all()`` answer with the given rows and no query, as ``prefetch_related`` leaves it (this
    is how Django's prefetch fills its cache): for rows this process has just written, so it knows them all."""
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, rows in related.items():
        queryset = getattr(instance, name).get_queryset()  # not evaluated: no query
        queryset._result_cache = list(rows)
        queryset._prefetch_done = True
        cache[name] = queryset


def _guest_author(item):
    """A Co-Authors Plus guest author: a byline kept as an item of its own, with no account on the old site."""
    meta = item.meta
    return wxr.WpAuthor(
        login=meta.get("cap-user_login", "") or unquote(item.post_name),
        display_name=meta.get("cap-display_name", "") or content.plain_text(item.title),
        first_name=meta.get("cap-first_name", ""),
        last_name=meta.get("cap-last_name", ""),
    )


def _ancestors(term, by_slug):
    """The category's parents, nearest first (stopping at a loop or a parent the export does not list)."""
    chain, seen = [], {term.slug}
    parent = by_slug.get(term.parent)
    while parent is not None and parent.slug not in seen:
        chain.append(parent)
        seen.add(parent.slug)
        parent = by_slug.get(parent.parent)
    return chain


def _when(gmt_value, local_value):
    """A WXR time as an aware datetime: from the GMT field, else the local one read in this site's time zone."""
    moment = wxr.gmt(gmt_value)
    if moment is not None:
        return moment
    local = wxr.local_time(local_value)
    return timezone.make_aware(local) if local else None


def _unique_slug(model, base, fallback, *, limit=200):
    base = (base or fallback)[:limit].strip("-") or fallback
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        suffix = f"-{n}"
        slug = f"{base[: limit - len(suffix)]}{suffix}"
    return slug


def _unique_name(model, base):
    name, n = base, 1
    while model.objects.filter(name__iexact=name).exists():
        n += 1
        name = f"{base} {n}"
    return name


def run_import(run: ImportRun, export, *, uploads=None, progress=None):
    """Run an ``ImportRun`` on ``export`` (as import_export takes it), keeping its status, progress and report."""
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING, started_at=timezone.now())

    def keep_progress(done, total):
        ImportRun.objects.filter(pk=run.pk).update(done=done, total=total)
        if progress is not None:
            progress(done, total)

    try:
        report = import_export(export, uploads=uploads, run=run, progress=keep_progress)
    except wxr.NotAnExport as refusal:
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportRun.Status.FAILED, message=str(refusal), finished_at=timezone.now()
        )
        return None
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.FINISHED, site=report.site, report=report.as_dict(), finished_at=timezone.now()
    )
    return report
