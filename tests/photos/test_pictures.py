import lxml.html
import pytest
from django.template import Context, Template

from articles.models import Article
from photos.services import refocus_image

pytestmark = pytest.mark.django_db


def render(template, **context):
    return Template("{% load pictures %}" + template).render(Context(context))


def test_picture_markup_has_sources_sizes_dimensions_alt_caption_and_credit(make_image, make_upload):
    image = make_image(upload=make_upload(size=(2400, 1600)))
    html = render('{% picture image "article" %}', image=image)
    figure = lxml.html.fragment_fromstring(html)
    assert figure.tag == "figure" and "picture-article" in figure.get("class")
    (source,) = figure.cssselect("picture > source")
    assert source.get("type") == "image/webp"
    assert source.get("srcset").count("w, ") == 6 and source.get("srcset").endswith(" 1920w")
    assert ".webp 320w" in source.get("srcset")
    img = figure.cssselect("picture img")[0]
    assert img.get("srcset").count(".jpg") == 7
    assert img.get("src").endswith(".jpg") and "960x640" in img.get("src")
    assert (img.get("width"), img.get("height")) == ("1920", "1280")
    assert img.get("sizes") == source.get("sizes") == "(min-width: 42rem) 40rem, 100vw"
    assert img.get("alt") == "Smoke rises over a market"
    assert img.get("loading") == "lazy"
    caption = figure.cssselect("figcaption")[0]
    assert caption.cssselect(".caption")[0].text == "A market in Idlib after the shelling."
    assert caption.cssselect(".credit")[0].text == "AP Photo/Ghaith Alsayed"


def test_an_eager_picture_is_not_lazy_and_asks_for_priority(make_image):
    img = lxml.html.fragment_fromstring(render('{% picture image "card" eager=True %}', image=make_image()))
    img = img.cssselect("img")[0]
    # Above the fold: loaded at once (fetchpriority would say more, but the Nu checker we run does not know it).
    assert img.get("loading") == "eager"


def test_a_cropped_spec_declares_its_own_proportions(make_image, make_upload):
    image = make_image(upload=make_upload(size=(2400, 1600)))
    img = lxml.html.fragment_fromstring(render('{% picture image "card" figure=False %}', image=image))
    assert img.tag == "picture"
    img = img.cssselect("img")[0]
    assert (img.get("width"), img.get("height")) == ("1280", "720")


def test_until_renditions_exist_the_served_copy_fills_the_same_box(make_image, make_upload):
    image = make_image(upload=make_upload(size=(2400, 1600)), renditions=False)
    figure = lxml.html.fragment_fromstring(render('{% picture image "card" %}', image=image))
    assert not figure.cssselect("source")
    img = figure.cssselect("img")[0]
    assert img.get("src") == image.file.url and img.get("srcset") is None
    assert (img.get("width"), img.get("height")) == ("2400", "1350")
    assert img.get("class") == "pending"


def test_alt_caption_and_credit_are_escaped(make_image):
    image = make_image(alt_text='A "quoted" <b>alt</b>', caption="<script>x()</script>", credit="A & B")
    html = render('{% picture image "article" %}', image=image)
    assert "<script>" not in html and "<b>" not in html
    assert 'alt="A &quot;quoted&quot; &lt;b&gt;alt&lt;/b&gt;"' in html
    assert "A &amp; B" in html


def test_article_page_shows_the_lead_image_with_the_article_overrides(client, make_article, make_image):
    image = make_image()
    article = make_article(lead_image=image, lead_image_caption="Shelling near Maarat al-Numan.")
    page = lxml.html.fromstring(client.get(article.get_absolute_url()).content)
    (figure,) = page.cssselect(".story figure.lead-image")
    assert figure.cssselect(".caption")[0].text == "Shelling near Maarat al-Numan."
    assert figure.cssselect(".credit")[0].text == "AP Photo/Ghaith Alsayed"
    img = figure.cssselect("img")[0]
    assert img.get("loading") == "eager"


def test_listing_items_show_the_lead_image(client, make_article, make_image):
    make_article(lead_image=make_image(), headline="Lead story", featured=True)
    for n in range(5):
        make_article(lead_image=make_image(), headline=f"Other {n}")
    page = lxml.html.fromstring(client.get("/").content)
    images = page.cssselect("article.item picture.item-image img")
    # The lead, the first of the top stories (the others are headlines beside the lead), latest, and the section
    # rails, which repeat some stories.
    assert len(images) >= 4
    assert len(page.cssselect(".top-stories img")) == 1
    assert images[0].get("loading") == "eager"
    assert {img.get("loading") for img in images[1:]} == {"lazy"}


def test_pages_never_make_renditions(client, make_article, make_image, monkeypatch, django_capture_on_commit_callbacks):
    image = make_image(renditions=False)
    article = make_article(lead_image=image)
    category_url = article.category.get_absolute_url()

    def forbidden(*args, **kwargs):
        raise AssertionError("a page tried to make a rendition")

    monkeypatch.setattr("photos.renditions.render_set", forbidden)
    monkeypatch.setattr("PIL.Image.open", forbidden)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        for url in ["/", article.get_absolute_url(), category_url]:
            response = client.get(url)
            assert response.status_code == 200
            assert image.file.url in response.content.decode()
    assert queued == []


def test_pages_run_a_constant_number_of_queries(client, make_article, make_image, django_assert_max_num_queries):
    def queries_for(url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    category = make_article(lead_image=make_image()).category
    # Enough stories that the baseline fills the lead, the top stories, the latest list and a rail; fewer leave
    # some of them empty, and an empty section skips its queries.
    for _ in range(7):
        make_article(lead_image=make_image(), category=category)
    home_one, category_one = queries_for("/"), queries_for(category.get_absolute_url())
    for _ in range(6):
        make_article(lead_image=make_image(), category=category)
    make_article()  # and one without an image
    with django_assert_max_num_queries(home_one):
        client.get("/")
    with django_assert_max_num_queries(category_one):
        client.get(category.get_absolute_url())


def test_article_page_queries_do_not_grow_with_inline_images(
    client, make_article, make_image, django_assert_max_num_queries
):
    one = make_image()
    article = make_article(lead_image=one, body=inline_figure(one))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(article.get_absolute_url())
    images = [make_image() for _ in range(4)]
    article.body = "".join(inline_figure(image) for image in images)
    article.save()
    with django_assert_max_num_queries(len(ctx)):
        client.get(article.get_absolute_url())


def inline_figure(image, caption="Seen from the road to Saraqib."):
    return (
        f'<p>Before.</p><figure class="figure"><img src="{image.file.url}" alt="" data-file="{image.pk}">'
        f"<figcaption>{caption}</figcaption></figure><p>After.</p>"
    )


def test_inline_images_become_responsive_pictures(client, make_article, make_image):
    image = make_image(alt_text="Trucks on a road")
    article = make_article(body=inline_figure(image, caption="Seen from the <em>road</em>."))
    page = lxml.html.fromstring(client.get(article.get_absolute_url()).content)
    (figure,) = page.cssselect(".story-body figure.picture.inline")
    assert figure.cssselect("source[type='image/webp']")
    img = figure.cssselect("img")[0]
    assert img.get("alt") == "Trucks on a road" and img.get("width") and img.get("loading") == "lazy"
    assert lxml.html.tostring(figure.cssselect(".caption")[0], encoding=str).count("<em>road</em>") == 1
    assert figure.cssselect(".credit")[0].text == "AP Photo/Ghaith Alsayed"
    assert [p.text for p in page.cssselect(".story-body > p")] == ["Before.", "After."]


def test_an_inline_image_deleted_from_the_library_leaves_no_hole(client, make_article):
    article = make_article(
        body='<p>Before.</p><figure class="figure"><img src="/media/gone.jpg" alt="Gone" data-file="999">'
        "<figcaption>Gone</figcaption></figure><p>After.</p>"
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert "gone.jpg" not in html and "<figure" not in html
    assert "<p>Before.</p><p>After.</p>" in html


def test_an_image_without_a_library_id_is_left_as_written(client, make_article):
    article = make_article(body='<p><img src="https://cdn.example.com/chart.png" alt="Chart"></p>')
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<img src="https://cdn.example.com/chart.png" alt="Chart">' in html


def test_body_sanitiser_keeps_figures_and_blocks_dangerous_urls_and_handlers(make_article):
    article = make_article(
        body='<figure class="figure evil" onclick="steal()"><img src="javascript:alert(1)" onerror="x()" '
        'alt="a" data-file="3"><figcaption onmouseover="y()">Caption</figcaption></figure>'
        '<img src="data:image/png;base64,AAAA" alt="b"><img src="https://cdn.example.com/a.jpg" alt="c">'
        '<p><a href="javascript:alert(2)">link</a></p>'
    )
    stored = Article.objects.get(pk=article.pk).body
    assert "javascript:" not in stored and "data:" not in stored
    assert "onclick" not in stored and "onerror" not in stored and "onmouseover" not in stored
    assert '<figure class="figure"><img alt="a" data-file="3"><figcaption>Caption</figcaption></figure>' in stored
    assert '<img src="https://cdn.example.com/a.jpg" alt="c">' in stored


def test_social_image_is_the_1200_by_630_rendition(make_article, make_image, make_upload, settings, rf):
    settings.SITE_URL = "https://news.example.com"
    article = make_article(lead_image=make_image(upload=make_upload(size=(2400, 1600))))
    url, width, height = article.social_image()
    assert url.startswith("https://news.example.com/media/renditions/") and url.endswith(".jpg")
    assert (width, height) == (1200, 630)
    url, _w, _h = article.social_image(rf.get("/", HTTP_HOST="testserver"))
    assert url.startswith("http://testserver/media/renditions/")


def test_social_image_falls_back_to_the_served_copy_then_to_none(make_article, make_image, make_upload, settings):
    settings.SITE_URL = "https://news.example.com"
    image = make_image(upload=make_upload(size=(1000, 800)), renditions=False)
    assert make_article(lead_image=image).social_image() == (f"https://news.example.com{image.file.url}", 1000, 800)
    assert make_article().social_image() is None


def test_refocusing_outdates_the_renditions_at_once(make_image, django_capture_on_commit_callbacks):
    image = make_image()
    with django_capture_on_commit_callbacks(execute=False):
        refocus_image(image=image, x=0.2, y=0.2)
    html = render('{% picture image "card" %}', image=image)
    assert image.file.url in html and "<source" not in html
