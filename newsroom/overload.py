"""Shedding load instead of queueing it.

A gunicorn worker has a few threads and one queue in front of them. When slow requests (searches, uncached listings,
signups) take the threads, every later request waits in that queue behind them, health checks included, and a burst
of 200 searches becomes four-second pages for everyone. This middleware lets only so many such requests work at once
and answers the rest at once with 503 and ``Retry-After``. It sits after the page cache: a page served from the cache
is never turned away. Two limits:

- **per process**, NEWSROOM_BUSY_LIMIT: fewer than a worker's threads, so a worker always has a thread for cheap
  requests;
- **per machine**, NEWSROOM_BUSY_MACHINE_LIMIT, shared by every worker: the processor is. Slow requests are mostly
  processor work (the ranking of a search in PostgreSQL, rendering in Python), so beyond a few per core they only
  make each other slower, and they starve what is left: the queue of cheap answers (cached pages, the 503s, health
  checks) drains at the speed of the processor time left to it. Per process alone, the machine's count is the
  per-process limit times the workers (15 with 5 workers), and a low per-process limit turns readers away while
  other workers sit idle, since any worker may take a connection. A request finding the machine full waits
  NEWSROOM_BUSY_WAIT for a place before its 503, so a burst of quick pages is served a moment late rather than
  turned away; while it waits it holds a thread and counts against its process's limit, asleep.
"""

import fcntl
import logging
import os
import random
import threading
import time
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse

logger = logging.getLogger(__name__)

# The benchmark's reference views (only with NEWSROOM_BENCH=1) measure the stack under them, not the shedding: wrk's
# sixteen connections on a trivial view would otherwise be turned away as if they were sixteen searches.
_EXEMPT = ("/healthz", "/readyz", "/admin/", "/static/", "/media/", "/_bench/")
UNHELD = -1
REPORT_EVERY_SECONDS = 60
# How often a request waiting for a place on the machine looks again: a place given back is taken within this.
WAIT_STEP = 0.02


class MachineSlots:
    """`limit` places shared by every process on this machine that uses `folder`: a lock file each. The kernel drops a
    file's lock when the process holding it dies, however it dies, so a killed worker never keeps a place."""

    def __init__(self, folder: Path, limit: int):
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.paths = [folder / f"slot-{number}" for number in range(limit)]
        self.complained_at = None

    def take(self, wait: float = 0.0) -> int | None:
        """A held place (a file descriptor, for give_back), or None when every place stayed taken for `wait`
        seconds. When the folder cannot be used, a place not held: serving beats refusing everyone."""
        deadline = time.monotonic() + wait
        while True:
            place = self._take_a_free_one()
            if place is not None or time.monotonic() >= deadline:
                return place
            time.sleep(min(WAIT_STEP, max(0.0, deadline - time.monotonic())))

    def _take_a_free_one(self) -> int | None:
        for path in random.sample(self.paths, len(self.paths)):
            try:
                descriptor = self._open(path)
            except OSError as error:
                self._complain(error)
                return UNHELD
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(descriptor)
                continue
            return descriptor
        return None

    @staticmethod
    def give_back(descriptor: int) -> None:
        if descriptor != UNHELD:
            os.close(descriptor)  # and with it the lock

    def _open(self, path):
        # A descriptor of its own for each taking: flock() locks belong to an open file, so two threads of one
        # process sharing a descriptor would share one place.
        flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC
        try:
            return os.open(path, flags, 0o600)
        except FileNotFoundError:
            self.folder.mkdir(parents=True, exist_ok=True)  # removed meanwhile, say by a cleaner of old files
            return os.open(path, flags, 0o600)

    def _complain(self, error):
        now = time.monotonic()
        if self.complained_at is None or now - self.complained_at >= REPORT_EVERY_SECONDS:
            self.complained_at = now
            logger.error("No machine-wide limit on slow requests: %s (NEWSROOM_BUSY_DIR)", error)


class _TurnedAway:
    """Requests this process turned away, said in the log when it starts and then counted once a minute at most:
    Django would log each 503 as an error, a thousand lines a second in a burst."""

    def __init__(self):
        self._lock = threading.Lock()
        self.count = 0
        self.said_at = None

    def add(self):
        now = time.monotonic()
        with self._lock:
            self.count += 1
            if self.said_at is not None and now - self.said_at < REPORT_EVERY_SECONDS:
                return
            count, since, self.count, self.said_at = self.count, self.said_at, 0, now
        if since is None:
            logger.warning(
                "Busy: turning slow requests away with 503 (NEWSROOM_BUSY_LIMIT %d per process, "
                "NEWSROOM_BUSY_MACHINE_LIMIT %d); counted here once a minute at most.",
                settings.NEWSROOM_BUSY_LIMIT,
                settings.NEWSROOM_BUSY_MACHINE_LIMIT,
            )
        else:
            logger.warning("Busy: %d slow requests turned away with 503 in the last %.0f s.", count, now - since)


turned_away = _TurnedAway()


def _busy():
    turned_away.add()
    response = HttpResponse(
        "The site is very busy. Please try again in a few seconds.\n", status=503, content_type="text/plain"
    )
    response["Retry-After"] = str(settings.NEWSROOM_BUSY_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # Django's own mark: its request log skips it (the tally above says it)
    return response


class LoadShedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.slots = threading.BoundedSemaphore(settings.NEWSROOM_BUSY_LIMIT) if settings.NEWSROOM_BUSY_LIMIT else None
        self.machine, self.wait = None, settings.NEWSROOM_BUSY_WAIT
        if settings.NEWSROOM_BUSY_MACHINE_LIMIT:
            try:
                self.machine = MachineSlots(Path(settings.NEWSROOM_BUSY_DIR), settings.NEWSROOM_BUSY_MACHINE_LIMIT)
            except OSError as error:
                # Serving without the machine's limit beats not serving: the per-process one still holds.
                logger.error("No machine-wide limit on slow requests: %s (NEWSROOM_BUSY_DIR)", error)

    def __call__(self, request):
        if request.path.startswith(_EXEMPT):
            return self.get_response(request)
        if self.slots is not None and not self.slots.acquire(blocking=False):
            return _busy()
        try:
            return self._within_the_machine_limit(request)
        finally:
            if self.slots is not None:
                self.slots.release()

    def _within_the_machine_limit(self, request):
        if self.machine is None:
            return self.get_response(request)
        place = self.machine.take(wait=self.wait)
        if place is None:
            return _busy()
        try:
            return self.get_response(request)
        finally:
            self.machine.give_back(place)
