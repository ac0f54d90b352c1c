"""Checking uploads and preparing the served copy of an image, with Pillow.

An upload is trusted only after `inspect_upload` has read its header with Pillow (never its name or
declared content type), compared its size and pixel count with the limits, and decoded its first frame
fully. `prepare_served_copy` then turns it into the file the public sees: EXIF orientation applied,
colours converted to sRGB, every byte of metadata (EXIF, GPS, XMP, comments, profiles) left behind.
"""

import io
import struct
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image as PILImage
from PIL import ImageCms, ImageOps, UnidentifiedImageError

# The formats a browser shows everywhere; Pillow is never asked to parse anything else.
FORMATS = {
    "JPEG": {"label": "JPEG", "extensions": {".jpg", ".jpeg", ".jpe"}, "served_as": "JPEG"},
    "PNG": {"label": "PNG", "extensions": {".png"}, "served_as": "PNG"},
    "WEBP": {"label": "WebP", "extensions": {".webp"}, "served_as": "WEBP"},
    # Only the first frame of an animation is kept, so a GIF is served as a still PNG.
    "GIF": {"label": "GIF", "extensions": {".gif"}, "served_as": "PNG"},
}
EXTENSION_FOR = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}

# The served copy is what a page falls back to before its renditions exist, so it is kept to a size a
# browser can scale; the largest rendition is narrower than this.
SERVED_MAX_SIDE = 2560

# What Pillow raises on damaged input: it has no single exception for it.
DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error)

SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@dataclass(frozen=True)
class UploadInfo:
    format: str  # "JPEG", "PNG", "WEBP" or "GIF": what the bytes are, whatever the name says
    width: int  # as stored in the file, before EXIF orientation
    height: int


def megabytes(size):
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def megapixels(pixels):
    return f"{pixels / 1_000_000:.1f}".removesuffix(".0")


def inspect_upload(upload, *, max_bytes=None, max_pixels=None):
    """Check an uploaded file is a whole JPEG, PNG, WebP or GIF within the limits; raise ValidationError if not.

    Size and pixel count are checked from the header before anything is decoded, so a decompression bomb
    costs a few hundred bytes of reading. Only then is the first frame decoded, to catch truncated files.
    """
    max_bytes = settings.NEWSROOM_IMAGE_MAX_BYTES if max_bytes is None else max_bytes
    max_pixels = settings.NEWSROOM_IMAGE_MAX_PIXELS if max_pixels is None else max_pixels
    formats = "a JPEG, PNG, WebP or GIF image"

    size = upload.size
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size > max_bytes:
        raise ValidationError(
            f"The file is {megabytes(size)} MB; the limit is {megabytes(max_bytes)} MB. "
            "Export a smaller JPEG and upload that.",
            code="too_large",
        )
    if size == 0:
        raise ValidationError("The file is empty.", code="empty")

    upload.seek(0)
    try:
        with PILImage.open(upload, formats=list(FORMATS)) as im:
            real_format, (width, height) = im.format, im.size
    except PILImage.DecompressionBombError:
        raise _too_many_pixels(_header_size(upload), max_pixels) from None
    except UnidentifiedImageError:
        raise ValidationError(
            f"This file is not {formats} (whatever its name says), so it cannot be used.", code="not_an_image"
        ) from None
    except DECODE_ERRORS:
        raise _damaged() from None

    if width * height > max_pixels:
        raise _too_many_pixels((width, height), max_pixels)

    extension = PurePath(upload.name or "").suffix.lower()
    label = FORMATS[real_format]["label"]
    if extension not in FORMATS[real_format]["extensions"]:
        expected = sorted(FORMATS[real_format]["extensions"])[0] if real_format != "JPEG" else ".jpg"
        raise ValidationError(
            f"This file is a {label} image but its name ends in “{extension or '(nothing)'}”. "
            f"Rename it to end in {expected} and upload it again.",
            code="wrong_extension",
        )

    try:
        upload.seek(0)
        with PILImage.open(upload, formats=[real_format]) as im:
            im.verify()
        upload.seek(0)
        with PILImage.open(upload, formats=[real_format]) as im:
            im.seek(0)
            im.load()
    except PILImage.DecompressionBombError:
        raise _too_many_pixels((width, height), max_pixels) from None
    except DECODE_ERRORS:
        raise _damaged() from None
    finally:
        upload.seek(0)
    return UploadInfo(format=real_format, width=width, height=height)


def _header_size(upload):
    """The size a file claims in its header, read by the format's parser without Pillow's bomb check (which
    refuses such files before saying how big they are), or None."""
    upload.seek(0)
    prefix = upload.read(16)
    for fmt in FORMATS:
        factory, accept = PILImage.OPEN[fmt]
        if accept is not None and not accept(prefix):
            continue
        upload.seek(0)
        try:
            with factory(upload) as im:
                return im.size
        except DECODE_ERRORS:
            continue
        finally:
            upload.seek(0)
    return None


def _too_many_pixels(size, max_pixels):
    if size is None:
        detail = "The image has far more pixels than allowed"
    else:
        detail = f"The image is {size[0]:,} × {size[1]:,} pixels ({megapixels(size[0] * size[1])} megapixels)"
    return ValidationError(
        f"{detail}; the limit is {megapixels(max_pixels)} megapixels. Resize it and upload it again.",
        code="too_many_pixels",
    )


def _damaged():
    return ValidationError(
        "The image file is damaged or incomplete (truncated or corrupt). Export it again and upload the new file.",
        code="damaged",
    )


@dataclass(frozen=True)
class ServedCopy:
    file: ContentFile
    format: str  # the format of the served copy: JPEG, PNG or WEBP
    width: int  # after orientation and any downscaling
    height: int


def open_first_frame(fp):
    """The first frame, decoded, upright, in sRGB, as RGB or RGBA, with no metadata attached."""
    with PILImage.open(fp, formats=list(FORMATS)) as im:
        im.seek(0)
        im.load()
        upright = ImageOps.exif_transpose(im) or im
        icc = im.info.get("icc_profile")
        has_alpha = upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info)
        mode = "RGBA" if has_alpha else "RGB"
        pixels = _to_srgb(upright, icc, mode)
    clean = PILImage.new(mode, pixels.size)
    clean.paste(pixels)
    return clean


def _to_srgb(im, icc, mode):
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            working = im if im.mode in ("RGB", "RGBA", "CMYK", "L") else im.convert(mode)
            if working.mode == "RGBA" or mode == "RGBA":
                alpha = working.convert("RGBA").getchannel("A")
                rgb = ImageCms.profileToProfile(working.convert("RGB"), source, SRGB, outputMode="RGB")
                rgb.putalpha(alpha)
                return rgb
            return ImageCms.profileToProfile(working, source, SRGB, outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken or unusual profile: the pixels are still usable as they are
    return im.convert(mode)


def encode(im, fmt, **options):
    """Encode without metadata: Pillow writes EXIF, XMP or a profile only when asked to."""
    out = io.BytesIO()
    if fmt == "JPEG":
        if im.mode != "RGB":
            im = flatten(im)
        im.save(out, "JPEG", quality=options.get("quality", 85), optimize=True, progressive=True)
    elif fmt == "WEBP":
        im.save(out, "WEBP", quality=options.get("quality", 80), method=4)
    else:
        im.save(out, "PNG", optimize=True)
    return out.getvalue()


def flatten(im, background=(255, 255, 255)):
    """An RGBA image on a white ground, for formats without transparency."""
    if im.mode == "RGB":
        return im
    ground = PILImage.new("RGB", im.size, background)
    ground.paste(im, mask=im.convert("RGBA").getchannel("A"))
    return ground


def prepare_served_copy(upload, info):
    """The public copy of an upload: upright, sRGB, without metadata, at most SERVED_MAX_SIDE pixels on a side."""
    upload.seek(0)
    im = open_first_frame(upload)
    upload.seek(0)
    im.thumbnail((SERVED_MAX_SIDE, SERVED_MAX_SIDE), PILImage.Resampling.LANCZOS)
    served_as = FORMATS[info.format]["served_as"]
    if served_as == "JPEG" and im.mode == "RGBA":
        served_as = "PNG"  # an alpha channel in a JPEG file (CMYK with mask) is kept by serving PNG
    data = encode(im, served_as, quality=88)
    return ServedCopy(file=ContentFile(data), format=served_as, width=im.width, height=im.height)


def crop_box(width, height, ratio, focal_x=0.5, focal_y=0.5):
    """The largest box of the given width/height ratio inside the image, centred on the focal point as far as
    the edges allow, as (left, top, right, bottom). ``ratio=None`` keeps the whole image."""
    if ratio is None:
        return (0, 0, width, height)
    if width / height > ratio:
        crop_w, crop_h = max(1, min(width, round(height * ratio))), height
    else:
        crop_w, crop_h = width, max(1, min(height, round(width / ratio)))
    left = min(max(round(focal_x * width - crop_w / 2), 0), width - crop_w)
    top = min(max(round(focal_y * height - crop_h / 2), 0), height - crop_h)
    return (left, top, left + crop_w, top + crop_h)


# Author portraits are shown small and square (the author page, JSON-LD); this is ample for a 2x screen.
PORTRAIT_SIDE = 600


def prepare_portrait(upload, info):
    """An author's photo as the public sees it: the served copy's cleaning (upright, sRGB, no metadata, nothing
    but the decoded pixels re-encoded), cropped to a square around the centre, at most PORTRAIT_SIDE pixels."""
    upload.seek(0)
    im = open_first_frame(upload)
    upload.seek(0)
    im = im.crop(crop_box(im.width, im.height, 1.0))
    im.thumbnail((PORTRAIT_SIDE, PORTRAIT_SIDE), PILImage.Resampling.LANCZOS)
    served_as = FORMATS[info.format]["served_as"]
    if served_as == "JPEG" and im.mode == "RGBA":
        served_as = "PNG"
    return ServedCopy(
        file=ContentFile(encode(im, served_as, quality=88)), format=served_as, width=im.width, height=im.height
    )
