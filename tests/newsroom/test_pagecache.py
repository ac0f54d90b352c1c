"""The page cache (newsroom/pagecache.py) with the keys and purges of articles/purges.py, against the embedded engine:
pages stay cached while the newsroom works, and change exactly when what they show changes."""

import gzip
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article
from mailinglist.models import MailingList
from newsletters.models import Issue
from newsroom import pagecache
from photos.tasks import make_renditions

pytestmark = pytest.mark.django_db

PUBLIC_URLS = [
    "/",
    "/category/world/",
    "/tag/idlib/",
    "/author/lisa-schlein/",
    "/archive/2020/",
    "/archive/2020/01/",
    "/archive/2020/01/17/",
    "/search/?q=cease-fire",
    "/corrections/",
    "/feed/",
    "/feed/atom/",
    "/category/world/feed/",
    "/tag/idlib/feed/",
    "/author/lisa-schlein/feed/",
    "/sitemap.xml",
    "/sitemap-categories.xml",
    "/news-sitemap.xml",
    "/robots.txt",
    "/newsletter/archive/",
    "/2020/01/17/idlib/",
]


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.NEWSROOM_PAGE_CACHE = True


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what follows as if committed: purges happen on commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def site(make_article, make_author, make_category, make_editor):
    """A small site: the seed story and a story in another section, each with its author and tag."""
    world = make_category(name="World", slug="world")
    sport = make_category(name="Sport", slug="sport")
    lisa = make_author(name="Lisa Schlein", slug="lisa-schlein")
    seed = make_article(
        headline="Civilian Killings Mount in Idlib",
        slug="idlib",
        category=world,
        authors=[lisa],
        tags=["Idlib"],
        published_at=timezone.make_aware(timezone.datetime(2020, 1, 17, 12)),
    )
    match = make_article(headline="Cup final goes to extra time", category=sport, tags=["Football"])
    return {"world": world, "sport": sport, "lisa": lisa, "seed": seed, "match": match, "editor": make_editor()}


def cached(client, url):
    return client.get(url)["X-Cache"] == "HIT"


def warm(client, *urls):
    for url in urls:
        assert client.get(url).status_code == 200, url
        assert cached(client, url), url


def in_review(make_article, **fields):
    return make_article(status=Article.Status.REVIEW, published_at=None, **fields)


# ---- one page for every reader


def test_repeat_visit_is_a_hit_without_a_query(client, site, django_assert_num_queries):
    first = client.get("/")
    assert first["X-Cache"] == "MISS"
    with django_assert_num_queries(0):
        second = client.get("/")
    assert second["X-Cache"] == "HIT"
    assert second.content == first.content


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_pages_are_one_copy_for_everyone(client, site, url):
    response = client.get(url)
    assert response.status_code == 200
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    cache_control = response["Cache-Control"]
    for part in ("public", "max-age=", "s-maxage=", "stale-while-revalidate=", "stale-if-error="):
        assert part in cache_control
    assert client.get(url)["X-Cache"] == "HIT"


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_a_reader_with_a_csrf_cookie_gets_the_same_page(site, url):
    plain = Client().get(url)
    with_cookie = Client(headers={"cookie": "csrftoken=abcdefghijklmnopqrstuvwxyz012345"}).get(url)
    assert with_cookie.content == plain.content
    assert not with_cookie.cookies


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_head_works_on_every_public_url(client, site, url):
    response = client.head(url)
    assert response.status_code == 200
    assert response.content == b""
    assert int(response["Content-Length"]) > 0


def test_pages_name_what_they_show(client, site):
    keys = client.get("/2020/01/17/idlib/")["Surrogate-Key"].split()
    seed, lisa, world = site["seed"], site["lisa"], site["world"]
    idlib = Tag.objects.get(name="Idlib")
    for key in (f"article-{seed.pk}", f"author-{lisa.pk}", f"section-{world.pk}", f"tag-{idlib.pk}", "nav", "banner"):
        assert key in keys
    for url in PUBLIC_URLS:
        if not url.endswith((".xml", "/feed/", "/atom/", ".txt")):
            assert {"nav", "banner", "lists"} <= set(client.get(url)["Surrogate-Key"].split()), url
    listing = client.get("/category/world/")["Surrogate-Key"].split()
    assert {f"section-list-{world.pk}", f"article-{seed.pk}", f"author-{lisa.pk}"} <= set(listing)
    assert f"article-{site['match'].pk}" not in listing


def test_pages_are_compressed_for_clients_that_accept_it(client, site):
    plain = client.get("/")
    compressed = client.get("/", headers={"accept-encoding": "gzip, deflate, br"})
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == plain.content
    assert "Accept-Encoding" in compressed["Vary"]


def test_conditional_get_answers_304_without_a_query(client, site, django_assert_num_queries):
    etag = client.get("/")["ETag"]
    with django_assert_num_queries(0):
        response = client.get("/", headers={"if-none-match": etag})
    assert response.status_code == 304


def test_tracking_parameters_share_the_page(client, site):
    client.get("/category/world/")
    assert client.get("/category/world/?utm_source=newsletter&fbclid=x")["X-Cache"] == "HIT"
    assert client.get("/category/world/?page=1")["X-Cache"] == "MISS"


def test_the_scheme_is_part_of_the_page(client, site):
    client.get("/robots.txt")
    secure = client.get("/robots.txt", secure=True)
    assert secure["X-Cache"] == "MISS"
    assert "https://" in secure.content.decode()
    assert "https://" not in client.get("/robots.txt").content.decode()


def test_staff_see_fresh_private_pages(client, site, make_editor):
    Client().get("/")
    Article.objects.filter(pk=site["seed"].pk).update(headline="Changed quietly")  # no event: cached copy is stale
    client.force_login(make_editor())
    response = client.get("/")
    assert "Changed quietly" in response.content.decode()
    assert "X-Cache" not in response
    assert response["Cache-Control"].startswith("private")


def test_not_found_is_not_kept(client, site):
    response = client.get("/category/nowhere/")
    assert response.status_code == 404
    assert "X-Cache" not in response
    assert "no-cache" in response["Cache-Control"]


# ---- purges come from editorial events, and only the pages concerned change


def test_a_reporters_day_purges_nothing(client, site, make_article, make_reporter, commit):
    reporter = make_reporter()
    draft = make_article(status=Article.Status.DRAFT, published_at=None, category=site["world"], created_by=reporter)
    urls = ["/", "/category/world/", "/feed/", "/2020/01/17/idlib/", "/sitemap.xml"]
    warm(client, *urls)
    with commit():
        draft.headline = "A draft, saved"
        draft.save_edit(by=reporter, expected_version=draft.version)
        draft.comment(by=reporter, text="Ready soon")
        draft.submit(by=reporter)
        draft.refresh_from_db()
        draft.create_preview_link(by=site["editor"])
        draft.request_changes(by=site["editor"], comment="Needs a second source")
    for url in urls:
        assert cached(client, url), url


def test_publishing_joins_exactly_its_listings(client, site, make_article, commit):
    story = in_review(make_article, headline="Missile test over the sea", category=site["world"], tags=["Missiles"])
    joined = ["/", "/category/world/", "/feed/", "/feed/atom/", "/category/world/feed/", "/sitemap.xml"]
    unrelated = ["/category/sport/", "/tag/football/", "/2020/01/17/idlib/", "/tag/idlib/"]
    warm(client, *joined, *unrelated)
    with commit():
        story.publish(by=site["editor"])
    for url in joined:
        response = client.get(url)
        assert response["X-Cache"] == "MISS", url
        if url != "/sitemap.xml":
            assert "Missile test over the sea" in response.content.decode(), url
    author = story.bylines.get().author
    assert "Missile test over the sea" in client.get(author.get_absolute_url()).content.decode()
    assert client.get("/tag/missiles/").status_code == 200
    for url in unrelated:
        assert cached(client, url), url


def test_an_edit_of_a_live_story_reaches_every_page_that_showed_it(client, site, commit):
    seed, editor = site["seed"], site["editor"]
    showing = ["/", "/category/world/", "/tag/idlib/", "/author/lisa-schlein/", "/feed/", "/2020/01/17/idlib/"]
    warm(client, *showing, "/category/sport/")
    with commit():
        seed.headline = "Civilian Killings Mount in Idlib as Cease-fire Breaks Down"
        seed.save_edit(by=editor, expected_version=seed.version)
    for url in showing:
        assert "as Cease-fire Breaks Down" in client.get(url).content.decode(), url
    assert cached(client, "/category/sport/")


def test_moving_a_live_story_to_another_section_purges_both(client, site, commit):
    seed = site["seed"]
    warm(client, "/category/world/", "/category/sport/")
    with commit():
        seed.category = site["sport"]
        seed.save_edit(by=site["editor"], expected_version=seed.version)
    assert "Civilian Killings" not in client.get("/category/world/").content.decode()
    assert "Civilian Killings" in client.get("/category/sport/").content.decode()


def test_withdrawal_removes_it_everywhere(client, site, commit):
    showing = [
        "/",
        "/category/world/",
        "/tag/idlib/",
        "/author/lisa-schlein/",
        "/feed/",
        "/sitemap-articles-2020-01.xml",
    ]
    warm(client, *showing, "/2020/01/17/idlib/")
    with commit():
        site["seed"].withdraw(by=site["editor"], comment="Legal", notice="Withdrawn for legal reasons.")
    for url in showing:
        assert "Civilian Killings" not in client.get(url).content.decode(), url
        assert "/2020/01/17/idlib/" not in client.get(url).content.decode(), url
    assert client.get("/2020/01/17/idlib/").status_code == 410


def test_a_correction_reaches_the_story_and_the_corrections_page(client, site, commit):
    listings = ["/", "/category/world/", "/tag/idlib/", "/category/sport/"]
    warm(client, "/2020/01/17/idlib/", "/corrections/", "/feed/atom/", *listings)
    with commit():
        site["seed"].add_correction(
            by=site["editor"], kind="correction", text="An earlier version misdated the attack."
        )
    assert "misdated the attack" in client.get("/2020/01/17/idlib/").content.decode()
    assert "misdated the attack" in client.get("/corrections/").content.decode()
    # The feeds say when each story last changed; listings show neither that nor the corrections.
    assert client.get("/feed/atom/")["X-Cache"] == "MISS"
    for url in listings:
        assert cached(client, url), url


@pytest.mark.parametrize("thing", ["section", "tag", "author", "banner", "lists"])
def test_renaming_what_pages_show_reaches_them(client, site, make_banner, commit, thing):
    url = {"section": "/2020/01/17/idlib/", "tag": "/2020/01/17/idlib/", "author": "/"}.get(thing, "/category/sport/")
    if thing == "banner":
        banner = make_banner(text="Old promotion")
    if thing == "lists":
        mailing_list = MailingList.objects.create(name="Daily digest", slug="daily")
    warm(client, url)
    with commit():
        if thing == "section":
            site["world"].name, expected = "World news", "World news"
            site["world"].save()
        elif thing == "tag":
            Tag.objects.filter(name="Idlib").update(name="Idlib province")
            tag = Tag.objects.get(name="Idlib province")
            tag.save()
            expected = "Idlib province"
        elif thing == "author":
            site["lisa"].name, expected = "Lisa Schlein-Moser", "Lisa Schlein-Moser"
            site["lisa"].save()
        elif thing == "banner":
            banner.text, expected = "New promotion", "New promotion"
            banner.save()
        else:
            mailing_list.name, expected = "Morning briefing", "Morning briefing"
            mailing_list.save()
    assert expected in client.get(url).content.decode()


def test_new_renditions_reach_the_pages_showing_the_picture(client, site, make_image, commit):
    image = make_image(renditions=False)
    Article.objects.filter(pk=site["seed"].pk).update(lead_image=image)
    page = client.get("/2020/01/17/idlib/")
    assert f"image-{image.pk}" in page["Surrogate-Key"]
    assert "/renditions/" not in page.content.decode()
    with commit():
        make_renditions.enqueue(image.pk, image.version)
    image.refresh_from_db()
    assert image.renditions_ready
    response = client.get("/2020/01/17/idlib/")
    assert response["X-Cache"] == "MISS"
    assert ".webp" in response.content.decode()


def test_a_sent_newsletter_reaches_the_archive(client, site, commit):
    warm(client, "/newsletter/archive/")
    mailing_list = MailingList.objects.create(name="Daily digest", slug="daily")
    issue = Issue.objects.create(mailing_list=mailing_list, subject="Tuesday's digest", status=Issue.Status.SENDING)
    with commit():
        assert issue.finish()
    assert "Tuesday&#x27;s digest" in client.get("/newsletter/archive/").content.decode()


# ---- the clock: embargoes and banners need no cron


def test_a_scheduled_story_appears_on_time(client, site, make_article, commit):
    now = timezone.now()
    story = in_review(make_article, headline="Embargoed report", category=site["world"])
    with time_machine.travel(now, tick=False):
        warm(client, "/", "/feed/", "/category/world/")
        with commit():
            story.publish(by=site["editor"], at=now + timedelta(minutes=3))
    # Scheduling purged the listings the story will join, so that they are kept only until its time.
    with time_machine.travel(now + timedelta(seconds=1), tick=False):
        for url in ("/", "/feed/", "/category/world/", "/news-sitemap.xml"):
            response = client.get(url)
            assert response["X-Cache"] == "MISS", url
            assert "Embargoed report" not in response.content.decode()
            assert int(re.search(r"s-maxage=(\d+)", response["Cache-Control"]).group(1)) <= 180
            assert cached(client, url)
    with time_machine.travel(now + timedelta(minutes=3, seconds=1), tick=False):
        for url in ("/", "/feed/", "/category/world/", "/news-sitemap.xml"):
            assert "Embargoed report" in client.get(url).content.decode(), url


def test_a_page_rendered_across_the_embargo_is_not_kept(client, site, make_article, monkeypatch):
    """The race of a render that starts before a story's time and is stored after it."""
    now = timezone.now()
    make_article(headline="Goes live mid-render", published_at=now + timedelta(seconds=30), category=site["world"])
    real_rendering = pagecache._Rendering

    def started_before_the_embargo():
        rendering = real_rendering()
        rendering.started = (now - timedelta(seconds=1)).timestamp()
        return rendering

    monkeypatch.setattr(pagecache, "_Rendering", started_before_the_embargo)
    with time_machine.travel(now + timedelta(seconds=31), tick=False):
        client.get("/")
    monkeypatch.undo()
    with time_machine.travel(now + timedelta(seconds=32), tick=False):
        response = client.get("/")
        assert response["X-Cache"] == "MISS"
        assert "Goes live mid-render" in response.content.decode()


def test_a_banner_start_ends_the_pages_lifetime(client, site, make_banner):
    now = timezone.now()
    make_banner(text="Coming promotion", active_from=now + timedelta(seconds=90))
    with time_machine.travel(now, tick=False):
        response = client.get("/category/sport/")
    assert int(re.search(r"s-maxage=(\d+)", response["Cache-Control"]).group(1)) <= 90
    with time_machine.travel(now + timedelta(seconds=91), tick=False):
        assert "Coming promotion" in client.get("/category/sport/").content.decode()


# ---- bursts and failures


def test_a_stale_page_is_served_while_another_request_remakes_it(client, site, commit):
    key = pagecache.page_key(client.get("/").wsgi_request)
    with commit():
        site["seed"].headline = "Civilian Killings Mount in Idlib as Cease-fire Breaks Down"
        site["seed"].save_edit(by=site["editor"], expected_version=site["seed"].version)
    assert pagecache._claim(key)  # as if another worker were remaking it
    assert client.get("/")["X-Cache"] == "STALE"
    pagecache._release(key)
    assert client.get("/")["X-Cache"] == "MISS"


def test_a_withdrawn_story_is_never_served_stale(client, site, commit):
    key = pagecache.page_key(client.get("/").wsgi_request)
    with commit():
        site["seed"].withdraw(by=site["editor"], comment="Legal", notice="Withdrawn.")
    assert pagecache._claim(key)  # another worker remaking it: still, no reader gets the old copy
    response = client.get("/")
    assert response["X-Cache"] == "MISS"
    assert "Civilian Killings" not in response.content.decode()


def test_the_copy_made_right_after_a_purge_is_kept(client, site, commit):
    """One clock for purges and renderings: no margin throws away the copy the first reader after a purge makes."""
    warm(client, "/category/world/")
    with commit():
        site["world"].description = "News from around the world"
        site["world"].save()
    assert client.get("/category/world/")["X-Cache"] == "MISS"
    assert cached(client, "/category/world/")


def test_a_page_whose_story_changed_while_it_rendered_is_kept_by_no_cache(client, site, monkeypatch):
    """The race of a render that reads the old rows and is finished after the purge: served, not kept, here or by
    a shared cache."""
    real_rendering = pagecache._Rendering

    def purged_while_rendering():
        rendering = real_rendering()
        pagecache._record([f"section-list-{site['world'].pk}"])  # recorded after this rendering began
        return rendering

    monkeypatch.setattr(pagecache, "_Rendering", purged_while_rendering)
    response = client.get("/category/world/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=0, s-maxage=0"
    monkeypatch.undo()
    assert client.get("/category/world/")["X-Cache"] == "MISS"


def test_a_failing_page_is_served_stale(client, site, monkeypatch, commit):
    client.get("/category/world/")
    with commit():
        site["world"].description = "Changed"
        site["world"].save()

    def database_down(*args, **kwargs):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr("website.views.paginate", database_down)
    response = Client(raise_request_exception=False).get("/category/world/")
    assert response.status_code == 200
    assert response["X-Cache"] == "STALE"


def test_purge_pages_command_drops_every_page(client, site, commit):
    warm(client, "/", "/feed/")
    with commit():
        call_command("purge_pages")
    assert client.get("/")["X-Cache"] == "MISS"
    assert client.get("/feed/")["X-Cache"] == "MISS"


def test_the_embedded_store_can_be_off(client, site, settings):
    settings.NEWSROOM_PAGE_CACHE = False
    response = client.get("/")
    assert "X-Cache" not in response
    assert "Surrogate-Key" in response
    assert "s-maxage=" in response["Cache-Control"]
