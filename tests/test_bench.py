"""The benchmark dataset generator stays working: small sizes here, the real size in bench/."""

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from taggit.models import Tag

from articles.models import Article, Author, Byline, Category

pytestmark = pytest.mark.django_db


def generate(**sizes):
    options = {"articles": 40, "authors": 6, "categories": 15, "tags": 25, "seed": 7, "batch": 16} | sizes
    call_command("generate_dataset", *[f"--{k}={v}" for k, v in options.items()], stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_dataset_has_the_requested_sizes_and_shape():
    generate()
    assert Article.objects.published().filter(slug__startswith="bench-").count() == 40
    assert Author.objects.filter(slug__startswith="bench-").count() == 6
    assert Category.objects.filter(slug__startswith="bench-").count() == 15
    assert Category.objects.filter(slug__startswith="bench-", parent__isnull=False).count() == 3
    assert Tag.objects.filter(slug__startswith="bench-").count() == 25
    assert Byline.objects.filter(article__slug__startswith="bench-").count() >= 40
    article = Article.objects.filter(slug__startswith="bench-").first()
    assert article.body.count("<p>") >= 6 and article.tags.count() >= 2


def test_dataset_is_reproducible_from_the_seed():
    def sample():
        return list(Article.objects.order_by("slug").values_list("slug", "headline", "dek", "category__slug")[:10])

    with transaction.atomic():
        generate()
        first = sample()
        transaction.set_rollback(True)
    generate()
    assert sample() == first


def test_generated_articles_render_and_are_searchable(client):
    generate()
    article = Article.objects.filter(slug__startswith="bench-").first()
    assert client.get(article.get_absolute_url()).status_code == 200
    response = client.get("/search/", {"q": f'"{article.headline}"'})
    assert response.status_code == 200
    assert article.get_absolute_url() in response.content.decode()


def test_generating_twice_into_one_database_is_refused():
    generate()
    with pytest.raises(CommandError):
        generate()
