"""Uploaded pictures served from the local media folder (newsroom/media.py), with debug off as in production; the same
under gunicorn is in test_production_server.py."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


@pytest.fixture
def media(settings):
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    return settings.MEDIA_ROOT


def test_a_library_picture_and_its_renditions_are_served(client, make_image):
    image = make_image()
    webp = image.renditions["card"]["WEBP"][0][2]
    for name, content_type in [(image.file.name, "image/jpeg"), (webp, "image/webp")]:
        response = client.get(f"/media/{name}")
        assert response.status_code == 200, name
        assert response["Content-Type"] == content_type
        assert response["Cache-Control"] == "public, max-age=31536000, immutable"
        with open(image.file.storage.path(name), "rb") as fp:
            assert b"".join(response.streaming_content) == fp.read()
        assert "Set-Cookie" not in response and not response.cookies


def test_head_and_conditional_requests(client, make_image):
    url = f"/media/{make_image().file.name}"
    full = client.get(url)
    head = client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head["Content-Length"] == full["Content-Length"] and head["ETag"] == full["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=full["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=full["Last-Modified"]).status_code == 304
    assert client.post(url).status_code == 405


def test_files_outside_the_folder_or_of_other_kinds_are_not_served(client, media, tmp_path):
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(b"\xff\xd8 outside")
    (media / "link.jpg").symlink_to(secret)
    (media / "page.html").write_text("<script>alert(1)</script>")
    (media / "drawing.svg").write_text("<svg onload='alert(1)'/>")
    (media / "folder.jpg").mkdir()
    for path in ["link.jpg", "page.html", "drawing.svg", "folder.jpg", "folder.jpg/", "..%2Fsecret.jpg", ""]:
        response = client.get(f"/media/{path}")
        assert response.status_code == 404, path
        assert b"outside" not in response.content and b"alert" not in response.content


@pytest.mark.parametrize("alias", ["originals", "imports"])
def test_private_storages_are_never_served_even_inside_the_media_folder(client, media, settings, alias):
    private = media / alias
    private.mkdir()
    (private / "upload.jpg").write_bytes(b"\xff\xd8 with GPS")
    settings.STORAGES = {
        **settings.STORAGES,
        alias: {**settings.STORAGES[alias], "OPTIONS": {"location": str(private)}},
    }
    assert client.get(f"/media/{alias}/upload.jpg").status_code == 404


def test_other_storages_are_left_to_their_own_server(client, media, settings):
    (media / "kept.jpg").write_bytes(b"\xff\xd8")
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    response = client.get("/media/kept.jpg")
    assert response.status_code == 404
    assert response.get("Cache-Control") != "public, max-age=31536000, immutable"
