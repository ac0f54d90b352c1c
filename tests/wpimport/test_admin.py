"""The admin's import: an upload starts a task; the run's page shows its progress, then its report."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from articles.models import Article
from photos.models import Image
from tests.wpimport.wxr import Post, attachment, export_text
from wpimport.models import ImportRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, make_user):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def upload(text, name="export.xml"):
    return SimpleUploadedFile(name, text.encode(), "text/xml")


def test_an_upload_runs_as_a_task_and_its_page_shows_the_report(admin, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post("/admin/wpimport/importrun/add/", {"export": upload(export_text([Post(1, slug="one")]))})
    run = ImportRun.objects.get()
    assert response["Location"] == f"/admin/wpimport/importrun/{run.pk}/change/"
    assert (run.status, run.done, run.total, run.filename) == ("finished", 1, 1, "export.xml")
    assert Article.objects.get().slug == "one"
    page = admin.get(response["Location"]).content.decode()
    assert "post created: 1" in page
    assert 'http-equiv="refresh"' not in page  # finished: the page stops looking again
    # Kept where nothing serves it: an export holds drafts and the authors' e-mail addresses.
    assert not Path(run.export.path).is_relative_to(settings.MEDIA_ROOT)
    with pytest.raises(ValueError):
        run.export.url  # noqa: B018


def test_a_running_import_s_page_looks_again_by_itself(admin):
    run = ImportRun.objects.create(filename="export.xml", status=ImportRun.Status.RUNNING, total=200, done=50)
    page = admin.get(f"/admin/wpimport/importrun/{run.pk}/change/").content.decode()
    assert '<meta http-equiv="refresh" content="5">' in page
    assert '<progress max="100" value="25"' in page
    assert "50 of 200 posts" in page


def test_a_refused_file_says_why(admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        admin.post("/admin/wpimport/importrun/add/", {"export": upload("<html></html>")})
    run = ImportRun.objects.get()
    assert run.status == "failed"
    assert "not a WordPress export" in admin.get(f"/admin/wpimport/importrun/{run.pk}/change/").content.decode()


def test_only_xml_files_are_taken(admin):
    response = admin.post("/admin/wpimport/importrun/add/", {"export": upload("x", name="site.zip")})
    assert response.status_code == 200
    assert "Choose the .xml file" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_pictures_come_from_a_folder_under_the_configured_root_only(
    admin, settings, tmp_path, django_capture_on_commit_callbacks
):
    from tests.conftest import picture_bytes

    settings.NEWSROOM_WORDPRESS_UPLOADS_ROOT = tmp_path / "wp"
    folder = tmp_path / "wp" / "oldnews" / "2020" / "01"
    folder.mkdir(parents=True)
    (folder / "smoke.jpg").write_bytes(picture_bytes())
    form = admin.get("/admin/wpimport/importrun/add/").content.decode()
    assert '<option value="oldnews">oldnews</option>' in form
    text = export_text([Post(1, slug="one"), attachment(5, "2020/01/smoke.jpg", alt="Smoke")])
    refused = admin.post("/admin/wpimport/importrun/add/", {"export": upload(text), "uploads": "../.."})
    assert refused.status_code == 200 and not ImportRun.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        admin.post("/admin/wpimport/importrun/add/", {"export": upload(text), "uploads": "oldnews"})
    assert Image.objects.get().alt_text == "Smoke"


def test_staff_without_the_permission_cannot_import(client, make_editor):
    client.force_login(make_editor())
    assert client.get("/admin/wpimport/importrun/add/").status_code == 403
