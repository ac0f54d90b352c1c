import random

from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe
@never_cache
def healthz(request):
    """Liveness for load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


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
