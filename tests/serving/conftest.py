"""A real varnishd with the repository's VCL (deploy/varnish/newsroom.vcl) in front of a Django server.

`varnish` puts one in front of pytest-django's `live_server` (the whole site); `start_varnish(backend_url)` in front
of any server. Each varnishd has its own work folder and port, runs in the foreground and is stopped after the
test; NEWSROOM_VARNISH_URLS points at it, so the app's purges reach it.
"""

import http.client
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.ports import free_port

VCL_TEMPLATE = Path(__file__).resolve().parents[2] / "deploy" / "varnish" / "newsroom.vcl"
VARNISHD = shutil.which("varnishd") or shutil.which("varnishd", path="/usr/sbin:/usr/local/sbin")
VARNISHADM = shutil.which("varnishadm")
MISSING = "varnishd is not installed (apt-get install varnish varnish-modules); CI installs it"
START_SECONDS = 60


def render_vcl(*, host: str, port: int, host_header: str) -> str:
    """The template filled in as `make varnish` does it."""
    return (
        VCL_TEMPLATE.read_text()
        .replace("@BACKEND_HOST@", host)
        .replace("@BACKEND_PORT@", str(port))
        .replace("@BACKEND_HOST_HEADER@", host_header)
    )


@dataclass
class Response:
    status: int
    reason: str
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def cache(self) -> str | None:
        return self.headers.get("X-Cache")

    @property
    def text(self) -> str:
        return self.body.decode()


@dataclass
class Varnish:
    url: str
    workdir: Path
    log: Path
    process: subprocess.Popen

    @property
    def port(self) -> int:
        return urlsplit(self.url).port

    def request(self, method: str, path: str, *, headers=None, source: str | None = None) -> Response:
        """One request on a fresh connection, as sent (no decompression, no cookies kept); `source` is the local
        address to send from (any 127.x.y.z is loopback on Linux)."""
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(source, 0) if source else None
        )
        try:
            connection.request(method, path, headers=headers or {})
            answer = connection.getresponse()
            return Response(answer.status, answer.reason, answer.headers, answer.read())
        finally:
            connection.close()

    def get(self, path: str, **headers) -> Response:
        return self.request("GET", path, headers={name.replace("_", "-"): value for name, value in headers.items()})

    def backend_health(self) -> str:
        """ "healthy" or "sick", as the health probe last found the app."""
        listing = subprocess.run(
            [VARNISHADM, "-n", str(self.workdir), "backend.list"], capture_output=True, text=True, timeout=10
        ).stdout
        return "sick" if " sick " in listing else "healthy"

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def run_varnish(backend_url: str, folder: Path) -> Varnish:
    """Start varnishd with the repository's VCL in front of `backend_url`, its files in `folder`; return once it
    answers. The caller stops it (Varnish.stop) and lets the app accept 127.0.0.1 as a host."""
    if VARNISHD is None:
        pytest.skip(MISSING)
    backend = urlsplit(backend_url)
    # VCL wants one address; "localhost" may name two (127.0.0.1 and ::1).
    address = socket.getaddrinfo(backend.hostname, backend.port, socket.AF_INET, socket.SOCK_STREAM)[0][4][0]
    folder.mkdir(parents=True, exist_ok=True)
    vcl = folder / "newsroom.vcl"
    vcl.write_text(render_vcl(host=address, port=backend.port, host_header=backend.hostname))
    log = folder / "varnishd.log"
    port = free_port()
    command = [
        VARNISHD,
        "-F",
        "-j",
        "none",
        "-n",
        str(folder / "work"),
        "-a",
        f"127.0.0.1:{port}",
        "-T",
        "127.0.0.1:0",
        "-f",
        str(vcl),
        "-s",
        "malloc,32m",
        "-p",
        "vsl_space=1M",
        # A test stops its backend to check stale-if-error; pooled connections to it must not outlive that.
        "-p",
        "backend_idle_timeout=1",
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    varnish = Varnish(url=f"http://127.0.0.1:{port}", workdir=folder / "work", log=log, process=process)
    try:
        _wait_until_ready(varnish)
    except BaseException:
        varnish.stop()
        raise
    return varnish


@pytest.fixture
def start_varnish(tmp_path, settings):
    """`start_varnish(backend_url)`: a Varnish in front of that server for this test, with NEWSROOM_VARNISH_URLS
    pointing at it (the last one started)."""
    started = []
    # Readers reach the app through Varnish by this address, with it as their Host.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]

    def start(backend_url: str) -> Varnish:
        varnish = run_varnish(backend_url, tmp_path / f"varnish-{len(started)}")
        started.append(varnish)
        settings.NEWSROOM_VARNISH_URLS = [varnish.url]
        return varnish

    yield start
    for varnish in started:
        varnish.stop()


def _wait_until_ready(varnish: Varnish):
    """Until /healthz answers 200 through Varnish (it compiles the VCL with cc first, which takes seconds)."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if varnish.process.poll() is not None:
            pytest.fail(f"varnishd exited with {varnish.process.returncode}:\n{varnish.log.read_text()}")
        try:
            if varnish.request("GET", "/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail(f"varnishd did not answer /healthz within {START_SECONDS} s:\n{varnish.log.read_text()}")


@pytest.fixture
def varnish(live_server, start_varnish) -> Varnish:
    """Varnish in front of the whole site (pytest-django's live server); `varnish.url` is its base URL."""
    return start_varnish(live_server.url)
