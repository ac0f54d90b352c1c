import os
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.db import connection
from django.utils import timezone

from articles.models import Article, Author, Byline, Category, Source
from mailinglist.models import MailingList, Subscriber, Subscription
from website.models import PromoBanner

POSTGRES_ONLY_REASON = "needs PostgreSQL"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/serving/" in item.nodeid:
            item.add_marker(pytest.mark.varnish)
    if connection.vendor != "postgresql":
        skip = pytest.mark.skip(reason=f"{POSTGRES_ONLY_REASON} (set DATABASE_URL to run it)")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """In CI (NEWSROOM_FORBID_SKIPS=1) a skip is a failure, except a PostgreSQL-only test on SQLite."""
    if os.environ.get("NEWSROOM_FORBID_SKIPS") != "1":
        return
    forbidden = []
    for report in terminalreporter.stats.get("skipped", []):
        reason = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if connection.vendor == "postgresql" or POSTGRES_ONLY_REASON not in reason:
            forbidden.append(f"{report.nodeid}: {reason}")
    if forbidden:
        terminalreporter.write_line("Skips are not allowed in CI:", red=True)
        for line in forbidden:
            terminalreporter.write_line(f"  {line}", red=True)
        config._newsroom_forbidden_skips = True


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    if getattr(session.config, "_newsroom_forbidden_skips", False) and session.exitstatus == 0:
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _isolated_environment(settings, tmp_path):
    """Media and cache in temporary folders, tasks run at once: no test sees another's leftovers."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": []}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # A cache of the same kind as production's, but private to this test: two test runs at once cannot collide.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        },
        "pages": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache" / "pages"),
        },
    }
    for cache in caches.all():
        cache.clear()
    # Tests make content straight through the ORM, not through the workflow whose events purge pages, so the embedded
    # page cache is off unless a test is about it (tests/newsroom/test_pagecache.py and the serving tests turn it
    # on). Every response still carries its keys and caching headers.
    settings.NEWSROOM_PAGE_CACHE = False
    # The machine-wide limit on slow requests counts through lock files: this test's own.
    settings.NEWSROOM_BUSY_DIR = tmp_path / "busy"
    # Content types are cached per process by id; a transactional test's flush and reload can leave that cache
    # pointing at ids the database no longer has.
    ContentType.objects.clear_cache()
    yield


@pytest.fixture
def make_source(db):
    def make(**fields):
        fields.setdefault("name", "Voice of America")
        fields.setdefault("short_name", "VOA")
        source, _ = Source.objects.get_or_create(name=fields.pop("name"), defaults=fields)
        return source

    return make


@pytest.fixture
def make_category(db):
    counter = iter(range(1, 10_000))

    def make(**fields):
        n = next(counter)
        fields.setdefault("name", f"Category {n}")
        fields.setdefault("slug", f"category-{n}")
        return Category.objects.create(**fields)

    return make


@pytest.fixture
def make_author(db):
    counter = iter(range(1, 10_000))

    def make(**fields):
        n = next(counter)
        fields.setdefault("name", f"Author {n}")
        fields.setdefault("slug", f"author-{n}")
        return Author.objects.create(**fields)

    return make


@pytest.fixture
def make_article(db, make_category, make_author):
    """A published, live article by one author unless told otherwise; `authors=[…]` sets the bylines."""
    counter = iter(range(1, 100_000))

    def make(*, authors=None, tags=(), **fields):
        n = next(counter)
        fields.setdefault("headline", f"Cease-fire breaks down {n}")
        fields.setdefault("slug", f"cease-fire-breaks-down-{n}")
        fields.setdefault("body", "<p>The cease-fire in Syria's Idlib apparently broke down.</p>")
        fields.setdefault("status", Article.Status.PUBLISHED)
        if fields["status"] == Article.Status.PUBLISHED:
            fields.setdefault("published_at", timezone.now() - timedelta(hours=n))
        if "category" not in fields:
            fields["category"] = make_category()
        article = Article.objects.create(**fields)
        for order, author in enumerate(authors if authors is not None else [make_author()]):
            Byline.objects.create(article=article, author=author, order=order)
        if tags:
            article.tags.add(*tags)
        return article

    return make


@pytest.fixture
def make_banner(db):
    def make(**fields):
        fields.setdefault("text", "Join the largest network - JOIN NOW")
        fields.setdefault("url", "https://example.com/join")
        fields.setdefault("active_from", timezone.now() - timedelta(days=1))
        return PromoBanner.objects.create(**fields)

    return make


@pytest.fixture
def make_user(db, django_user_model):
    counter = iter(range(1, 10_000))

    def make(**fields):
        n = next(counter)
        fields.setdefault("username", f"user{n}")
        fields.setdefault("email", f"user{n}@example.com")
        password = fields.pop("password", "correct horse battery staple")
        return django_user_model.objects.create_user(password=password, **fields)

    return make


# ---- Editorial workflow: accounts in the newsroom's roles (groups kept in step after every migrate and flush by
# newsroom/roles.py).


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Workflow tests make several accounts each; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _role(name):
    from django.contrib.auth.models import Group

    return Group.objects.get(name=name)


@pytest.fixture
def role():
    """The named role's group, with its permissions (a transactional test's flush makes them again)."""
    return _role


@pytest.fixture
def make_editor(make_user):
    def make(**fields):
        fields.setdefault("is_staff", True)
        user = make_user(**fields)
        user.groups.add(_role("Editor"))
        return user

    return make


# Images ----------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _private_originals(settings, tmp_path):
    """Image originals in a temporary folder of their own, outside the temporary MEDIA_ROOT."""
    settings.STORAGES = {
        **settings.STORAGES,
        "originals": {
            "BACKEND": "photos.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "originals")},
        },
    }


def picture_bytes(*, fmt="JPEG", size=(800, 450), color=(40, 90, 160), draw=None, **save_options):
    """A real image file made with Pillow; `draw(image)` may paint on it first."""
    import io

    from PIL import Image as PILImage

    im = PILImage.new("RGBA" if fmt == "PNG" and save_options.pop("alpha", False) else "RGB", size, color)
    if draw:
        draw(im)
    out = io.BytesIO()
    im.save(out, fmt, **save_options)
    return out.getvalue()


@pytest.fixture
def make_upload():
    """An uploaded file as the admin form receives it: `make_upload(name="x.jpg", fmt="JPEG", size=(w, h))`."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    def make(*, name="photo.jpg", content=None, content_type="image/jpeg", **picture):
        return SimpleUploadedFile(name, picture_bytes(**picture) if content is None else content, content_type)

    return make


@pytest.fixture
def make_reporter(make_user, make_author):
    """A reporter with a linked Author, so articles bylined to that author are theirs."""

    def make(*, with_author=True, **fields):
        fields.setdefault("is_staff", True)
        user = make_user(**fields)
        user.groups.add(_role("Reporter"))
        if with_author:
            make_author(user=user, name=user.get_full_name() or user.get_username())
        return user

    return make


@pytest.fixture
def make_image(db, make_upload, django_capture_on_commit_callbacks):
    """An image in the library, with its renditions made by the (immediate) task unless `renditions=False`."""
    from photos.services import add_image

    def make(*, upload=None, renditions=True, **fields):
        fields.setdefault("alt_text", "Smoke rises over a market")
        fields.setdefault("caption", "A market in Idlib after the shelling.")
        fields.setdefault("credit", "AP Photo/Ghaith Alsayed")
        with django_capture_on_commit_callbacks(execute=renditions):
            image = add_image(upload=upload or make_upload(), **fields)
        image.refresh_from_db()
        return image

    return make


# ---- Mailing lists and subscribers (tests/mailinglist and tests/newsletters) ----------------------------------------


@pytest.fixture
def make_mailing_list(db):
    counter = iter(range(1, 10_000))

    def make(**fields):
        n = next(counter)
        fields.setdefault("name", f"List {n}")
        fields.setdefault("slug", f"list-{n}")
        return MailingList.objects.create(**fields)

    return make


@pytest.fixture
def make_subscriber(db):
    """A subscriber; `lists=[…]` subscribes them (status defaults to active when lists are given)."""
    counter = iter(range(1, 100_000))

    def make(*, lists=(), **fields):
        n = next(counter)
        fields.setdefault("email", f"reader{n}@example.com")
        fields.setdefault("status", Subscriber.Status.ACTIVE if lists else Subscriber.Status.PENDING)
        subscriber = Subscriber.objects.create(**fields)
        for mailing_list in lists:
            Subscription.objects.create(subscriber=subscriber, mailing_list=mailing_list)
        return subscriber

    return make
