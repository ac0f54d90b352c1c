"""Building subscriber email. Every message to a subscriber carries a visible unsubscribe link and the RFC 8058
one-click headers; the newsletter sender uses the same helpers for each issue."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from mailinglist import tokens


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


def unsubscribe_url(subscriber, *, mailing_list=None) -> str:
    token = tokens.make_token(subscriber, tokens.UNSUBSCRIBE, mailing_list.pk if mailing_list else None)
    return absolute_url(reverse("mailinglist:unsubscribe", args=[token]))


def preferences_url(subscriber) -> str:
    return absolute_url(reverse("mailinglist:preferences", args=[tokens.make_token(subscriber, tokens.PREFERENCES)]))


def confirm_url(subscriber, *, lists) -> str:
    extra = tokens.confirm_extra(lists, mark=subscriber.consent_mark())
    token = tokens.make_token(subscriber, tokens.CONFIRM, extra)
    return absolute_url(reverse("mailinglist:confirm", args=[token]))


# RFC 3834: a machine sends this, so vacation and other automatic replies must not answer it.
AUTO_SUBMITTED = {"Auto-Submitted": "auto-generated"}


def list_unsubscribe_headers(subscriber, *, mailing_list=None, url=None) -> dict[str, str]:
    """RFC 2369 List-Unsubscribe with an HTTPS link, plus RFC 8058's List-Unsubscribe-Post so mail providers can
    unsubscribe with one POST. The sending MTA must DKIM-sign both headers for providers to trust them."""
    url = url or unsubscribe_url(subscriber, mailing_list=mailing_list)
    headers = {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    if mailing_list is not None:
        host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        headers["List-Id"] = f"{mailing_list.name} <{mailing_list.slug}.{host}>"
    return headers


def build_message(*, subscriber, subject: str, template: str, context=None, mailing_list=None):
    """A multipart message (text first, HTML alternative) from `<template>.txt` and `<template>.html`."""
    unsubscribe = unsubscribe_url(subscriber, mailing_list=mailing_list)
    context = {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "subscriber": subscriber,
        "mailing_list": mailing_list,
        "unsubscribe_url": unsubscribe,
        "preferences_url": preferences_url(subscriber),
        **(context or {}),
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        to=[subscriber.email],
        headers={**AUTO_SUBMITTED, **list_unsubscribe_headers(subscriber, mailing_list=mailing_list, url=unsubscribe)},
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message
