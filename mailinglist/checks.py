"""`manage.py check --deploy`: a production site must not send as the development default sender."""

from email.utils import parseaddr

from django.conf import settings
from django.core.checks import Tags, Warning, register

DEVELOPMENT_DOMAINS = {"localhost", "localhost.localdomain", "example.com", "example.org", "example.net"}


def development_sender(name: str, *, hint: str, id: str) -> list[Warning]:
    """A warning when the sender in setting `name` is empty or of a domain no mail system accepts mail from."""
    address = parseaddr(getattr(settings, name))[1]
    domain = address.rpartition("@")[2].lower()
    if address and domain not in DEVELOPMENT_DOMAINS:
        return []
    return [
        Warning(
            f"{name} is {address or 'empty'!r}: confirmations and newsletters would go out from an address no mail "
            "system accepts, and every Message-ID would name that domain.",
            hint=hint,
            id=id,
        )
    ]


@register(Tags.security, deploy=True)
def check_sender(app_configs=None, **kwargs):
    return development_sender(
        "DEFAULT_FROM_EMAIL",
        hint="Set DJANGO_DEFAULT_FROM_EMAIL (or DEFAULT_FROM_EMAIL) to an address of your own domain; see "
        "docs/deploy.md.",
        id="mailinglist.W001",
    )
