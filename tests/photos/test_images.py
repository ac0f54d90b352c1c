import io
import struct
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from PIL import ExifTags, ImageDraw
from PIL import Image as PILImage

from photos.images import crop_box, inspect_upload
from photos.models import Image
from photos.services import add_image
from tests.conftest import picture_bytes

pytestmark = pytest.mark.django_db


def png_header_bomb(width, height):
    """A valid-looking PNG that claims to be width × height pixels: a few dozen bytes, never decodable in full."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def noisy_jpeg(size=(800, 600)):
    def draw(im):
        im.putdata([((x * 7) % 256, (y * 13) % 256, (x * y) % 256) for y in range(size[1]) for x in range(size[0])])

    return picture_bytes(fmt="JPEG", size=size, draw=draw, quality=95)


def refused(make_upload, **upload):
    with pytest.raises(ValidationError) as caught:
        add_image(upload=make_upload(**upload), alt_text="A test picture")
    assert Image.objects.count() == 0
    return caught.value.messages[0]


def test_a_png_named_jpg_is_refused(make_upload):
    message = refused(make_upload, name="photo.jpg", fmt="PNG")
    assert message == (
        "This file is a PNG image but its name ends in “.jpg”. Rename it to end in .png and upload it again."
    )


def test_a_text_file_named_png_is_refused(make_upload):
    message = refused(make_upload, name="notes.png", content=b"Meeting notes, not a picture.\n" * 20)
    assert message == "This file is not a JPEG, PNG, WebP or GIF image (whatever its name says), so it cannot be used."


def test_a_truncated_jpeg_is_refused(make_upload):
    whole = noisy_jpeg()
    message = refused(make_upload, name="cut.jpg", content=whole[: len(whole) // 2])
    assert message.startswith("The image file is damaged or incomplete (truncated or corrupt).")


def gif_header_bomb(width, height):
    screen = struct.pack("<HH", width, height) + b"\x00\x00\x00"
    frame = b"," + struct.pack("<HHHH", 0, 0, width, height) + b"\x00\x02\x02\x44\x01\x00"
    return b"GIF89a" + screen + frame + b";"


def jpeg_header_bomb(width, height):
    frame = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x01\x11\x00\x02\x11\x01\x03\x11\x01"
    scan = b"\xff\xda" + struct.pack(">H", 12) + b"\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00"
    return b"\xff\xd8" + frame + scan + b"\x00" * 16 + b"\xff\xd9"


@pytest.mark.parametrize(
    ("name", "make_bomb"),
    [("bomb.png", png_header_bomb), ("bomb.gif", gif_header_bomb), ("bomb.jpg", jpeg_header_bomb)],
)
def test_a_30000_by_30000_pixel_bomb_is_refused_without_decoding_it(make_upload, name, make_bomb):
    bomb = make_bomb(30_000, 30_000)
    assert len(bomb) < 200
    message = refused(make_upload, name=name, content=bomb)
    assert message == (
        "The image is 30,000 × 30,000 pixels (900 megapixels); the limit is 50 megapixels. "
        "Resize it and upload it again."
    )


def test_pixel_limit_comes_from_the_setting(make_upload, settings):
    settings.NEWSROOM_IMAGE_MAX_PIXELS = 1_000_000
    message = refused(make_upload, name="big.jpg", size=(1200, 900))
    assert message.startswith("The image is 1,200 × 900 pixels (1.1 megapixels); the limit is 1 megapixels.")


def test_an_oversized_file_is_refused(make_upload, settings):
    settings.NEWSROOM_IMAGE_MAX_BYTES = 100_000
    message = refused(make_upload, name="heavy.jpg", content=noisy_jpeg((1000, 800)))
    assert message.endswith("; the limit is 0.1 MB. Export a smaller JPEG and upload that.")
    assert message.startswith("The file is ")


def test_default_limits_are_20_megabytes_and_50_megapixels(settings):
    assert settings.NEWSROOM_IMAGE_MAX_BYTES == 20 * 1024 * 1024
    assert settings.NEWSROOM_IMAGE_MAX_PIXELS == 50_000_000


def test_an_svg_is_refused_even_named_png(make_upload):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>'
    assert refused(make_upload, name="logo.png", content=svg).startswith("This file is not a JPEG, PNG, WebP or GIF")


def test_a_corrupt_png_is_refused(make_upload):
    whole = picture_bytes(fmt="PNG", size=(200, 200))
    broken = whole[:60] + bytes(b ^ 0xFF for b in whole[60:90]) + whole[90:]
    assert refused(make_upload, name="broken.png", content=broken).startswith("The image file is damaged")


def test_an_empty_file_is_refused(make_upload):
    assert refused(make_upload, name="empty.jpg", content=b"") == "The file is empty."


@pytest.mark.parametrize(
    ("name", "fmt"), [("a.jpg", "JPEG"), ("a.JPEG", "JPEG"), ("a.png", "PNG"), ("a.webp", "WEBP"), ("a.gif", "GIF")]
)
def test_each_accepted_format_is_recognised_from_its_bytes(make_upload, name, fmt):
    info = inspect_upload(make_upload(name=name, fmt=fmt, size=(64, 48)))
    assert (info.format, info.width, info.height) == (fmt, 64, 48)


def test_nothing_is_stored_when_an_upload_is_refused(make_upload, settings, tmp_path):
    refused(make_upload, name="notes.png", content=b"not an image")
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def gps_exif(orientation=None):
    exif = PILImage.Exif()
    exif[ExifTags.Base.Make] = "Newsroom Camera"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (35.0, 55.0, 48.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (36.0, 38.0, 2.0),
    }
    return exif


def test_gps_position_is_stripped_from_every_served_file(make_image, make_upload, settings):
    upload = make_upload(name="idlib.jpg", size=(1600, 1000), exif=gps_exif())
    with PILImage.open(io.BytesIO(upload.read())) as sent:
        assert sent.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test file really carries a position
    upload.seek(0)
    image = make_image(upload=upload)

    served = [image.file.path] + [
        settings.MEDIA_ROOT / name
        for specs in image.renditions.values()
        for rows in specs.values()
        for *_, name in rows
    ]
    assert len(served) > 10
    for path in served:
        data = Path(path).read_bytes()
        assert b"Exif" not in data and b"Newsroom Camera" not in data, path
        with PILImage.open(path) as im:
            assert not im.getexif(), path
            assert "icc_profile" not in im.info and "xmp" not in im.info, path


def test_the_original_is_kept_privately_as_uploaded(make_image, make_upload, settings):
    content = picture_bytes(size=(800, 500), exif=gps_exif())
    image = make_image(upload=make_upload(name="as-sent.jpg", content=content))
    with image.original.open("rb") as fp:
        assert fp.read() == content
    assert not str(image.original.path).startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError, match="private"):
        image.original.url  # noqa: B018


def test_exif_orientation_is_applied(make_image, make_upload):
    def halves(im):
        ImageDraw.Draw(im).rectangle((0, 0, im.width // 2, im.height), fill=(220, 20, 20))

    # Stored 400 wide and 200 high, red on the left; orientation 6 says "turn 90° clockwise to view".
    upload = make_upload(name="turned.jpg", size=(400, 200), color=(20, 20, 220), draw=halves, exif=gps_exif(6))
    image = make_image(upload=upload)
    assert (image.width, image.height) == (200, 400)
    with PILImage.open(image.file.path) as served:
        assert served.size == (200, 400)
        top, bottom = served.convert("RGB").getpixel((100, 50)), served.convert("RGB").getpixel((100, 350))
    assert top[0] > 180 and top[2] < 80  # red now on top
    assert bottom[2] > 180 and bottom[0] < 80


def test_colour_profile_is_converted_and_dropped(make_image, make_upload):
    from PIL import ImageCms

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image = make_image(upload=make_upload(name="tagged.jpg", icc_profile=srgb))
    with PILImage.open(image.file.path) as served:
        assert "icc_profile" not in served.info


def test_a_cmyk_jpeg_is_served_as_rgb(make_image, make_upload):
    from PIL import Image as PILImage

    out = io.BytesIO()
    PILImage.new("CMYK", (300, 200), (0, 255, 255, 0)).save(out, "JPEG")
    image = make_image(upload=make_upload(name="print.jpg", content=out.getvalue()))
    with PILImage.open(image.file.path) as served:
        assert served.mode == "RGB"
        red, green, blue = served.getpixel((150, 100))
    assert red > 180 and green < 80 and blue < 80


def test_an_animated_gif_keeps_its_first_frame(make_image, make_upload):
    frames = [PILImage.new("RGB", (120, 80), color) for color in [(200, 30, 30), (30, 200, 30), (30, 30, 200)]]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    image = make_image(upload=make_upload(name="loop.gif", content=out.getvalue()))
    assert image.format == "GIF"
    with PILImage.open(image.file.path) as served:
        assert served.format == "PNG"
        assert getattr(served, "n_frames", 1) == 1
        red, green, _blue = served.convert("RGB").getpixel((60, 40))
    assert red > 150 and green < 80


def test_a_transparent_png_stays_transparent_when_served(make_image, make_upload):
    image = make_image(upload=make_upload(name="logo.png", fmt="PNG", alpha=True, color=(0, 0, 0, 0)))
    with PILImage.open(image.file.path) as served:
        assert served.mode == "RGBA"
        assert served.getpixel((5, 5))[3] == 0


@given(
    width=st.integers(1, 6000),
    height=st.integers(1, 6000),
    ratio=st.sampled_from([16 / 9, 1.0, 1200 / 630, 3 / 4, None]),
    fx=st.floats(0, 1),
    fy=st.floats(0, 1),
)
def test_a_focal_crop_lies_inside_the_image_and_keeps_the_focal_point(width, height, ratio, fx, fy):
    left, top, right, bottom = crop_box(width, height, ratio, fx, fy)
    assert 0 <= left < right <= width and 0 <= top < bottom <= height
    assert left - 1 <= fx * width <= right + 1 and top - 1 <= fy * height <= bottom + 1
    if ratio and min(width, height) > 50:
        assert abs((right - left) / (bottom - top) - ratio) < 0.05 * ratio
    if ratio:
        assert (right - left) == width or (bottom - top) == height  # the largest such box


@pytest.mark.parametrize(("fields", "field"), [({"alt_text": ""}, "alt_text"), ({"focal_x": 1.5}, "focal_x")])
def test_an_image_needs_alt_text_and_a_focal_point_inside_it(make_upload, fields, field):
    with pytest.raises(ValidationError) as caught:
        add_image(upload=make_upload(), **{"alt_text": "A test picture", **fields})
    assert field in caught.value.message_dict
    assert not Image.objects.exists()


def test_originals_are_stored_outside_the_served_media_folder_by_default():
    from pathlib import Path

    from newsroom import settings as project

    originals = Path(project.STORAGES["originals"]["OPTIONS"]["location"]).resolve()
    media = Path(project.MEDIA_ROOT).resolve()
    assert media not in originals.parents and originals != media
    assert project.STORAGES["originals"]["BACKEND"] == "photos.storage.PrivateFileSystemStorage"
