"""Author photos go through the photo library's checks and cleaning (issue 17 item 3): the Authors admin once
stored a PNG named .jpg, a JPEG with a script appended, a photo carrying its GPS position, an 80-megapixel bomb and
a 30 MB file as they came, in public media, and kept every replaced file."""

import io
import json

import lxml.html
import pytest
from django.core.files.storage import default_storage
from PIL import ExifTags
from PIL import Image as PILImage

from articles.models import Author
from tests.conftest import picture_bytes
from tests.photos.test_images import gps_exif, png_header_bomb

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, make_editor):
    client.force_login(make_editor())
    return client


def stored_files(settings):
    folder = settings.MEDIA_ROOT / "authors"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def post_author(client, capture, photo=None, *, author=None, **fields):
    data = {"name": "Lisa Schlein", "slug": "lisa-schlein", "job_title": "", "bio": "", "user": "", "affiliation": ""}
    data |= fields
    if photo is not None:
        data["photo"] = photo
    url = f"/admin/articles/author/{author.pk}/change/" if author else "/admin/articles/author/add/"
    with capture(execute=True):
        return client.post(url, data)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("lisa.jpg", lambda: picture_bytes(fmt="PNG"), "This file is a PNG image but its name ends in “.jpg”."),
        ("lisa.png", lambda: b"<?php system($_GET['c']); ?>" * 20, "This file is not a JPEG, PNG, WebP or GIF image"),
        ("lisa.png", lambda: png_header_bomb(10_000, 8_000), "The image is 10,000 × 8,000 pixels (80 megapixels)"),
        ("lisa.jpg", lambda: picture_bytes() + b"\0" * (30 * 1024 * 1024), "The file is 30 MB; the limit is 20 MB."),
    ],
    ids=["png-named-jpg", "not-an-image", "80-megapixels", "30-megabytes"],
)
def test_a_bad_photo_is_a_form_error_and_stores_nothing(
    editor_client, make_upload, django_capture_on_commit_callbacks, settings, name, content, message
):
    upload = make_upload(name=name, content=content())
    response = post_author(editor_client, django_capture_on_commit_callbacks, upload)
    assert response.status_code == 200
    errors = lxml.html.fromstring(response.content.decode()).cssselect(".field-photo .errorlist")
    assert message in errors[0].text_content()
    assert not Author.objects.exists()
    assert stored_files(settings) == []


def test_a_photo_is_stored_without_its_metadata_or_anything_appended(
    editor_client, make_upload, django_capture_on_commit_callbacks
):
    polyglot = picture_bytes(size=(900, 600), exif=gps_exif()) + b"<script>alert(document.domain)</script>"
    with PILImage.open(io.BytesIO(polyglot)) as sent:
        assert sent.getexif().get_ifd(ExifTags.IFD.GPSInfo), "the test file really carries a position"
    response = post_author(
        editor_client, django_capture_on_commit_callbacks, make_upload(name="Lisa at home.jpg", content=polyglot)
    )
    assert response.status_code == 302
    author = Author.objects.get()
    stored = default_storage.open(author.photo.name).read()
    assert b"<script" not in stored
    assert b"Exif" not in stored
    with PILImage.open(io.BytesIO(stored)) as served:
        assert served.format == "JPEG"
        assert served.size == (600, 600), "square, and no bigger than the page needs"
        assert not served.getexif()
    assert "Lisa" not in author.photo.name, "the uploaded file's name is not published"


def test_a_replaced_or_cleared_photo_leaves_no_file_behind(
    editor_client, make_upload, django_capture_on_commit_callbacks, settings
):
    post_author(editor_client, django_capture_on_commit_callbacks, make_upload(name="one.jpg"))
    author = Author.objects.get()
    first = author.photo.name
    post_author(
        editor_client, django_capture_on_commit_callbacks, make_upload(name="two.png", fmt="PNG"), author=author
    )
    author.refresh_from_db()
    assert author.photo.name != first and author.photo.name.endswith(".png")
    assert stored_files(settings) == [author.photo.name.split("/")[-1]]

    post_author(editor_client, django_capture_on_commit_callbacks, author=author, **{"photo-clear": "on"})
    author.refresh_from_db()
    assert not author.photo
    assert stored_files(settings) == []


def test_deleting_an_author_deletes_their_photo(
    editor_client, make_upload, django_capture_on_commit_callbacks, settings
):
    post_author(editor_client, django_capture_on_commit_callbacks, make_upload())
    author = Author.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(f"/admin/articles/author/{author.pk}/delete/", {"post": "yes"})
    assert not Author.objects.exists()
    assert stored_files(settings) == []


def test_the_author_page_and_its_structured_data_show_the_clean_photo(
    client, editor_client, make_upload, make_article, django_capture_on_commit_callbacks
):
    post_author(editor_client, django_capture_on_commit_callbacks, make_upload(size=(400, 700)))
    author = Author.objects.get()
    make_article(authors=[author])
    client.logout()
    page = lxml.html.fromstring(client.get(author.get_absolute_url()).content)
    photo = page.cssselect("img.author-photo")[0]
    assert photo.get("src") == author.photo.url
    person = next(
        item
        for script in page.cssselect('script[type="application/ld+json"]')
        for item in [json.loads(script.text)]
        if item.get("@type") == "Person"
    )
    assert person["image"].endswith(author.photo.url)
    assert default_storage.exists(author.photo.name)
