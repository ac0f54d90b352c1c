import os

import lxml.html
import pytest
from django.contrib.auth.models import Permission

from articles.models import Article
from photos.models import Image
from tests.photos.test_images import png_header_bomb

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(make_user):
    user = make_user(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["articles", "photos", "website"]))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def upload_through_admin(client, upload, capture, **fields):
    data = {"alt_text": "Trucks queue at the border", "caption": "", "credit": "", "source": "", **fields}
    with capture(execute=True):
        return client.post("/admin/photos/image/add/", {**data, "original": upload})


def test_editor_uploads_and_describes_a_picture(editor_client, editor, make_upload, django_capture_on_commit_callbacks):
    response = upload_through_admin(
        editor_client,
        make_upload(name="border.jpg", size=(1600, 1000)),
        django_capture_on_commit_callbacks,
        caption="Trucks wait at the Bab al-Hawa crossing.",
        credit="AP Photo/Ghaith Alsayed",
    )
    image = Image.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/photos/image/{image.pk}/change/"
    assert (image.width, image.height, image.format) == (1600, 1000, "JPEG")
    assert image.uploaded_by == editor
    assert image.renditions_ready


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.jpg", "png", "This file is a PNG image but its name ends in “.jpg”."),
        ("notes.png", b"Meeting notes\n" * 50, "This file is not a JPEG, PNG, WebP or GIF image"),
        ("bomb.png", png_header_bomb(30_000, 30_000), "The image is 30,000 × 30,000 pixels (900 megapixels)"),
    ],
)
def test_a_bad_upload_is_a_form_error_and_stores_nothing(
    editor_client, make_upload, django_capture_on_commit_callbacks, name, content, message
):
    upload = make_upload(name=name, fmt="PNG") if content == "png" else make_upload(name=name, content=content)
    response = upload_through_admin(editor_client, upload, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    errors = lxml.html.fromstring(response.content.decode()).cssselect(".field-original .errorlist")
    assert message in errors[0].text_content()
    assert not Image.objects.exists()


def test_an_oversized_upload_is_a_form_error(editor_client, make_upload, django_capture_on_commit_callbacks, settings):
    settings.NEWSROOM_IMAGE_MAX_BYTES = 1000
    response = upload_through_admin(editor_client, make_upload(size=(400, 300)), django_capture_on_commit_callbacks)
    assert "the limit is 0 MB" in response.content.decode() or "the limit is" in response.content.decode()
    assert not Image.objects.exists()


def test_alt_text_is_required(editor_client, make_upload, django_capture_on_commit_callbacks):
    response = upload_through_admin(editor_client, make_upload(), django_capture_on_commit_callbacks, alt_text="")
    assert response.status_code == 200
    assert not Image.objects.exists()


def test_library_lists_thumbnails_and_searches_caption_credit_and_alt(editor_client, make_image):
    make_image(alt_text="Olive groves", caption="Harvest near Idlib", credit="Reuters/Khalil Ashawi")
    make_image(alt_text="Parliament", caption="A vote in Brussels", credit="AP Photo/Virginia Mayo")
    for query, expected in [("Harvest", "Olive groves"), ("Ashawi", "Olive groves"), ("Parliament", "Parliament")]:
        page = lxml.html.fromstring(editor_client.get("/admin/photos/image/", {"q": query}).content)
        rows = page.cssselect("#result_list tbody tr")
        assert len(rows) == 1 and expected in rows[0].text_content()
        assert rows[0].cssselect("img.library-thumb")[0].get("src").endswith(".jpg")


def test_changing_the_focal_point_in_the_admin_remakes_the_crops(
    editor_client, make_image, django_capture_on_commit_callbacks
):
    image = make_image()
    old = dict(image.renditions)
    page = lxml.html.fromstring(editor_client.get(f"/admin/photos/image/{image.pk}/change/").content)
    assert page.cssselect(".focal-picker img")[0].get("src") == image.file.url
    assert page.cssselect('script[src$="photos/admin/focal_point.js"]')
    assert not [s for s in page.cssselect("script") if (s.text or "").strip()]  # no inline scripts

    data = {
        "alt_text": image.alt_text,
        "caption": image.caption,
        "credit": image.credit,
        "source": "",
        "focal_x": "0.2",
        "focal_y": "0.3",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(f"/admin/photos/image/{image.pk}/change/", data)
    assert response.status_code == 302
    image.refresh_from_db()
    assert (image.focal_x, image.focal_y) == (0.2, 0.3)
    assert image.renditions_ready and image.renditions != old


def test_editing_only_the_caption_keeps_the_renditions(editor_client, make_image, django_capture_on_commit_callbacks):
    image = make_image()
    data = {"alt_text": image.alt_text, "caption": "New caption", "credit": "", "source": ""}
    data |= {"focal_x": "0.5", "focal_y": "0.5"}
    with django_capture_on_commit_callbacks(execute=True) as queued:
        editor_client.post(f"/admin/photos/image/{image.pk}/change/", data)
    image.refresh_from_db()
    assert image.caption == "New caption" and image.renditions_ready
    assert not [job for job in queued if "queue_renditions" in job.__qualname__]


def test_a_focal_point_outside_the_picture_is_refused(editor_client, make_image):
    image = make_image()
    data = {"alt_text": "x", "caption": "", "credit": "", "source": "", "focal_x": "1.5", "focal_y": "-1"}
    response = editor_client.post(f"/admin/photos/image/{image.pk}/change/", data)
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 1" in response.content.decode()
    image.refresh_from_db()
    assert (image.focal_x, image.focal_y) == (0.5, 0.5)


def test_editor_picker_lists_and_searches_the_library(editor_client, make_image):
    make_image(alt_text="Olive groves", caption="Harvest near Idlib")
    make_image(alt_text="Parliament", caption="A vote in Brussels")
    page = lxml.html.fromstring(
        editor_client.get("/admin/photos/image/pick/", {"CKEditorFuncNum": "-1", "q": "idlib"}).content
    )
    (choice,) = page.cssselect(".image-choice")
    assert choice.get("data-alt") == "Olive groves" and choice.get("data-caption") == "Harvest near Idlib"
    assert choice.get("data-url").startswith("/media/images/")
    assert page.cssselect(".image-picker")[0].get("data-func-num") == "-1"


def test_picker_needs_a_staff_login(client, make_image):
    response = client.get("/admin/photos/image/pick/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_thumbnail_redirect_follows_the_choice(editor_client, make_image):
    image = make_image()
    response = editor_client.get(f"/admin/photos/image/{image.pk}/thumbnail/")
    assert response.status_code == 302 and "/renditions/" in response["Location"]
    assert editor_client.get("/admin/photos/image/999999/thumbnail/").status_code == 404


def test_article_form_shows_the_lead_image_picker_with_its_thumbnail(editor_client, make_article, make_image):
    article = make_article(lead_image=make_image())
    page = lxml.html.fromstring(editor_client.get(f"/admin/articles/article/{article.pk}/change/").content)
    widget = page.cssselect(".lead-image-widget")[0]
    assert widget.cssselect("img.lead-image-thumb")[0].get("src").endswith(".jpg")
    assert widget.cssselect("a.related-lookup")[0].get("href").startswith("/admin/photos/image/")
    assert page.cssselect("#id_lead_image_caption") and page.cssselect("#id_lead_image_credit")


def test_an_image_leading_an_article_cannot_be_deleted(editor_client, make_article, make_image):
    image = make_image()
    make_article(lead_image=image)
    response = editor_client.post(f"/admin/photos/image/{image.pk}/delete/", {"post": "yes"})
    assert response.status_code == 200
    assert "would require deleting the following protected related objects" in response.content.decode()
    assert Image.objects.filter(pk=image.pk).exists()


def test_deleting_an_unused_image_in_the_admin(editor_client, make_image, django_capture_on_commit_callbacks):
    image = make_image()
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(f"/admin/photos/image/{image.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Image.objects.exists()


def test_body_editor_offers_figures_from_the_library(editor_client):
    html = editor_client.get("/admin/articles/article/add/").content.decode()
    assert "/admin/photos/image/pick/" in html
    assert Article._meta.get_field("body").config["extensions"]["Figure"]


def test_uploading_a_new_file_replaces_the_picture_and_its_files(
    editor_client, make_image, make_upload, django_capture_on_commit_callbacks
):
    image = make_image(upload=make_upload(size=(800, 450)))
    old_files = [image.file.path, image.original.path]
    data = {"alt_text": image.alt_text, "caption": "", "credit": "", "source": "", "focal_x": "0.5", "focal_y": "0.5"}
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            f"/admin/photos/image/{image.pk}/change/",
            {**data, "original": make_upload(name="wider.png", fmt="PNG", size=(1200, 400))},
        )
    assert response.status_code == 302
    image.refresh_from_db()
    assert (image.width, image.height, image.format) == (1200, 400, "PNG")
    assert image.renditions_ready and image.renditions["card"]["JPEG"][-1][:2] == [640, 360]
    assert not any(os.path.exists(path) for path in old_files)


def test_an_image_placed_in_a_body_cannot_be_deleted(editor_client, make_article, make_image):
    image = make_image()
    make_article(
        headline="Convoy story", body=f'<figure class="figure"><img src="/x.jpg" data-file="{image.pk}"></figure>'
    )
    make_article(
        headline="Other story", body=f'<figure class="figure"><img src="/x.jpg" data-file="{image.pk}0"></figure>'
    )
    response = editor_client.post(f"/admin/photos/image/{image.pk}/delete/", {"post": "yes"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Convoy story</a> (in the body)" in html and "Other story" not in html
    assert Image.objects.filter(pk=image.pk).exists()
