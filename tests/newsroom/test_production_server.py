"""The site under gunicorn with production settings (debug off, collected static files): what it serves to
strangers and what their probes leave in the log."""

import http.client
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from newsroom.overload import MachineSlots
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]


class ProductionServer:
    def __init__(self, port: int, log: Path, var: Path):
        self.port, self.log, self.var = port, log, var

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(self, method: str, path: str, host: str = "127.0.0.1", headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, headers={"Host": host, **(headers or {})})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def get(self, path: str, host: str = "127.0.0.1", headers=None):
        status, _headers, body = self.request("GET", path, host, headers)
        return status, body

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def running_production_server(tmp: Path, *, setup=()):
    """gunicorn as `make serve` runs it (debug off, static files collected), on SQLite under ``tmp``; ``setup``: more
    management commands run before it starts, e.g. ``[["load_demo"]]``."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "NEWSROOM_", "GUNICORN_", "DATABASE_"))}
    env |= {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-for-this-test-only-0123456789abcdef",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_STATIC_ROOT": str(tmp / "static"),
        "NEWSROOM_VAR_DIR": str(tmp / "var"),
        "NEWSROOM_SITE_URL": "https://news.example.com",
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
    }
    for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"], *setup):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True, timeout=300
        )
    log = tmp / "server.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "newsroom.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = ProductionServer(port, log, tmp / "var")
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if server.get("/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start:\n{server.log_text()}")
            time.sleep(0.3)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    with running_production_server(tmp_path_factory.mktemp("production")) as server:
        yield server


def test_the_static_manifest_is_not_served(production_server):
    manifest = production_server.get("/static/staticfiles.json")
    assert manifest[0] == 404
    assert b'"paths"' not in manifest[1]
    assert production_server.get("/static/staticfiles.json.gz")[0] == 404


def test_collected_static_files_are_still_served(production_server):
    import json

    paths = json.loads((Path(production_server.log).parent / "static" / "staticfiles.json").read_text())["paths"]
    status, body = production_server.get("/static/" + paths["js/mailinglist.js"])
    assert status == 200 and b"data-signup-form" in body


def test_each_bad_host_header_logs_one_short_line(production_server):
    before = len(production_server.log_text())
    hosts = ["evil.example", "attacker.example:8080", "x" * 2000 + ".example"]
    for host in hosts:
        assert production_server.get("/", host=host)[0] == 400
    time.sleep(0.5)  # the worker writes its log lines after answering
    lines = production_server.log_text()[before:].splitlines()
    assert len(lines) == len(hosts), lines
    for line in lines:
        assert "Invalid HTTP_HOST header" in line
        assert len(line) <= 400
    assert "Traceback" not in production_server.log_text()


@pytest.mark.parametrize(
    "header", [{"X-Forwarded-Ssl": "on"}, {"X-Forwarded-Proto": "https"}, {"X-Forwarded-Protocol": "ssl"}]
)
def test_a_forwarded_scheme_is_not_trusted_without_a_proxy_configured(production_server, header):
    """Issue 17 item 6: one request with X-Forwarded-Ssl made robots.txt and canonical links say https to everyone."""
    assert b"Sitemap: http://127.0.0.1/sitemap.xml" in production_server.get("/robots.txt", headers=header)[1]
    assert b"Sitemap: http://127.0.0.1/sitemap.xml" in production_server.get("/robots.txt")[1]


def test_uploaded_pictures_are_served_with_their_type_and_kept_for_good(production_server):
    """Issue 16 item 1: under `make serve` every /media/ address answered 404, so no photo, og:image or enclosure
    showed."""
    picture = production_server.var / "media" / "renditions" / "7" / "card-320x180-v2.jpg"
    picture.parent.mkdir(parents=True)
    picture.write_bytes(b"\xff\xd8\xff\xe0" + b"jpeg" * 200)
    status, headers, body = production_server.request(
        "GET", "/media/renditions/7/card-320x180-v2.jpg", headers={"Accept-Encoding": "gzip"}
    )
    assert (status, body) == (200, picture.read_bytes())
    assert headers["Content-Type"] == "image/jpeg"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Encoding" not in headers
    again = production_server.request(
        "GET", "/media/renditions/7/card-320x180-v2.jpg", headers={"If-None-Match": headers["ETag"]}
    )
    assert again[0] == 304


@pytest.mark.parametrize(
    "path",
    [
        "/media/renditions/",
        "/media/renditions/7/",
        "/media/../db.sqlite3",
        "/media/%2e%2e/db.sqlite3",
        "/media/renditions/7/missing.jpg",
        "/media/notes.txt",
        "/media/.hidden.jpg",
    ],
)
def test_nothing_else_is_served_from_the_media_folder(production_server, path):
    media = production_server.var / "media"
    media.mkdir(exist_ok=True)
    (media / "notes.txt").write_text("private")
    (media / ".hidden.jpg").write_bytes(b"\xff\xd8")
    status, body = production_server.get(path)
    assert status in (400, 404)
    assert b"private" not in body and b"SQLite" not in body


def test_favicon_ico_leads_to_the_collected_icon(production_server):
    status, headers, _body = production_server.request("GET", "/favicon.ico")
    assert status == 302
    location = headers["Location"]
    assert location.startswith("/static/img/favicon.") and location.endswith(".ico")  # hashed: kept for good
    status, headers, body = production_server.request("GET", location)
    assert status == 200
    assert headers["Content-Type"] in ("image/vnd.microsoft.icon", "image/x-icon")
    assert body.startswith(b"\x00\x00\x01\x00")  # an ICO file


def test_slow_requests_are_limited_across_the_workers_health_checks_never(production_server):
    """Issue 15 item 5: 200 connections on search made everyone queue, /healthz too. Every worker counts slow requests
    in the same places (lock files under NEWSROOM_VAR_DIR/busy): with all of them taken by another process, a search
    is turned away at once and the health check still answers."""
    others = MachineSlots(production_server.var / "busy", 64)  # more places than any default limit names
    held = [others.take() for _ in range(64)]
    try:
        status, headers, _body = production_server.request("GET", "/search/?q=peace")
        assert status == 503 and headers["Retry-After"] == "5"
        assert production_server.get("/healthz")[0] == 200
    finally:
        for place in held:
            others.give_back(place)
    assert production_server.get("/search/?q=peace")[0] == 200
