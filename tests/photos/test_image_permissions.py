"""Pictures of published stories change only through editors, and every change is in the history (issue 17 item
2): a reporter could once change the caption, credit, alt text or file of any library picture, including the lead
picture of a live story, live at once, with no review and no record in the stories' history."""

import pytest
from reversion.models import Version

from articles.models import Article
from articles.revisions import versions_of

pytestmark = pytest.mark.django_db


def change(client, image, capture, **fields):
    data = {"alt_text": image.alt_text, "caption": image.caption, "credit": image.credit, "source": ""}
    data |= {"focal_x": str(image.focal_x), "focal_y": str(image.focal_y), **fields}
    with capture(execute=True):
        return client.post(f"/admin/photos/image/{image.pk}/change/", data)


@pytest.fixture
def reporter(make_reporter):
    return make_reporter()


@pytest.fixture
def reporter_client(client, reporter):
    client.force_login(reporter)
    return client


@pytest.mark.parametrize("placement", ["lead", "body"])
@pytest.mark.parametrize(
    "fields",
    [{"caption": "Hoax caption"}, {"credit": "Nobody"}, {"alt_text": "Something else"}, "file"],
    ids=["caption", "credit", "alt_text", "file"],
)
def test_a_reporter_cannot_change_a_picture_a_published_story_shows(
    reporter_client,
    reporter,
    make_image,
    make_article,
    make_upload,
    django_capture_on_commit_callbacks,
    placement,
    fields,
):
    image = make_image(uploaded_by=reporter)
    if placement == "lead":
        make_article(lead_image=image)
    else:
        make_article(body=f'<figure><img src="{image.file.url}" data-file="{image.pk}" alt=""></figure>')
    before = (image.caption, image.credit, image.alt_text, image.file.name, image.original.name)
    if fields == "file":
        fields = {"original": make_upload(name="other.png", fmt="PNG", color=(200, 0, 0))}
    response = change(reporter_client, image, django_capture_on_commit_callbacks, **fields)
    assert response.status_code == 403
    image.refresh_from_db()
    assert (image.caption, image.credit, image.alt_text, image.file.name, image.original.name) == before


def test_the_reporter_sees_why_the_picture_is_read_only(reporter_client, reporter, make_image, make_article):
    image = make_image(uploaded_by=reporter)
    make_article(lead_image=image)
    page = reporter_client.get(f"/admin/photos/image/{image.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "A published story shows this picture, so only an editor may change it." in html
    assert 'name="caption"' not in html


def test_a_scheduled_story_counts_as_published(
    reporter_client, reporter, make_image, make_article, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    image = make_image(uploaded_by=reporter)
    make_article(lead_image=image, published_at=timezone.now() + timedelta(hours=2))
    assert change(reporter_client, image, django_capture_on_commit_callbacks, caption="x").status_code == 403


def test_a_reporter_edits_their_own_unused_upload(
    reporter_client, reporter, make_image, make_article, django_capture_on_commit_callbacks
):
    image = make_image(uploaded_by=reporter)
    make_article(lead_image=image, status=Article.Status.DRAFT)
    response = change(reporter_client, image, django_capture_on_commit_callbacks, caption="Trucks at dawn")
    assert response.status_code == 302
    image.refresh_from_db()
    assert image.caption == "Trucks at dawn"
    [latest, baseline] = Version.objects.get_for_object(image)
    assert latest.revision.user == reporter
    assert latest.field_dict["caption"] == "Trucks at dawn"
    assert baseline.field_dict["caption"] == "A market in Idlib after the shelling."


def test_a_reporter_cannot_change_someone_elses_upload(
    reporter_client, make_editor, make_image, django_capture_on_commit_callbacks
):
    image = make_image(uploaded_by=make_editor())
    assert change(reporter_client, image, django_capture_on_commit_callbacks, caption="x").status_code == 403


def test_an_editors_change_is_in_the_picture_and_the_story_history(
    client, make_editor, make_image, make_article, django_capture_on_commit_callbacks
):
    editor = make_editor()
    image = make_image()
    article = make_article(lead_image=image)
    client.force_login(editor)
    response = change(client, image, django_capture_on_commit_callbacks, credit="AP Photo/Corrected Name")
    assert response.status_code == 302
    image.refresh_from_db()
    assert image.credit == "AP Photo/Corrected Name"
    latest = Version.objects.get_for_object(image).first()
    assert latest.revision.user == editor
    assert "Credit" in latest.revision.get_comment()
    story = versions_of(article).first()
    assert story.revision == latest.revision, "the story's history records the change of its picture"

    page = client.get(f"/admin/photos/image/{image.pk}/change/").content.decode()
    assert "AP Photo/Ghaith Alsayed" in page, "the earlier credit is in the history on the picture's page"
    assert article.headline in page
