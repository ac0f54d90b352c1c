"""System checks for what a production configuration must not leave at its local default."""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

LOCAL_NAMES = {"localhost", "localhost.localdomain"}


def _is_local(host: str) -> bool:
    if host in LOCAL_NAMES or host.endswith((".localhost", ".local")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_unspecified or address.is_link_local


@register(Tags.security, deploy=True)
def site_url_is_public(app_configs, **kwargs):
    """NEWSROOM_SITE_URL is the base of every link in emails (confirm, unsubscribe, List-Unsubscribe headers) and
    of pages built outside a request: left at http://127.0.0.1:8000 it sends every subscriber a dead link."""
    if settings.DEBUG:
        return []
    parts = urlsplit(settings.SITE_URL)
    hint = "Set NEWSROOM_SITE_URL to the site's public address, e.g. https://news.example.com."
    if parts.scheme not in ("http", "https") or not parts.hostname or _is_local(parts.hostname):
        return [
            Error(
                f"NEWSROOM_SITE_URL is {settings.SITE_URL!r}, not the site's public address: every link in emails "
                "and List-Unsubscribe headers would lead there.",
                hint=hint,
                id="newsroom.E001",
            )
        ]
    if parts.scheme != "https":
        return [
            Warning(
                f"NEWSROOM_SITE_URL is {settings.SITE_URL!r}: mail providers honour one-click unsubscribe only "
                "for https:// links, and readers' links would go over plain HTTP.",
                hint=hint,
                id="newsroom.W001",
            )
        ]
    return []
