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
