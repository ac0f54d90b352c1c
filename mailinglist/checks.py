"""`manage.py check --deploy`: a production site must not send as the development default sender."""

from email.utils import parseaddr

from django.conf import settings
from django.core.checks import Tags, Warning, register

DEVELOPMENT_DOMAINS = {"localhost", "localhost.localdomain", "example.com", "example.org", "example.net"}


@register(Tags.security, deploy=True)
def check_sender(app_configs=None, **kwargs):
    found = []
    for name in ("DEFAULT_FROM_EMAIL", "NEWSLETTER_FROM_EMAIL"):
        address = parseaddr(getattr(settings, name))[1]
        domain = address.rpartition("@")[2].lower()
        if not address or domain in DEVELOPMENT_DOMAINS:
            found.append(
                Warning(
                    f"{name} is {address or 'empty'!r}: confirmations and newsletters would go out from an address "
                    "no mail system accepts, and every Message-ID would name that domain.",
                    hint=f"Set DJANGO_{name} (or {name}) to an address of your own domain; see docs/deploy.md."
                    if name == "DEFAULT_FROM_EMAIL"
                    else f"Set {name} to an address of your own domain; see docs/sending.md.",
                    id="mailinglist.W001",
                )
            )
    return found
