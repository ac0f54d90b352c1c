"""Limits that must hold across processes: two real servers sharing the cache and the database, as two gunicorn
workers (or two machines on Redis) would."""

import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def two_servers(tmp_path, smtp_server):
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_", "MAILINGLIST_"))
    }
    env |= {
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        "NEWSROOM_VAR_DIR": str(tmp_path),
        "NEWSROOM_CACHE_DIR": str(tmp_path / "cache"),
        "NEWSROOM_TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "DJANGO_EMAIL_HOST": smtp_server.hostname,
        "DJANGO_EMAIL_PORT": str(smtp_server.port),
        "MAILINGLIST_MIN_FILL_SECONDS": "0",
        "MAILINGLIST_SIGNUPS_PER_IP": "6",
        "MAILINGLIST_SIGNUPS_PER_ADDRESS": "100",
    }
    for command in (["migrate", "--noinput", "-v0"], ["load_mailinglist_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True, timeout=300
        )
    servers = []
    for _ in range(2):
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "newsroom.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        servers.append((process, f"http://127.0.0.1:{port}"))
    try:
        for process, url in servers:
            _wait_until_up(process, url)
        yield [url for _, url in servers]
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait(timeout=30)


def _wait_until_up(process, url):
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"server at {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not start")


def test_limits_hold_across_two_processes(two_servers, smtp_server):
    first, second = two_servers
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)
    with opener.open(first + "/newsletter/") as page:
        html = page.read().decode()
    form = {
        "started": re.search(r'name="started" value="([^"]+)"', html).group(1),
        "lists": re.search(r'name="lists" value="(\d+)"', html).group(1),
        "source": "/",
    }

    def submit(server, email):
        data = urllib.parse.urlencode(form | {"email": email}).encode()
        request = urllib.request.Request(server + "/newsletter/", data=data, headers={"Referer": server + "/"})
        try:
            with opener.open(request) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    # A bot hammering one stranger's address through both processes: one email reaches them.
    assert [submit(server, "stranger@example.com") for server in (first, second, first, second)] == [303] * 4
    assert [envelope.rcpt_tos for envelope in smtp_server.inbox.envelopes] == [["stranger@example.com"]]

    # The per-network limit (6 an hour) is counted in the shared cache, not per process.
    assert submit(first, "a@example.com") == 303
    assert submit(second, "b@example.com") == 303
    assert submit(first, "c@example.com") == 429
    assert submit(second, "d@example.com") == 429
    assert len(smtp_server.inbox.envelopes) == 3
