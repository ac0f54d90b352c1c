"""Purges sent to Varnish (deploy/varnish/newsroom.vcl): `PURGE /` with the surrogate keys in an `xkey-purge`
header (hard: the copies are dropped) or an `xkey-softpurge` one (soft: they stay in grace, served while one fetch
makes each page again), to every Varnish in NEWSROOM_VARNISH_URLS. The page cache decides which keys an event purges,
and how; this module only delivers them, from a task so a slow or unreachable Varnish never holds up an editor's
request."""

import logging
import re
from datetime import timedelta
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

from django.conf import settings
from django.utils import timezone
from django_tasks import default_task_backend, task

logger = logging.getLogger(__name__)

# Varnish refuses a request whose header is longer than http_req_hdr_len (8 KiB by default): a purge of many keys
# is sent as several requests.
MAX_HEADER_BYTES = 4000
# A purge that fails is tried again after 2, 4, 8… seconds; after the last attempt the pages it concerned stay
# until their s-maxage runs out, and the failed task says so.
MAX_ATTEMPTS = 6
_PURGED = re.compile(rb"Purged (\d+)")


class PurgeFailed(Exception):
    """Some Varnish did not confirm the purge; `failures` maps each such base URL to what went wrong."""

    def __init__(self, failures: dict[str, str]):
        self.failures = failures
        super().__init__("; ".join(f"{url}: {reason}" for url, reason in failures.items()))


def purge(keys, *, urls=None, soft=False) -> dict[str, int]:
    """Purge every page carrying any of `keys` from each Varnish (default: NEWSROOM_VARNISH_URLS), dropping the copies
    or, `soft`, leaving them to be served stale while the page is fetched again.

    Returns what each Varnish reported dropping (xkey counts a page once for each of the keys that matched it).
    Every Varnish is tried; if any did not answer 200 within NEWSROOM_VARNISH_TIMEOUT, PurgeFailed names them
    (after the others were purged).
    """
    keys = sorted(set(keys))
    for key in keys:
        if not key or not key.isprintable() or re.search(r"[\s,]", key):
            # xkey splits its header on blanks and commas: such a key would purge other pages than it names.
            raise ValueError(f"Not a surrogate key: {key!r}")
    urls = list(settings.NEWSROOM_VARNISH_URLS if urls is None else urls)
    purged, failures = {}, {}
    if not keys:
        return purged
    for url in urls:
        try:
            purged[url] = sum(_send(url, batch, soft) for batch in _batches(keys))
        except PurgeFailed as error:
            failures.update(error.failures)
    if failures:
        raise PurgeFailed(failures)
    return purged


@task()
def purge_keys(keys: list[str], urls: list[str] | None = None, attempt: int = 1, soft: bool = False) -> dict[str, int]:
    """Deliver a purge; a Varnish that did not confirm it is tried again later (only that one), and this run
    still fails so the task's record shows why."""
    try:
        return purge(keys, urls=urls, soft=soft)
    except PurgeFailed as error:
        if attempt < MAX_ATTEMPTS and default_task_backend.supports_defer:
            later = timezone.now() + timedelta(seconds=2**attempt)
            purge_keys.using(run_after=later).enqueue(keys, list(error.failures), attempt + 1, soft)
        logger.warning("Varnish purge of %s failed (attempt %d): %s", " ".join(keys), attempt, error)
        raise


def _batches(keys):
    batch, size = [], 0
    for key in keys:
        if batch and size + len(key) + 1 > MAX_HEADER_BYTES:
            yield batch
            batch, size = [], 0
        batch.append(key)
        size += len(key) + 1
    yield batch


def _send(base_url: str, keys: list[str], soft: bool) -> int:
    if urlsplit(base_url).scheme not in ("http", "https"):
        raise PurgeFailed({base_url: "not an http(s) URL (NEWSROOM_VARNISH_URLS)"})
    # The scheme is checked above: no file: or other URL reaches urlopen.
    header = "xkey-softpurge" if soft else "xkey-purge"
    request = Request(base_url.rstrip("/") + "/", method="PURGE", headers={header: " ".join(keys)})  # noqa: S310
    try:
        with urlopen(request, timeout=settings.NEWSROOM_VARNISH_TIMEOUT) as response:  # noqa: S310  # nosec B310
            status, body = response.status, response.read(1000)
    except HTTPError as error:
        raise PurgeFailed({base_url: f"answered {error.code} {error.reason}"}) from error
    except (URLError, OSError) as error:
        raise PurgeFailed({base_url: str(getattr(error, "reason", error))}) from error
    if status != 200:
        raise PurgeFailed({base_url: f"answered {status} instead of 200"})
    match = _PURGED.search(body)
    return int(match.group(1)) if match else 0
