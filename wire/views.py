"""The push endpoint: an agency posts NewsML-G2 or ninjs to a push channel with its bearer token."""

from django.conf import settings
from django.http import JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from wire import polling
from wire.models import Channel


@csrf_exempt  # a machine's request with its own credential, never a browser's
@require_POST
def push(request, channel_id):
    channel = Channel.objects.filter(pk=channel_id, kind=Channel.Kind.PUSH).first()
    token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    # The same answer for a wrong token and for no such channel: nothing says which channels exist.
    if channel is None or not token or not constant_time_compare(token, channel.push_token):
        return JsonResponse({"error": "Unknown channel or wrong token."}, status=403)
    if not channel.enabled:
        return JsonResponse({"error": "This channel is switched off."}, status=409)
    limit = settings.NEWSROOM_WIRE_MAX_BYTES
    declared = request.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        return JsonResponse({"error": f"The document is larger than the limit of {limit} bytes."}, status=413)
    data = request.read(limit + 1)
    if len(data) > limit:
        return JsonResponse({"error": f"The document is larger than the limit of {limit} bytes."}, status=413)
    outcome = polling.receive(channel, data, content_type=request.content_type or "")
    if not outcome.ok:
        return JsonResponse({"error": outcome.error}, status=400)
    ingested = outcome.ingested
    return JsonResponse(
        {
            "new": len(ingested.new),
            "updated": len(ingested.updated),
            "unchanged": ingested.unchanged,
            "published": outcome.published,
        }
    )
