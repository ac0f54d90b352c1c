"""A real HTTP server on 127.0.0.1 serving feeds, pictures and misbehaviour, in a thread of the test process."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from wire.models import Channel

SAMPLES = Path(__file__).with_name("samples")


def sample(name, base=""):
    return (SAMPLES / name).read_text(encoding="utf-8").replace("{base}", base).encode("utf-8")


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml"
    headers: dict = field(default_factory=dict)
    etag: str = ""
    last_modified: str = ""
    delay: float = 0.0
    stream: int = 0  # send this many bytes without a Content-Length, in chunks


class FeedServer:
    def __init__(self):
        self.routes = {}
        self.requests = []  # (path, headers) of every request
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.requests.append((self.path, dict(self.headers)))
                route = server.routes.get(self.path)
                if route is None:
                    self.send_error(404)
                    return
                if route.delay:
                    time.sleep(route.delay)
                unchanged = (route.etag and self.headers.get("If-None-Match") == route.etag) or (
                    route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified
                )
                try:
                    if unchanged:
                        self.send_response(304)
                        self.end_headers()
                        return
                    self.send_response(route.status)
                    self.send_header("Content-Type", route.content_type)
                    for name, value in route.headers.items():
                        self.send_header(name, value)
                    if route.etag:
                        self.send_header("ETag", route.etag)
                    if route.last_modified:
                        self.send_header("Last-Modified", route.last_modified)
                    if route.stream:
                        self.send_header("Connection", "close")
                        self.end_headers()
                        chunk = b"<rss>" + b"x" * (1024 * 1024 - 5)
                        sent = 0
                        while sent < route.stream:
                            self.wfile.write(chunk)
                            sent += len(chunk)
                        return
                    if "Content-Length" not in route.headers:
                        self.send_header("Content-Length", str(len(route.body)))
                    self.end_headers()
                    self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading, as it should past its cap

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def serve(self, path, body=b"", **options):
        self.routes[path] = Route(body=body, **options)
        return self.base + path

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feed_server():
    server = FeedServer()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _wire_settings(settings):
    # The test server is on the loopback address, which channels may not read by default.
    settings.NEWSROOM_WIRE_PRIVATE_ADDRESSES = True
    settings.NEWSROOM_WIRE_TIMEOUT = 5.0


@pytest.fixture
def make_channel(db, make_source, make_category):
    counter = iter(range(1, 10_000))

    def make(**fields):
        n = next(counter)
        fields.setdefault("name", f"Channel {n}")
        fields.setdefault("kind", Channel.Kind.FEED)
        fields.setdefault("url", f"https://feeds.example/{n}.xml")
        if "source" not in fields:
            fields["source"] = make_source()
        if "section" not in fields:
            fields["section"] = make_category(name=f"Wire section {n}", slug=f"wire-section-{n}")
        rules = fields.pop("rules", [])
        channel = Channel(**fields)
        channel.ensure_push_token()
        channel.save()
        for rule in rules:
            channel.rules.create(**rule)
        return channel

    return make


@pytest.fixture
def jpeg():
    from tests.conftest import picture_bytes

    return picture_bytes(fmt="JPEG", size=(800, 450))
