"""Reading what a channel points at: an http(s) address, or a file in the wire folder.

Whatever is at the other end may be slow, huge, broken or hostile, so every read has one deadline for the whole
exchange (not per packet: a server dripping a byte a second still runs out of time), a size cap checked while the
body streams in (the rest is never read), conditional GET (``ETag``, ``If-Modified-Since``), redirects only to other
http(s) addresses, and, unless NEWSROOM_WIRE_PRIVATE_ADDRESSES is on, only hosts on the public internet: the
address is checked on the connected socket, so a name that resolves differently the second time gains nothing.
"""

import http.client
import ipaddress
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from django.conf import settings

CHUNK = 64 * 1024
MAX_REDIRECTS = 5


class FetchError(Exception):
    """Why a read failed, in words an editor can act on (shown on the channel as its last error)."""


@dataclass(frozen=True)
class Fetched:
    status: int  # 200, or 304 when nothing changed since the ETag / time given
    body: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    url: str = ""

    @property
    def not_modified(self):
        return self.status == 304


def megabytes(size):
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def _check_peer(sock, host):
    if settings.NEWSROOM_WIRE_PRIVATE_ADDRESSES:
        return
    address = ipaddress.ip_address(sock.getpeername()[0].split("%", 1)[0])
    if not address.is_global:
        sock.close()
        raise FetchError(
            f"{host} is on a private or local network ({address}); wire channels may only read public internet "
            "addresses (NEWSROOM_WIRE_PRIVATE_ADDRESSES allows others)."
        )


class _PublicHTTPConnection(http.client.HTTPConnection):
    def connect(self):
        super().connect()
        _check_peer(self.sock, self.host)


class _PublicHTTPSConnection(http.client.HTTPSConnection):
    def connect(self):
        super().connect()
        _check_peer(self.sock, self.host)


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_PublicHTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_PublicHTTPSConnection, req, context=self._context)


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def http_error_302(self, req, fp, code, msg, headers):
        target = urljoin(req.full_url, headers.get("Location") or headers.get("URI") or "")
        if urlsplit(target).scheme.lower() not in ("http", "https"):
            fp.close()
            raise FetchError(f"The server redirected to {target!r}; only http and https addresses are followed.")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _opener():
    # No proxies from the environment: the address check must see the real host, not a proxy's.
    return urllib.request.build_opener(urllib.request.ProxyHandler({}), _HTTPHandler, _HTTPSHandler, _RedirectHandler)


def fetch_url(url, *, etag="", last_modified="", max_bytes=None, timeout=None, accept="*/*"):
    """GET ``url``; return ``Fetched`` (status 200 with the body, or 304), or raise ``FetchError``.

    A server that drips its answer still stops by the deadline plus one socket timeout: each read waits at most
    ``timeout`` and the deadline is checked between reads."""
    max_bytes = settings.NEWSROOM_WIRE_MAX_BYTES if max_bytes is None else max_bytes
    timeout = settings.NEWSROOM_WIRE_TIMEOUT if timeout is None else timeout
    if urlsplit(url).scheme.lower() not in ("http", "https") or not urlsplit(url).hostname:
        raise FetchError(f"{url!r} is not an http or https address.")
    headers = {"User-Agent": f"{settings.SITE_NAME} wire desk", "Accept": accept, "Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - the scheme is checked above
    try:
        response = _opener().open(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 304:
            return Fetched(status=304, etag=etag, last_modified=last_modified, url=url)
        raise FetchError(f"The server answered {exc.code} {exc.reason}.") from None
    except FetchError:
        raise
    except TimeoutError:
        raise FetchError(f"No answer within {timeout:g} seconds.") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, FetchError):
            raise reason from None
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise FetchError(f"No answer within {timeout:g} seconds.") from None
        raise FetchError(f"Could not connect: {reason}.") from None
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError(f"The connection failed: {exc or type(exc).__name__}.") from None
    with response:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise FetchError(f"The response is {megabytes(int(declared))} MB; the limit is {megabytes(max_bytes)} MB.")
        body = _read_capped(response, max_bytes=max_bytes, deadline=deadline, timeout=timeout)
        return Fetched(
            status=200,
            body=body,
            content_type=response.headers.get("Content-Type", ""),
            etag=response.headers.get("ETag", "")[:500],
            last_modified=response.headers.get("Last-Modified", "")[:100],
            url=response.geturl(),
        )


def _read_capped(response, *, max_bytes, deadline, timeout):
    chunks, size = [], 0
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise FetchError(f"The response took longer than {timeout:g} seconds to arrive.")
            # Each read waits at most the socket's timeout, so the whole read ends by the deadline plus one timeout.
            chunk = response.read1(CHUNK)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(
                    f"The response is larger than the limit of {megabytes(max_bytes)} MB; stopped reading."
                )
            chunks.append(chunk)
    except TimeoutError:
        raise FetchError(f"The response took longer than {timeout:g} seconds to arrive.") from None
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError(f"The connection broke while reading: {exc or type(exc).__name__}.") from None


def wire_folder():
    return Path(settings.NEWSROOM_WIRE_FILES_DIR).resolve()


def file_path(name):
    """The file ``name`` inside the wire folder, or FetchError if it would lead anywhere else."""
    folder = wire_folder()
    path = (folder / name).resolve()
    if not path.is_relative_to(folder) or path == folder:
        raise FetchError(f"{name!r} is not a file inside the wire folder.")
    return path


def read_file(name, *, last_modified="", max_bytes=None):
    """A feed file from the wire folder, as ``fetch_url`` would return it (304 when its time has not changed)."""
    max_bytes = settings.NEWSROOM_WIRE_MAX_BYTES if max_bytes is None else max_bytes
    path = file_path(name)
    try:
        stat = path.stat()
    except OSError:
        raise FetchError(f"There is no file {name!r} in the wire folder.") from None
    if not path.is_file():
        raise FetchError(f"{name!r} in the wire folder is not a file.")
    stamp = formatdate(stat.st_mtime, usegmt=True)
    if last_modified and _same_time(last_modified, stamp):
        return Fetched(status=304, last_modified=last_modified, url=name)
    if stat.st_size > max_bytes:
        raise FetchError(f"The file is {megabytes(stat.st_size)} MB; the limit is {megabytes(max_bytes)} MB.")
    return Fetched(status=200, body=path.read_bytes()[: max_bytes + 1], last_modified=stamp, url=name)


def _same_time(a, b):
    try:
        return parsedate_to_datetime(a) == parsedate_to_datetime(b)
    except (TypeError, ValueError):
        return False
