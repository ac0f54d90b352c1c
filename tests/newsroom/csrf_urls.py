"""A test-only URLconf: the site, a page with a CSRF-protected form (as the footer signup form will be) and a
page that needs the database."""

from django.http import HttpResponse
from django.template import engines
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from newsroom.urls import urlpatterns as site_urlpatterns

FORM = engines["django"].from_string(
    '<!DOCTYPE html><html lang="en"><head><title>Form</title></head><body><main>'
    '<form method="post" action="/signup-test/">{% csrf_token %}<button>Join</button></form>'
    "</main></body></html>"
)


@require_GET
def form_page(request):
    return HttpResponse(FORM.render({}, request))


@require_POST
def signup(request):
    return HttpResponse("thanks")


@require_GET
def database_down(request):
    from articles.models import Article

    return HttpResponse(Article.objects.count())


urlpatterns = [
    path("form-test/", form_page),
    path("signup-test/", signup),
    path("database-down/", database_down),
    *site_urlpatterns,
]
