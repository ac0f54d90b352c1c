"""The named renditions of an image, how the task makes them, and how pages choose among the ones that exist.

Renditions are made only by `articles.tasks.make_renditions`, from the served copy (already upright, sRGB
and stripped), cropped around the focal point. Each set belongs to one `Image.version`; a new focal point
or file bumps the version, the task makes the new set and swaps it in, and the old files are deleted.
Pages read the set recorded on the image row (`Image.renditions`), so they cost no extra query and never
touch Pillow: until a set exists they show the served copy, scaled by the browser.
"""

import logging
from dataclasses import dataclass
from typing import NamedTuple

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image as PILImage

from photos.images import crop_box, encode, open_first_frame

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Spec:
    name: str
    ratio: float | None  # width / height; None keeps the image's own shape
    widths: tuple[int, ...]
    formats: tuple[str, ...] = ("WEBP", "JPEG")  # the first is preferred; the last is the <img> fallback
    sizes: str = "100vw"  # the default `sizes` attribute for this slot


SPECS = {
    spec.name: spec
    for spec in [
        Spec("card", 16 / 9, (320, 480, 640, 960, 1280), sizes="(min-width: 60rem) 30rem, 100vw"),
        Spec("thumbnail", 1.0, (160, 320), sizes="10rem"),
        Spec("social", 1200 / 630, (1200,), formats=("JPEG",), sizes="1200px"),
        # With card's largest (16:9), the three shapes search engines ask for in an article's structured data.
        Spec("4x3", 4 / 3, (1200,), formats=("JPEG",), sizes="1200px"),
        Spec("1x1", 1.0, (1200,), formats=("JPEG",), sizes="1200px"),
        Spec("article", None, (320, 480, 640, 960, 1280, 1600, 1920), sizes="(min-width: 42rem) 40rem, 100vw"),
    ]
}

MIME_TYPES = {"WEBP": "image/webp", "JPEG": "image/jpeg", "PNG": "image/png"}
QUALITY = {"WEBP": 80, "JPEG": 82}


def target_sizes(spec, width, height, focal_x, focal_y):
    """[(box, (w, h)), …] for a spec: the focal crop, then each width that is not wider than the crop.

    Nothing is enlarged; an image narrower than the smallest width gets one rendition at its own width.
    """
    box = crop_box(width, height, spec.ratio, focal_x, focal_y)
    crop_w, crop_h = box[2] - box[0], box[3] - box[1]
    widths = [w for w in spec.widths if w <= crop_w] or [crop_w]
    ratio = spec.ratio or crop_w / crop_h
    return [(box, (w, max(1, round(w / ratio)))) for w in widths]


def rendition_name(image, spec, fmt, size):
    return f"renditions/{image.pk}/{spec.name}-{size[0]}x{size[1]}-v{image.version}{_extension(fmt)}"


def _extension(fmt):
    return {"WEBP": ".webp", "JPEG": ".jpg", "PNG": ".png"}[fmt]


def render_set(image):
    """Make and store every rendition of the image's current version; return the record for `Image.renditions`.

    Called by the task only. The record maps spec name → format → [[width, height, storage name], …].
    """
    with image.file.open("rb") as fp:
        source = open_first_frame(fp)
    record = {}
    stored = []
    try:
        for spec in SPECS.values():
            by_format = record.setdefault(spec.name, {})
            targets = target_sizes(spec, source.width, source.height, image.focal_x, image.focal_y)
            # Largest first, each made from the one before: as sharp as scaling the crop each time, far cheaper.
            previous = source.crop(targets[0][0])
            made = []
            for _box, size in reversed(targets):
                previous = previous.resize(size, PILImage.Resampling.LANCZOS, reducing_gap=3.0)
                made.append((size, previous))
            for size, resized in reversed(made):
                for fmt in spec.formats:
                    data = encode(resized, fmt, quality=QUALITY[fmt])
                    name = default_storage.save(rendition_name(image, spec, fmt, size), ContentFile(data))
                    stored.append(name)
                    by_format.setdefault(fmt, []).append([size[0], size[1], name])
    except Exception:
        delete_files(stored)
        raise
    return record, stored


def names_in(record):
    return [name for formats in (record or {}).values() for rows in formats.values() for *_, name in rows]


def delete_files(names):
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("Could not delete rendition %s", name, exc_info=True)


def delete_files_on_commit(names):
    names = list(names)
    if names:
        transaction.on_commit(lambda: delete_files(names))


@dataclass(frozen=True)
class PictureSource:
    type: str
    srcset: str


@dataclass(frozen=True)
class Picture:
    """What the `{% picture %}` tag needs: sources in order of preference and the <img> fallback."""

    sources: list[PictureSource]
    src: str
    srcset: str
    width: int
    height: int
    ready: bool  # False while the renditions are being made: the served copy, scaled by the browser


def picture_for(image, spec_name):
    """The responsive sources of one rendition spec of an image, or the served copy while they are not ready."""
    spec = SPECS[spec_name]
    formats = (image.renditions or {}).get(spec.name) if image.renditions_ready else None
    if formats and all(formats.get(fmt) for fmt in spec.formats):
        url = default_storage.url
        srcsets = {fmt: ", ".join(f"{url(name)} {w}w" for w, _h, name in formats[fmt]) for fmt in spec.formats}
        fallback = formats[spec.formats[-1]]
        largest = fallback[-1]
        # The <img> src is the rendition nearest 960 pixels wide, for browsers that ignore srcset.
        middle = min(fallback, key=lambda row: abs(row[0] - 960))
        return Picture(
            sources=[PictureSource(MIME_TYPES[fmt], srcsets[fmt]) for fmt in spec.formats[:-1]],
            src=url(middle[2]),
            srcset=srcsets[spec.formats[-1]],
            width=largest[0],
            height=largest[1],
            ready=True,
        )
    # Not ready: the served copy, with the crop's proportions so the slot does not jump when renditions arrive.
    box = crop_box(image.width, image.height, spec.ratio, image.focal_x, image.focal_y)
    return Picture(
        sources=[],
        src=image.file.url,
        srcset="",
        width=box[2] - box[0],
        height=box[3] - box[1],
        ready=False,
    )


class Rendered(NamedTuple):
    url: str
    width: int
    height: int


def rendition(image, spec_name, fmt="JPEG"):
    """(url, width, height) of the largest ready rendition of a spec in a format, or None."""
    if not image.renditions_ready:
        return None
    rows = (image.renditions or {}).get(spec_name, {}).get(fmt)
    if not rows:
        return None
    width, height, name = rows[-1]
    return Rendered(default_storage.url(name), width, height)


STRUCTURED_DATA_SPECS = ("card", "4x3", "1x1")  # 16:9, 4:3 and 1:1


def structured_data_images(image):
    """[(url, width, height), …] of the 16:9, 4:3 and 1:1 crops for schema.org ``image``, as storage URLs: those
    made so far (none before the task has run, or for renditions made before these specs existed)."""
    return [found for spec in STRUCTURED_DATA_SPECS if (found := rendition(image, spec)) is not None]


def thumbnail_url(image):
    """The small square crop for admin lists and pickers, or the served copy until it exists."""
    rows = (image.renditions or {}).get("thumbnail", {}).get("JPEG") if image.renditions_ready else None
    return default_storage.url(rows[0][2]) if rows else image.file.url
