"""Fixed-window counters in Django's default cache, which every process on the site shares (a file cache on one
machine, Redis on several), so a limit holds however many workers serve the form."""

import contextlib
import fcntl
import hashlib
import ipaddress
import os
import time

from django.core.cache import cache
from django.core.cache.backends.filebased import FileBasedCache


@contextlib.contextmanager
def _exclusive(backend):
    """The file cache reads and writes a counter in two steps; a lock file makes the pair atomic between
    processes. Redis and the in-memory cache increment atomically on their own."""
    if not isinstance(backend, FileBasedCache):
        yield
        return
    os.makedirs(backend._dir, exist_ok=True)
    with open(os.path.join(backend._dir, "ratelimit.lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Unavailable(Exception):
    """The counters cannot be reached (Redis is away): a limit that guards email fails closed."""


def hit(scope: str, key: str, *, limit: int, window: int, backend=None) -> bool:
    """Count one attempt for `key`; False once more than `limit` attempts fell in the current window. Raises
    Unavailable when the cache cannot count."""
    backend = backend or cache
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    slot = int(time.time() // window)
    cache_key = f"ratelimit:{scope}:{digest}:{slot}"
    with _exclusive(backend):
        if backend.add(cache_key, 1, timeout=window + 5):
            count = 1
        else:
            try:
                count = backend.incr(cache_key)
            except ValueError:
                # The window ended between add() and incr(): this attempt opens the next one.
                backend.set(cache_key, 1, timeout=window + 5)
                count = 1
            except Exception as error:  # the cache backend's own errors: Redis away, a file cache unwritable
                raise Unavailable(str(error)) from error
    return count <= limit


def note_refusal(scope: str, *, keep: int, backend=None) -> None:
    """Remember that a site-wide limit refused something, for `keep` seconds: when it first and last did, and how
    often, so the admin can show an alert."""
    backend = backend or cache
    now = time.time()
    backend.add(f"ratelimit-refused:{scope}:first", now, timeout=keep)
    backend.set(f"ratelimit-refused:{scope}:last", now, timeout=keep)
    with _exclusive(backend):
        if not backend.add(f"ratelimit-refused:{scope}:count", 1, timeout=keep):
            try:
                backend.incr(f"ratelimit-refused:{scope}:count")
            except ValueError:
                backend.set(f"ratelimit-refused:{scope}:count", 1, timeout=keep)


def refusals(scope: str, *, backend=None) -> dict | None:
    """{"first", "last" (Unix times), "count"} of the refusals `note_refusal` remembers, or None."""
    backend = backend or cache
    found = backend.get_many([f"ratelimit-refused:{scope}:{part}" for part in ("first", "last", "count")])
    if not found:
        return None
    return {part: found.get(f"ratelimit-refused:{scope}:{part}") for part in ("first", "last", "count")}


def network_of(ip: str | None) -> str:
    """IPv6 users get a whole /64, so counting single addresses there would let one user rotate for ever."""
    if not ip:
        return "unknown"
    address = ipaddress.ip_address(ip)
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped:
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False))
