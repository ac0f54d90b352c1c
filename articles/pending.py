"""Changes to a live story that wait for review (a pending version): what they hold, and how they apply.

A story's content is a plain dict here, as ``PendingVersion`` stores it: the fields in ``CONTENT_FIELDS`` by attribute
name, its secondary sections (``secondary_category_ids``), its tags (names) and its bylines (``[author_id, role,
order]``). Slug and publication time are not part of it: a pending version never moves a story.

Publishing merges three versions, field by field: the live story the changes were made from (``base``), the changes
(``proposed``) and the live story now. A field the changes left as it was keeps the live text, so a quick fix made
to it meanwhile stays; a field both changed takes the reviewed change (the admin shows that before it happens).
"""

from django.apps import apps
from django.utils.text import slugify

from articles.fields import sanitize_body

CONTENT_FIELDS = [
    "headline",
    "dek",
    "body",
    "dateline",
    "category_id",
    "source_id",
    "original_url",
    "canonical_is_original",
    "featured",
    "lead_image_id",
    "lead_image_caption",
    "lead_image_credit",
]
RELATED = ["secondary_category_ids", "tags", "bylines"]
KEYS = [*CONTENT_FIELDS, *RELATED]


def normalised(content):
    """The content in one comparable shape: sanitised body, sorted lists, bylines as lists in order."""
    clean = {name: content.get(name) for name in CONTENT_FIELDS}
    for name in ("headline", "dek", "dateline", "original_url", "lead_image_caption", "lead_image_credit"):
        clean[name] = clean[name] or ""
    clean["body"] = sanitize_body(clean["body"] or "")
    clean["canonical_is_original"] = bool(clean["canonical_is_original"])
    clean["featured"] = bool(clean["featured"])
    clean["secondary_category_ids"] = sorted({int(pk) for pk in content.get("secondary_category_ids") or ()})
    clean["tags"] = sorted({str(name) for name in content.get("tags") or ()}, key=str.casefold)
    bylines = [[int(author_id), str(role), int(order)] for author_id, role, order in content.get("bylines") or ()]
    clean["bylines"] = sorted(bylines, key=lambda byline: (byline[2], byline[0]))
    return clean


def live_content(article):
    """The story as it is in the database now."""
    Byline = apps.get_model("articles", "Byline")
    fields = {name: getattr(article, name) for name in CONTENT_FIELDS}
    fields["secondary_category_ids"] = list(article.secondary_categories.values_list("pk", flat=True))
    fields["tags"] = list(article.tags.names())
    fields["bylines"] = list(Byline.objects.filter(article=article).values_list("author_id", "role", "order"))
    return normalised(fields)


def content_from_form(cleaned_data, bylines):
    """The content an edit form describes: its cleaned data and the bylines [(author, role, order)] of its inline."""
    fields = {}
    for name in CONTENT_FIELDS:
        field = name.removesuffix("_id")
        value = cleaned_data.get(field)
        fields[name] = getattr(value, "pk", value) if name.endswith("_id") else value
    fields["secondary_category_ids"] = [c.pk for c in cleaned_data.get("secondary_categories") or ()]
    fields["tags"] = list(cleaned_data.get("tags") or ())
    fields["bylines"] = [(getattr(author, "pk", author), role, order) for author, role, order in bylines]
    return normalised(fields)


def changed(old, new):
    """The keys whose values differ."""
    return [key for key in KEYS if old.get(key) != new.get(key)]


def merge(*, base, proposed, live):
    """What publishing the changes makes of the story now (see the module's docstring)."""
    return {key: proposed[key] if proposed.get(key) != base.get(key) else live.get(key) for key in KEYS}


def write(article, content):
    """Put ``content`` into the article: its fields in memory (the caller saves them), filing, tags and bylines in the
    database."""
    Byline = apps.get_model("articles", "Byline")
    Author = apps.get_model("articles", "Author")
    for name in CONTENT_FIELDS:
        setattr(article, name, content[name])
    article.secondary_categories.set(content["secondary_category_ids"])
    article.tags.set(content["tags"])
    authors = Author.objects.in_bulk({author_id for author_id, _role, _order in content["bylines"]})
    Byline.objects.filter(article=article).delete()
    Byline.objects.bulk_create(
        Byline(article=article, author=authors[author_id], role=role, order=order)
        for author_id, role, order in content["bylines"]
        if author_id in authors
    )


def show(article, content):
    """Dress ``article`` as ``content`` would make it, for a preview only: nothing of it may be saved."""
    Byline = apps.get_model("articles", "Byline")
    Author = apps.get_model("articles", "Author")
    Category = apps.get_model("articles", "Category")
    Tag = apps.get_model("taggit", "Tag")
    for name in CONTENT_FIELDS:
        setattr(article, name, content[name])
    for relation in ("category", "source", "lead_image"):
        article._state.fields_cache.pop(relation, None)
    authors = Author.objects.in_bulk({author_id for author_id, _role, _order in content["bylines"]})
    known = {tag.name.casefold(): tag for tag in Tag.objects.filter(name__in=content["tags"])}
    article._prefetched_objects_cache = {
        **getattr(article, "_prefetched_objects_cache", {}),
        "bylines": [
            Byline(article=article, author=authors[a], role=role, order=order)
            for a, role, order in content["bylines"]
            if a in authors
        ],
        "tags": [known.get(name.casefold()) or Tag(name=name, slug=slugify(name)) for name in content["tags"]],
        "secondary_categories": list(Category.objects.filter(pk__in=content["secondary_category_ids"])),
    }
    return article
