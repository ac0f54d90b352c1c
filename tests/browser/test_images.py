import contextlib

import pytest
from playwright.sync_api import Error as PlaywrightError

from articles.models import Article
from photos.models import Image
from tests.conftest import picture_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def editor_page(page, live_server, make_user, settings):
    settings.DEBUG = True  # the live server serves MEDIA_URL only with debug on (see newsroom/urls.py)
    make_user(username="eddie", password=PASSWORD, is_staff=True, is_superuser=True)
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "eddie")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    return page


def subject_picture(im):
    from PIL import ImageDraw

    ImageDraw.Draw(im).ellipse((1250, 250, 1450, 450), fill=(230, 20, 20))


def test_editor_uploads_sets_the_focal_point_and_leads_an_article_with_it(
    editor_page, live_server, make_article, screenshot
):
    page = editor_page
    article = make_article(headline="Aid convoys reach northern towns")

    # Upload and describe.
    page.goto(live_server.url + "/admin/photos/image/add/")
    page.set_input_files(
        "#id_original",
        {
            "name": "convoy.jpg",
            "mimeType": "image/jpeg",
            "buffer": picture_bytes(size=(1600, 900), color=(30, 80, 160), draw=subject_picture),
        },
    )
    page.fill("#id_alt_text", "A red marker balloon over a blue field")
    page.fill("#id_caption", "Trucks wait at the crossing.")
    page.fill("#id_credit", "AP Photo/Ghaith Alsayed")
    page.click("input[name=_continue]")
    page.locator(".messagelist .success").wait_for()
    image = Image.objects.get()
    assert image.renditions_ready

    # Click the subject to set the focal point, and save: the crops are made again around it.
    picture = page.locator(".focal-picker img")
    box = picture.bounding_box()
    picture.click(position={"x": box["width"] * 1350 / 1600, "y": box["height"] * 350 / 900})
    assert abs(float(page.input_value("#id_focal_x")) - 1350 / 1600) < 0.02
    assert abs(float(page.input_value("#id_focal_y")) - 350 / 900) < 0.02
    assert page.locator(".focal-marker").is_visible()
    page.click("input[name=_continue]")
    page.get_by_text("was changed successfully").wait_for()
    image.refresh_from_db()
    assert abs(image.focal_x - 0.84) < 0.02 and image.version == 3 and image.renditions_ready
    assert page.locator(".crop-preview img").count() == 3
    screenshot("image-admin-focal-point")

    # The library list shows thumbnails and finds the picture by its credit.
    page.goto(live_server.url + "/admin/photos/image/?q=Alsayed")
    assert page.locator("#result_list img.library-thumb").count() == 1
    screenshot("image-admin-library")

    # Choose it as the article's lead image through the lookup popup.
    page.goto(live_server.url + f"/admin/articles/article/{article.pk}/change/")
    with page.expect_popup() as popup_info:
        page.click("#lookup_id_lead_image")
    popup = popup_info.value
    popup.wait_for_load_state()
    popup.fill("#searchbar", "crossing")
    popup.press("#searchbar", "Enter")
    popup.wait_for_load_state()
    with popup.expect_event("close"), contextlib.suppress(PlaywrightError):  # see the body picture test below
        popup.locator("#result_list img.library-thumb").first.click()
    assert page.input_value("#id_lead_image") == str(image.pk)
    page.wait_for_function("() => document.querySelector('.lead-image-thumb').naturalWidth > 0")
    screenshot("article-admin-lead-image")
    page.fill("#id_lead_image_caption", "Trucks wait at the Bab al-Hawa crossing.")
    page.click("input[name=_save]")
    page.get_by_text("was changed successfully").wait_for()
    article.refresh_from_db()
    assert article.lead_image == image

    # Readers see it, cropped and captioned.
    page.goto(live_server.url + article.get_absolute_url())
    figure = page.locator(".story figure.lead-image")
    assert "Trucks wait at the Bab al-Hawa crossing." in figure.inner_text()
    assert "AP Photo/Ghaith Alsayed" in figure.text_content()
    page.wait_for_function("() => document.querySelector('.lead-image img').complete")
    current = page.evaluate("document.querySelector('.lead-image img').currentSrc")
    assert current.endswith(".webp")
    screenshot("article-with-lead-image")
    page.goto(live_server.url + "/")
    assert page.locator(".item-image img").count() == 1
    screenshot("home-with-lead-image")


def test_a_bad_upload_is_refused_in_the_browser(editor_page, live_server):
    page = editor_page
    page.goto(live_server.url + "/admin/photos/image/add/")
    page.set_input_files(
        "#id_original", {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": picture_bytes(fmt="PNG")}
    )
    page.fill("#id_alt_text", "Anything")
    page.click("input[name=_save]")
    page.locator(".field-original .errorlist").wait_for()
    assert "This file is a PNG image but its name ends in “.jpg”." in page.locator(".field-original").inner_text()
    assert not Image.objects.exists()


def test_editor_places_a_library_picture_in_the_body(editor_page, live_server, make_article, make_image):
    page = editor_page
    image = make_image(alt_text="Trucks on a mountain road", caption="The road north.")
    article = make_article(body="<p>First paragraph.</p>")
    page.goto(live_server.url + f"/admin/articles/article/{article.pk}/change/")
    page.locator(".ProseMirror[contenteditable=true]").click()
    page.keyboard.press("End")
    page.locator(".prose-menubar [title=figure]").click()
    dialog = page.locator("dialog[open]")
    with page.expect_popup() as popup_info:
        dialog.get_by_text("Browse...").click()
    popup = popup_info.value
    popup.wait_for_load_state()
    # Choosing closes the picker window, at times before Playwright has finished the click ("target closed"): the
    # close event and the editor's state below are what show the choice worked.
    with popup.expect_event("close"), contextlib.suppress(PlaywrightError):
        popup.locator(".image-choice").first.click()
    assert dialog.locator("input[name=altText]").input_value() == "Trucks on a mountain road"
    dialog.locator("button[type=submit], input[type=submit]").first.click()
    page.click("input[name=_save]")
    page.get_by_text("was changed successfully").wait_for()
    body = Article.objects.get(pk=article.pk).body
    assert f'data-file="{image.pk}"' in body
    page.goto(live_server.url + article.get_absolute_url())
    assert page.locator(".story-body figure.inline source[type='image/webp']").count() == 1
