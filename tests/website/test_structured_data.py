"""What search engines and social networks are given beyond titles: the lead picture in the three shapes Google asks
for, permission to show it large, a picture for listings too, and a description that is not the headline again."""

import json
from datetime import UTC, datetime

import lxml.html
import pytest
from PIL import Image as PILImage

pytestmark = pytest.mark.django_db

BODY = (
    "<p>GENEVA &amp; IDLIB: The cease-fire in Syria's Idlib apparently broke down before it even began, U.N. officials "
    "said on Friday, as air strikes hit markets, schools and hospitals across the last rebel-held province.</p>"
    '<figure class="figure"><img src="/media/x.jpg" alt="A market" data-file="999">'
    "<figcaption>Caption words that are not the story.</figcaption></figure>"
    "<p>High Commissioner Michelle Bachelet's spokesman said civilians were being killed on a daily basis.</p>"
)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return lxml.html.fromstring(response.content)


def meta(doc):
    return {m.get("property") or m.get("name"): m.get("content") for m in doc.cssselect("meta[content]")}


def news_article(doc):
    data = [json.loads(s.text) for s in doc.cssselect('script[type="application/ld+json"]')]
    return next(d for d in data if d["@type"] == "NewsArticle")


@pytest.fixture
def pictured(make_article, make_image, make_upload):
    image = make_image(upload=make_upload(size=(2400, 1600)))
    return make_article(headline="Civilian killings mount", lead_image=image, featured=True)


def test_news_article_lists_the_picture_in_16_9_4_3_and_1_1_at_1200_pixels_or_more(client, pictured, settings):
    images = news_article(page(client, pictured.get_absolute_url()))["image"]
    assert [round(i["width"] / i["height"], 2) for i in images] == [1.78, 1.33, 1.0]
    for image in images:
        assert image["@type"] == "ImageObject"
        assert image["width"] >= 1200
        assert image["url"].startswith("http://testserver/media/renditions/")
        path = settings.MEDIA_ROOT / image["url"].removeprefix("http://testserver/media/")
        with PILImage.open(path) as im:
            assert im.size == (image["width"], image["height"])


def test_before_the_renditions_exist_the_served_copy_stands_in(client, make_article, make_image, make_upload):
    image = make_image(upload=make_upload(size=(1600, 900)), renditions=False)
    article = make_article(lead_image=image)
    assert news_article(page(client, article.get_absolute_url()))["image"] == [f"http://testserver{image.file.url}"]


@pytest.mark.parametrize("url", ["/", "/category/world/", "/tag/syria/", "/author/lisa/", "/archive/2020/", "ARTICLE"])
def test_indexable_pages_let_search_engines_show_large_pictures(client, make_article, make_category, make_author, url):
    article = make_article(
        category=make_category(slug="world"),
        tags=["Syria"],
        authors=[make_author(slug="lisa")],
        published_at=datetime(2020, 1, 17, 17, tzinfo=UTC),
    )
    doc = page(client, article.get_absolute_url() if url == "ARTICLE" else url)
    assert "max-image-preview:large" in meta(doc)["robots"]


def test_search_results_stay_out_of_the_index(client, make_article):
    make_article(headline="Talks resume")
    assert meta(page(client, "/search/?q=talks"))["robots"] == "noindex, follow"


@pytest.mark.parametrize("url", ["/", "/category/world/", "/tag/syria/"])
def test_home_and_listings_are_shared_with_their_first_picture(client, make_article, make_category, make_image, url):
    world = make_category(slug="world")
    make_article(headline="No picture, newest", category=world, tags=["Syria"])
    image = make_image()
    make_article(headline="Pictured", category=world, tags=["Syria"], lead_image=image)
    found = meta(page(client, url))
    assert found["og:image"] == f"http://testserver/media/{image.renditions['social']['JPEG'][-1][2]}"
    assert found["og:image:alt"] == image.alt_text
    assert found["twitter:card"] == "summary_large_image"


def test_without_a_dek_the_description_is_the_start_of_the_text(client, make_article):
    article = make_article(headline="Civilian killings mount", dek="", body=BODY)
    doc = page(client, article.get_absolute_url())
    found = meta(doc)
    description = found["description"]
    assert description.startswith("GENEVA & IDLIB: The cease-fire in Syria's Idlib apparently broke down")
    assert description.endswith("…") and len(description) <= 200
    assert description[:-1] in " ".join(BODY.replace("&amp;", "&").replace("<p>", " ").split())  # whole words
    assert "<" not in description and "Caption" not in description
    assert found["og:description"] == found["twitter:description"] == description
    assert news_article(doc)["description"] == description


def test_a_short_text_is_the_description_whole(client, make_article):
    article = make_article(headline="Talks", dek="", body="<p>Envoys <em>met</em> in Geneva.</p>")
    assert meta(page(client, article.get_absolute_url()))["description"] == "Envoys met in Geneva."
