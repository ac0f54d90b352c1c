"""Bounce and complaint webhooks. The provider's own format is read by django-anymail, which also checks the
request's HTTP basic auth against ANYMAIL["WEBHOOK_SECRET"]; its `tracking` signal hands us a normalised event.

Connected in NewslettersConfig.ready(): anymail's signal is its public API, and the receiver only passes the
event to a service.
"""

import json
import logging

from anymail.signals import EventType, RejectReason
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from django.conf import settings
from django.http import Http404, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from newsletters import services

logger = logging.getLogger(__name__)

PROVIDERS = {
    "postmark": PostmarkTrackingWebhookView.as_view(),
}


@csrf_exempt  # a provider's server posts here; the basic-auth credentials are what authenticate it
@require_POST
def tracking_webhook(request, provider: str):
    view = PROVIDERS.get(provider)
    if view is None:
        raise Http404("No webhook for that provider.")
    if not (getattr(settings, "ANYMAIL", None) or {}).get("WEBHOOK_SECRET"):
        # anymail only warns without a secret and would take anyone's word that an address bounced.
        raise Http404("Webhooks are off until NEWSLETTER_WEBHOOK_SECRET is set.")
    try:
        json.loads(request.body)
    except ValueError:
        return HttpResponseBadRequest("The body is not JSON.")
    return view(request)


# A soft bounce (mailbox full, greylisting) is not a reason to stop mailing someone. anymail files Postmark's
# SoftBounce under "bounced" like a hard one, so the provider's own type decides.
SOFT_TYPES = {"postmark": {"SoftBounce", "Transient", "DnsError", "VirusNotification"}}


def _is_soft(event, esp_name: str) -> bool:
    raw = event.esp_event if isinstance(event.esp_event, dict) else {}
    return raw.get("Type") in SOFT_TYPES.get(esp_name.lower(), set())


def handle_tracking(sender, event, esp_name, **kwargs):
    if not event.recipient:
        return
    metadata = event.metadata or {}
    hard_bounce = (event.event_type == EventType.BOUNCED and not _is_soft(event, esp_name)) or (
        event.event_type == EventType.REJECTED and event.reject_reason == RejectReason.INVALID
    )
    if event.event_type == EventType.COMPLAINED:
        kind = "complained"
    elif hard_bounce:
        kind = "bounced"
    else:
        return
    known = services.record_bounce(
        email=event.recipient,
        kind=kind,
        delivery_id=metadata.get("delivery"),
        detail=f"{esp_name}: {event.description or event.mta_response or kind}",
    )
    logger.info("%s webhook: %s for a %s address.", esp_name, kind, "known" if known else "unknown")
