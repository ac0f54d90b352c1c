"""A scheduled story goes live on every worker's pages on time, with nothing running but the server: gunicorn with three
worker processes sharing one page cache, readers hammering the pages across the story's time."""

import os
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["/", "/feed/", "/news-sitemap.xml"]

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def gunicorn(tmp_path):
    """Three workers on the test database, sharing a file page cache, as `make serve` runs them."""
    database = connection.settings_dict
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    env |= {
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "NEWSROOM_VAR_DIR": str(tmp_path),
        "NEWSROOM_CACHE_DIR": str(tmp_path / "cache"),
        "NEWSROOM_PAGE_CACHE": "1",
    }
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "newsroom.wsgi"],
        cwd=ROOT,
        env=env | {"GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "3", "GUNICORN_THREADS": "2"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2):
                    break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_scheduled_story_is_on_every_workers_pages_within_a_second(gunicorn, make_article, make_category):
    world = make_category(name="World", slug="world")
    for n in range(5):
        make_article(headline=f"Earlier story {n}", category=world)
    due = timezone.now() + timedelta(seconds=6)
    make_article(headline="Embargo lifts now", category=world, published_at=due)
    seen = []  # (when the request was sent, when its answer came, page, whether it showed the story)
    stop = due + timedelta(seconds=5)

    def reader(page):
        while timezone.now() < stop:
            sent = timezone.now()
            with urllib.request.urlopen(gunicorn + page, timeout=10) as response:
                shown = b"Embargo lifts now" in response.read()
            seen.append((sent, timezone.now(), page, shown))

    readers = [threading.Thread(target=reader, args=(page,)) for page in PAGES for _ in range(2)]
    for thread in readers:
        thread.start()
    for thread in readers:
        thread.join()
    # Once due, a page kept from before is served stale while one request remakes it: on a loaded test machine that
    # can take a moment, so the bound here is two seconds (bench/run measures the real figure).
    late = due + timedelta(seconds=2)
    before = [shown for _, answered, _, shown in seen if answered < due]
    after = [(sent, page) for sent, _, page, shown in seen if sent > late and not shown]
    assert before and not any(before), "the story showed before its time"
    assert {page for sent, _, page, _ in seen if sent > late} == set(PAGES)
    assert not after, f"still missing two seconds after its time: {after[:5]}"
