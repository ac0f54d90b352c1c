"""Uploaded media (served copies, renditions, author photos) from the local media folder, in production too.

WhiteNoise serves the static files it found at start-up and cannot see an upload made since, so this small middleware
serves the default storage's files while that storage is the local ``FileSystemStorage`` (the embedded default). It
sits beside WhiteNoise, before compression (pictures do not shrink) and the page cache (a file is not a page). A front
server that answers ``/media/`` itself (nginx, Varnish) or media on S3 take over without a change here: the requests
no longer arrive, or the storage is no longer local and this middleware steps aside (docs/deploy.md, "Media").

Only what a reader's browser needs is served: files in the media folder (never through a link out of it, never a
dot-file or a folder listing, never a private storage's folder put inside it), with an extension from a short list of
picture formats and the content type that goes with it, never guessed from the bytes. Every name the app writes is
unique (a UUID, or the image's id and version), so its files may be kept by browsers and caches for a year.
"""

import stat
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

CONTENT_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
}
# Written under a fresh name every time (articles/models.py, renditions.py, services.py): safe to keep for good.
UNIQUE_NAMES = ("renditions/", "images/", "authors/")
FOREVER = "public, max-age=31536000, immutable"
A_DAY = "public, max-age=86400"


def local_storage():
    """The default storage when it is a folder on this machine served under a path of this site, else None."""
    storage = storages["default"]
    if not isinstance(storage, FileSystemStorage) or not (storage.base_url or "").startswith("/"):
        return None
    return storage


def _confined(root: Path, name: str) -> Path | None:
    """The file ``name`` stands for inside ``root``, or None when it is not a plain, visible file there."""
    parts = name.split("/")
    if "\\" in name or "\x00" in name or any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        return None
    if Path(name).suffix.lower() not in CONTENT_TYPES:
        return None
    root = root.resolve()
    path = root.joinpath(*parts).resolve()  # symbolic links followed: the target must be inside the folder too
    if not path.is_relative_to(root) or any(path.is_relative_to(folder) for folder in _private_folders()):
        return None
    return path


def _private_folders():
    """The other storages' folders (the originals, uploaded imports): never served, even put inside the media folder."""
    for alias, config in settings.STORAGES.items():
        location = config.get("OPTIONS", {}).get("location")
        if alias != "default" and location:
            yield Path(location).resolve()


def serve(request, storage, name):
    path = _confined(Path(storage.location), name)
    try:
        found = path.stat() if path else None
    except OSError:
        found = None
    if found is None or not stat.S_ISREG(found.st_mode):
        raise Http404("No such file.")
    etag = f'"{found.st_mtime_ns:x}-{found.st_size:x}"'
    not_modified = get_conditional_response(request, etag=etag, last_modified=int(found.st_mtime))
    response = not_modified or (
        HttpResponse(content_type=CONTENT_TYPES[path.suffix.lower()])
        if request.method == "HEAD"
        else FileResponse(path.open("rb"), content_type=CONTENT_TYPES[path.suffix.lower()])
    )
    if not not_modified:
        response["Content-Length"] = str(found.st_size)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(found.st_mtime)
    response["Cache-Control"] = FOREVER if name.startswith(UNIQUE_NAMES) else A_DAY
    return response


class MediaFilesMiddleware:
    """Answers requests under the local storage's URL with its files; every other request passes through."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        storage = local_storage()
        if storage is None or not request.path.startswith(storage.base_url):
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        try:
            return serve(request, storage, request.path.removeprefix(storage.base_url))
        except Http404:
            return HttpResponse("Not found.\n", status=404, content_type="text/plain; charset=utf-8")
