import lxml.html
import pytest
from django.core.management import call_command

from articles.models import Article
from photos.models import Image

pytestmark = pytest.mark.django_db

SEED_URL = "/2020/01/17/civilian-killings-mount-in-idlib-as-cease-fire-breaks-down/"


def load_demo():
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_demo_articles_get_drawn_lead_images_and_one_inline_figure(
    client, settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = False
    with django_capture_on_commit_callbacks(execute=True):
        load_demo()
    assert not Article.objects.filter(lead_image__isnull=True).exists()
    assert Image.objects.count() == Article.objects.count() + 1
    assert all(image.renditions_ready for image in Image.objects.all())
    assert Article.objects.filter(body__contains="data-file=").count() == 1

    page = lxml.html.fromstring(client.get(SEED_URL).content.decode())
    figure = page.cssselect(".story figure.lead-image")[0]
    assert "Olive groves" in figure.cssselect(".caption")[0].text
    assert figure.cssselect(".credit")[0].text == "Newsroom demo illustration"
    assert figure.cssselect("source[type='image/webp']")


def test_loading_the_demo_twice_adds_no_pictures(settings):
    settings.DEBUG = False
    load_demo()
    images = Image.objects.count()
    load_demo()
    assert Image.objects.count() == images
    assert Article.objects.filter(body__contains="data-file=").count() == 1
