"""`manage.py check --deploy`: issues must not go out as the development default sender."""

from django.core.checks import Tags, register

from mailinglist.checks import development_sender


@register(Tags.security, deploy=True)
def check_newsletter_sender(app_configs=None, **kwargs):
    return development_sender(
        "NEWSLETTER_FROM_EMAIL",
        hint="Set NEWSLETTER_FROM_EMAIL to an address of your own domain; see docs/sending.md.",
        id="newsletters.W001",
    )
