import random
import uuid

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.db.models import Min
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from newsroom.cache import ResilientRedisCache


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


@require_safe
@never_cache
def healthz(request):
    """Liveness for load balancers: 200 when the database answers, 503 when it does not. It never waits behind slow
    requests (newsroom/overload.py lets it through when the worker is full)."""
    if not _database_answers():
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@require_safe
def favicon(request):
    """Browsers and crawlers ask for /favicon.ico whatever a page links to: it leads to the static icon, whose hashed
    address changes with the picture (so this answer is kept for a day, not for good)."""
    response = HttpResponseRedirect(static("img/favicon.ico"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


def _cache_answers(alias) -> bool:
    backend = caches[alias]
    if isinstance(backend, ResilientRedisCache):
        # Asked directly: the cache itself answers a miss when Redis is away.
        try:
            return bool(backend._cache.get_client(write=True).ping())
        except Exception:
            return False
    probe = f"readyz:{uuid.uuid4().hex}"
    try:
        backend.set(probe, 1, timeout=5)
        found = backend.get(probe) == 1
        backend.delete(probe)
    except Exception:
        return False
    return found


def _task_backlog():
    """How long the oldest task ready to run has waited, in seconds (database task queue only)."""
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return None
    from django_tasks_db.models import DBTaskResult  # only installed with that backend

    oldest = DBTaskResult.objects.ready().aggregate(enqueued=Min("enqueued_at"))["enqueued"]
    return round((timezone.now() - oldest).total_seconds(), 1) if oldest else 0.0


@require_safe
@never_cache
def readyz(request):
    """Readiness, dependency by dependency: 503 only when the site cannot serve (no database); the cache and the task
    queue are reported, since the site serves without them (slower; email and renditions wait)."""
    database = _database_answers()
    report = {
        "database": "ok" if database else "unavailable",
        "cache": "ok" if _cache_answers("default") else "unavailable",
        "page_cache": "ok" if _cache_answers("pages") else "unavailable",
    }
    if database:
        backlog = _task_backlog()
        report["task_backlog_seconds"] = backlog
        if backlog is not None and backlog > settings.NEWSROOM_TASK_BACKLOG_WARNING:
            report["tasks"] = "behind: is a worker running?"
    report["ready"] = database
    return JsonResponse(report, status=200 if database else 503)


def server_error(request):
    """The 500 page in the site's design, rendered without the request context: no context processors, so no
    database query (the database may be why we are here)."""
    from django.conf import settings
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render({"site_name": settings.SITE_NAME}))


@require_safe
def bench_baseline(request):
    """The benchmark's baseline H: a trivial view through the full middleware stack, no database, no template."""
    return HttpResponse("ok\n", content_type="text/plain")


# The largest static body bench/run asks for (its pages are tens of kilobytes).
BENCH_STATIC_MAX_BYTES = 1024 * 1024


@require_safe
def bench_static(request, size):
    """The benchmark's S behind Varnish: ``size`` bytes that never change, which a shared cache may keep, so Varnish
    serves them as it would a static file. Random bytes (the same for a size), so no cache or proxy compresses them
    and ``size`` is what goes over the wire."""
    if not 0 < size <= BENCH_STATIC_MAX_BYTES:
        return HttpResponse(
            f"size must be between 1 and {BENCH_STATIC_MAX_BYTES} bytes\n", status=400, content_type="text/plain"
        )
    # Not a secret: filler that must not compress.
    body = random.Random(size).randbytes(size)  # noqa: S311  # nosec B311
    response = HttpResponse(body, content_type="application/octet-stream")
    response["Cache-Control"] = "public, max-age=3600, s-maxage=3600"
    return response
