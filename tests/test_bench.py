"""The benchmark dataset generator stays working: small sizes here, the real size in bench/."""

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from taggit.models import Tag

from articles.models import Article, Author, Byline, Category, Correction
from mailinglist.models import MailingList, Subscriber, Subscription

pytestmark = pytest.mark.django_db


def generate(**sizes):
    options = {
        "articles": 40, "authors": 6, "categories": 15, "tags": 25, "corrections": 25, "subscribers": 90, "seed": 7,
        "batch": 16,
    } | sizes  # fmt: skip
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
    assert 0 < Correction.objects.filter(article__slug__startswith="bench-").count() < 40
    assert Subscriber.objects.active().filter(email__endswith="@bench.example").count() == 90
    assert MailingList.objects.public().filter(slug__startswith="bench-").count() == 3
    assert Subscription.objects.filter(subscriber__email__endswith="@bench.example").count() >= 90


def test_corrections_come_after_publication_and_show_on_the_article(client):
    generate(corrections=100)
    correction = Correction.objects.select_related("article").filter(article__slug__startswith="bench-").first()
    assert Correction.objects.filter(article__slug__startswith="bench-").count() == 40
    assert correction.created_at > correction.article.published_at
    assert correction.text in client.get(correction.article.get_absolute_url()).content.decode()


def test_subscribers_are_confirmed_and_on_at_least_one_list():
    generate()
    subscribers = Subscriber.objects.filter(email__endswith="@bench.example")
    assert not subscribers.filter(subscriptions__isnull=True).exists()
    assert not subscribers.filter(confirmed_at__isnull=True).exists()
    assert subscribers.filter(subscriptions__isnull=False).distinct().count() == 90


def test_dataset_is_reproducible_from_the_seed():
    def sample():
        return (
            list(Article.objects.order_by("slug").values_list("slug", "headline", "dek", "category__slug")[:10]),
            list(Correction.objects.order_by("article__slug").values_list("article__slug", "kind", "text")),
            list(Subscriber.objects.order_by("email").values_list("email", "name", "token_key")[:10]),
        )

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


def load_demo():
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_the_dataset_adds_to_a_database_with_the_demo():
    load_demo()
    demo_articles = Article.objects.count()

    generate()
    load_demo()  # and the demo still loads (adding nothing) afterwards

    assert Article.objects.filter(slug__startswith="bench-").count() == 40
    assert Article.objects.exclude(slug__startswith="bench-").count() == demo_articles
    world = Category.objects.get(name="World")
    assert world.slug == "world"  # the demo's section, which the dataset writes into
    assert Article.objects.filter(slug__startswith="bench-", category=world).exists()


def test_the_demo_loads_after_the_dataset(client):
    generate()

    load_demo()

    seed = Article.objects.get(slug="civilian-killings-mount-in-idlib-as-cease-fire-breaks-down")
    assert seed.category.name == "Weapons of Mass Destruction (WMD)"
    assert Category.objects.filter(name="World").count() == 1
    assert client.get(seed.get_absolute_url()).status_code == 200
    assert Article.objects.filter(slug__startswith="bench-").count() == 40
