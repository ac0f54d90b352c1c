import io
import os

import pytest
from django.core.files.storage import default_storage
from PIL import Image as PILImage
from PIL import ImageDraw

from photos import renditions
from photos.models import Image
from photos.renditions import SPECS
from photos.services import delete_image, refocus_image
from photos.tasks import make_renditions

pytestmark = pytest.mark.django_db

# A wide picture with a red subject near its left edge, everything else blue.
SUBJECT = (100, 380, 260, 540)


def with_subject(im):
    ImageDraw.Draw(im).rectangle(SUBJECT, fill=(230, 10, 10))


def subject_upload(make_upload):
    return make_upload(name="subject.jpg", size=(1920, 1080), color=(10, 40, 200), draw=with_subject, quality=95)


def red_share(path):
    with PILImage.open(path) as im:
        data = im.convert("RGB").tobytes()
    pixels = list(zip(data[0::3], data[1::3], data[2::3], strict=True))
    return sum(1 for r, g, b in pixels if r > 180 and g < 80 and b < 80) / len(pixels)


def rendition_path(image, spec, fmt="JPEG", index=-1):
    return default_storage.path(image.renditions[spec][fmt][index][2])


def test_the_task_makes_every_rendition_in_webp_and_jpeg(make_image, make_upload):
    image = make_image(upload=make_upload(size=(2400, 1600)))
    assert image.renditions_ready
    for spec in SPECS.values():
        assert set(image.renditions[spec.name]) == set(spec.formats)
        for fmt, rows in image.renditions[spec.name].items():
            for width, height, name in rows:
                with default_storage.open(name) as fp, PILImage.open(fp) as im:
                    assert im.format == fmt
                    assert im.size == (width, height)
                if spec.ratio:
                    assert abs(width / height - spec.ratio) < 0.01
    assert [w for w, _h, _n in image.renditions["article"]["WEBP"]] == [320, 480, 640, 960, 1280, 1600, 1920]
    assert [row[:2] for row in image.renditions["social"]["JPEG"]] == [[1200, 630]]
    assert [row[:2] for row in image.renditions["thumbnail"]["WEBP"]] == [[160, 160], [320, 320]]


def test_small_images_are_never_enlarged(make_image, make_upload):
    image = make_image(upload=make_upload(size=(300, 200)))
    assert [row[:2] for row in image.renditions["article"]["JPEG"]] == [[300, 200]]
    assert [row[:2] for row in image.renditions["thumbnail"]["JPEG"]] == [[160, 160]]
    assert [row[:2] for row in image.renditions["card"]["JPEG"]] == [[300, 169]]


def test_focal_point_crops_keep_the_subject_in_frame(make_image, make_upload):
    centre_x = (SUBJECT[0] + SUBJECT[2]) / 2 / 1920
    centre_y = (SUBJECT[1] + SUBJECT[3]) / 2 / 1080
    focused = make_image(upload=subject_upload(make_upload), focal_x=centre_x, focal_y=centre_y)
    centred = make_image(upload=subject_upload(make_upload))

    for spec in ("thumbnail", "card", "social"):
        assert red_share(rendition_path(focused, spec)) > 0.01, spec
    # Without the focal point a square crop from the middle loses the subject entirely.
    assert red_share(rendition_path(centred, "thumbnail")) == 0


def test_a_tall_subject_stays_in_a_wide_crop(make_image, make_upload):
    def low_subject(im):
        ImageDraw.Draw(im).ellipse((300, 1700, 500, 1900), fill=(230, 10, 10))

    upload = make_upload(name="tall.jpg", size=(800, 2000), color=(10, 40, 200), draw=low_subject, quality=95)
    image = make_image(upload=upload, focal_x=0.5, focal_y=0.9)
    assert red_share(rendition_path(image, "card")) > 0.02
    assert red_share(rendition_path(image, "social")) > 0.02


def test_changing_the_focal_point_replaces_the_renditions(make_image, make_upload, django_capture_on_commit_callbacks):
    image = make_image(upload=subject_upload(make_upload))
    old_names = renditions.names_in(image.renditions)
    assert red_share(rendition_path(image, "thumbnail")) == 0

    with django_capture_on_commit_callbacks(execute=True):
        refocus_image(image=image, x=180 / 1920, y=460 / 1080)
    image.refresh_from_db()

    assert image.renditions_ready and image.version == 3
    new_names = renditions.names_in(image.renditions)
    assert not set(old_names) & set(new_names)
    assert not any(default_storage.exists(name) for name in old_names)
    assert all(default_storage.exists(name) for name in new_names)
    assert red_share(rendition_path(image, "thumbnail")) > 0.01


def test_until_the_task_runs_the_old_crops_are_not_used(make_image, make_upload, django_capture_on_commit_callbacks):
    image = make_image(upload=subject_upload(make_upload))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        refocus_image(image=image, x=0.1, y=0.4)
    # The page cache's invalidation also runs on commit; only the rendition task concerns this test.
    assert len([job for job in queued if "queue_renditions" in job.__qualname__]) == 1
    image.refresh_from_db()
    assert not image.renditions_ready
    picture = renditions.picture_for(image, "card")
    assert not picture.ready and picture.src == image.file.url


def test_a_task_for_an_outdated_version_does_nothing(make_image):
    image = make_image(renditions=False)
    assert make_renditions.call(image.pk, image.version - 1) == "stale"
    assert make_renditions.call(image.pk, image.version) == "made"
    assert make_renditions.call(image.pk, image.version) == "done already"


def test_a_task_for_a_deleted_image_does_nothing(make_image):
    image = make_image(renditions=False)
    image_id, version = image.pk, image.version
    image.delete()
    assert make_renditions.call(image_id, version) == "stale"


def test_renditions_are_queued_on_the_images_queue(make_image):
    assert make_renditions.queue_name == "images"


def test_images_missing_renditions_are_listed(make_image):
    ready = make_image()
    waiting = make_image(renditions=False)
    assert list(Image.objects.renditions_missing()) == [waiting]
    assert ready.renditions_ready


def test_deleting_an_image_removes_its_files(make_image, django_capture_on_commit_callbacks):
    image = make_image()
    names = renditions.names_in(image.renditions)
    served, original = image.file.path, image.original.path
    with django_capture_on_commit_callbacks(execute=True):
        delete_image(image=image)
    assert not any(default_storage.exists(name) for name in names)
    assert not os.path.exists(served) and not os.path.exists(original)


def test_missing_renditions_can_be_queued_again(make_image, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    ready, waiting = make_image(), make_image(renditions=False)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("queue_renditions", stdout=out)
    assert out.getvalue() == "Queued renditions for 1 image(s).\n"
    waiting.refresh_from_db()
    assert waiting.renditions_ready

    old = renditions.names_in(Image.objects.get(pk=ready.pk).renditions)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("queue_renditions", "--all", stdout=out)
    assert out.getvalue() == "Queued renditions for 2 image(s).\n"
    ready.refresh_from_db()
    assert ready.renditions_ready and not set(old) & set(renditions.names_in(ready.renditions))


def test_renditions_finished_after_the_focal_point_moved_are_thrown_away(make_image, monkeypatch):
    image = make_image(renditions=False)
    real_render_set = renditions.render_set
    made = []

    def render_then_refocus(image):
        record, stored = real_render_set(image)
        made.extend(stored)
        Image.objects.filter(pk=image.pk).update(version=image.version + 1)  # an editor moved the focal point
        return record, stored

    monkeypatch.setattr(renditions, "render_set", render_then_refocus)
    assert make_renditions.call(image.pk, image.version) == "stale"
    image.refresh_from_db()
    assert not image.renditions_ready and image.renditions == {}
    assert made and not any(default_storage.exists(name) for name in made)
