"""Redis as an accelerator, not a dependency of reading.

``ResilientRedisCache`` is Django's Redis cache with one difference: while Redis cannot be reached, a read is a miss
and a write is dropped, instead of an exception that turns every page into a 500. Pages are then made from the
database (slower, uncached) and editors' saves go through. Counters are the exception: ``incr`` still raises, since
a rate limit that guards email must fail closed (mailinglist/ratelimit.py). One warning is logged per interval
while Redis is away, not one per request.
"""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

WARN_EVERY_SECONDS = 60


class _Outage:
    """When Redis was last found away, and when that was last said in the log, for this process."""

    def __init__(self):
        self._lock = threading.Lock()
        self.warned_at = 0.0
        self.failures = 0  # so a caller can tell that its own write was dropped

    def report(self, operation, error):
        now = time.monotonic()
        with self._lock:
            self.failures += 1
            if now - self.warned_at < WARN_EVERY_SECONDS:
                return
            self.warned_at = now
        logger.warning(
            "Redis cannot be reached (%s: %s); serving without the cache. Next warning in %d s at the earliest.",
            operation,
            error,
            WARN_EVERY_SECONDS,
        )


outage = _Outage()


class ResilientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        # Django builds a new redis-py client for every call (about 0.2 ms of the 0.45 ms a one-key read costs); a
        # client only wraps its pool and is safe to share between threads, so one per pool will do. (The pool itself
        # notices a fork and opens new connections in the child.)
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def _tolerate(self, operation, call, fallback):
        try:
            return call()
        except (self._lib.exceptions.ConnectionError, self._lib.exceptions.TimeoutError) as error:
            outage.report(operation, error)
            return fallback

    def add(self, key, value, timeout):
        return self._tolerate("add", lambda: super(ResilientRedisCacheClient, self).add(key, value, timeout), False)

    def get(self, key, default):
        return self._tolerate("get", lambda: super(ResilientRedisCacheClient, self).get(key, default), default)

    def set(self, key, value, timeout):
        self._tolerate("set", lambda: super(ResilientRedisCacheClient, self).set(key, value, timeout), None)

    def touch(self, key, timeout):
        return self._tolerate("touch", lambda: super(ResilientRedisCacheClient, self).touch(key, timeout), False)

    def delete(self, key):
        return self._tolerate("delete", lambda: super(ResilientRedisCacheClient, self).delete(key), False)

    def get_many(self, keys):
        return self._tolerate("get_many", lambda: super(ResilientRedisCacheClient, self).get_many(keys), {})

    def has_key(self, key):
        return self._tolerate("has_key", lambda: super(ResilientRedisCacheClient, self).has_key(key), False)

    def set_many(self, data, timeout):
        return self._tolerate("set_many", lambda: super(ResilientRedisCacheClient, self).set_many(data, timeout), [])

    def delete_many(self, keys):
        return self._tolerate("delete_many", lambda: super(ResilientRedisCacheClient, self).delete_many(keys), None)


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ResilientRedisCacheClient
