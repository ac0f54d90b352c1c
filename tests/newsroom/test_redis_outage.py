"""Redis going away, against a real redis-server the test starts, stops and freezes itself: pages are made from the
database meanwhile, saves go through, the log is not flooded, and no page kept from before comes back stale."""

import logging
import shutil
import signal
import subprocess
import time

import pytest
import redis as redis_py
from django.core.cache import caches
from django.test import Client

from newsroom import cache as resilient
from newsroom import pagecache
from tests.ports import free_port

pytestmark = [pytest.mark.django_db, pytest.mark.faults]

REDIS = shutil.which("redis-server")


class RedisServer:
    def __init__(self, tmp_path):
        self.port = free_port()
        self.dir = tmp_path
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [REDIS, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.dir,
            stdout=subprocess.DEVNULL,
        )
        client = redis_py.Redis(port=self.port, socket_connect_timeout=0.5)
        for _ in range(100):
            try:
                if client.ping():
                    return
            except redis_py.exceptions.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self):
        self.process.kill()
        self.process.wait(timeout=10)

    def freeze(self):
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self):
        self.process.send_signal(signal.SIGCONT)

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"


@pytest.fixture
def redis(tmp_path, settings):
    if REDIS is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server); CI installs it")
    server = RedisServer(tmp_path)
    server.start()
    options = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}
    settings.CACHES = {
        "default": {"BACKEND": "newsroom.cache.ResilientRedisCache", "LOCATION": server.url, "OPTIONS": options},
        "pages": {
            "BACKEND": "newsroom.cache.ResilientRedisCache",
            "LOCATION": server.url,
            "KEY_PREFIX": "pages",
            "OPTIONS": options,
        },
    }
    settings.NEWSROOM_PAGE_CACHE = True
    pagecache._unrecorded.clear()
    yield server
    pagecache._unrecorded.clear()
    if server.process.poll() is None:
        server.thaw()
        server.kill()


@pytest.fixture
def story(make_article, make_category):
    return make_article(headline="Cease-fire breaks down", category=make_category(name="World", slug="world"))


def test_pages_are_served_from_the_database_while_redis_is_down(client, redis, story):
    assert client.get("/")["X-Cache"] == "MISS"
    assert client.get("/")["X-Cache"] == "HIT"
    redis.kill()
    for url in ("/", "/category/world/", story.get_absolute_url(), "/feed/", "/healthz"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "Cease-fire breaks down" in client.get("/").content.decode()
    redis.start()
    assert client.get("/")["X-Cache"] == "MISS"
    assert client.get("/")["X-Cache"] == "HIT"


def test_an_editor_saves_while_redis_is_down(client, redis, story, make_editor, django_capture_on_commit_callbacks):
    editor = make_editor()
    redis.kill()
    with django_capture_on_commit_callbacks(execute=True):
        story.headline = "Cease-fire holds after all"
        story.save_edit(by=editor, expected_version=story.version)
    client.force_login(editor)
    response = client.get(f"/admin/articles/article/{story.pk}/change/")
    assert response.status_code == 200
    assert "Cease-fire holds after all" in Client().get("/").content.decode()


def test_signups_fail_closed_while_redis_is_down(client, redis, story, mailoutbox):
    from mailinglist.forms import form_started_token
    from mailinglist.models import MailingList, Subscriber

    daily = MailingList.objects.create(name="Daily briefing", slug="daily")
    redis.kill()
    response = client.post(
        "/newsletter/",
        {"email": "reader@example.com", "lists": [daily.pk], "started": form_started_token(), "source": "/"},
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "try again shortly" in response.content.decode()
    assert not Subscriber.objects.exists()
    assert not mailoutbox


def test_an_outage_is_logged_once_not_per_request(client, redis, story, caplog, monkeypatch):
    monkeypatch.setattr(resilient.outage, "warned_at", 0.0)
    redis.kill()
    with caplog.at_level(logging.WARNING, logger="newsroom.cache"):
        for _ in range(20):
            assert client.get("/").status_code == 200
    warnings = [record for record in caplog.records if record.name == "newsroom.cache"]
    assert len(warnings) == 1
    assert "Redis cannot be reached" in warnings[0].getMessage()


def test_a_purge_made_while_redis_was_frozen_is_not_lost(client, redis, story):
    """Redis stops answering but keeps its pages: a purge it missed is recorded once it answers, so the page kept from
    before is not served as fresh."""
    from articles.models import Article

    assert client.get("/")["X-Cache"] == "MISS"
    assert client.get("/")["X-Cache"] == "HIT"
    Article.objects.filter(pk=story.pk).update(headline="Cease-fire holds after all")
    redis.freeze()
    try:
        pagecache._purge_now(["home"])  # what an editorial event does at commit
        assert pagecache._unrecorded == {"home": False}
    finally:
        redis.thaw()
    response = client.get("/")
    assert response["X-Cache"] == "MISS"
    assert "Cease-fire holds after all" in response.content.decode()
    assert not pagecache._unrecorded
    assert caches["default"].get("pagecache:purged:home") is not None


def test_purges_and_renderings_read_one_clock_whatever_each_machines_says(
    redis, make_article, make_editor, django_capture_on_commit_callbacks
):
    """Web servers on two machines whose clocks differ: a page kept by the one running a minute fast is still found
    out of date by a purge the other records a moment later (both read Redis's clock)."""
    import time_machine

    story = make_article(headline="Talks resume in Geneva")
    editor = make_editor()
    reader = Client()
    with time_machine.travel(time.time() + 60, tick=True):
        assert reader.get("/")["X-Cache"] == "MISS"
        assert reader.get("/")["X-Cache"] == "HIT"
    with django_capture_on_commit_callbacks(execute=True):
        story.headline = "Talks collapse in Geneva"
        story.save_edit(by=editor, expected_version=story.version)
    with time_machine.travel(time.time() + 60, tick=True):
        response = reader.get("/")
    assert response["X-Cache"] == "MISS"
    assert "Talks collapse in Geneva" in response.content.decode()
