"""Signed links for subscribers. Each token names one subscriber and one purpose and carries the subscriber's
token key, so a confirm token cannot unsubscribe or open preferences, nobody can make one from an email address,
and erasing a subscriber (or replacing their key) revokes every link ever sent."""

from dataclasses import dataclass

from django.core import signing
from django.utils.crypto import constant_time_compare

from mailinglist.models import Subscriber

CONFIRM = "confirm"
UNSUBSCRIBE = "unsubscribe"
PREFERENCES = "preferences"
PURPOSES = {CONFIRM, UNSUBSCRIBE, PREFERENCES}


class InvalidToken(Exception):
    """Forged, mangled, meant for another purpose, or for a subscriber who no longer exists."""


class ExpiredToken(Exception):
    """Authentic but too old; carries the subscriber so the page can offer a fresh link."""

    def __init__(self, subscriber, extra):
        super().__init__("expired")
        self.subscriber = subscriber
        self.extra = extra


class SpentToken(Exception):
    """A confirmation link whose signup was already answered: confirmed, unsubscribed or changed since it was
    sent."""


@dataclass(frozen=True)
class Link:
    subscriber: object
    extra: object


def _salt(purpose: str) -> str:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    return f"mailinglist.{purpose}"


def make_token(subscriber, purpose: str, extra=None) -> str:
    """`extra` is purpose data: the list ids to confirm, or the one list to leave."""
    return signing.dumps([subscriber.pk, subscriber.token_key, extra], salt=_salt(purpose), compress=True)


def confirm_extra(lists, *, mark: int) -> dict:
    """A confirm token's purpose data: the lists to confirm, and the subscriber's newest consent record when it was
    sent (`Subscriber.consent_mark`), so that the link answers that signup and nothing decided after it."""
    return {"lists": sorted(mailing_list.pk for mailing_list in lists), "after": mark}


def confirm_payload(extra) -> tuple[list, int]:
    """(list ids, consent mark) of a confirm token. Links sent before tokens carried a mark hold only the ids; mark 0
    lets them confirm only a subscriber who has decided nothing yet."""
    if isinstance(extra, dict):
        return list(extra.get("lists") or []), int(extra.get("after") or 0)
    return list(extra or []), 0


def read_token(token: str, purpose: str, *, max_age: int | None = None) -> Link:
    salt = _salt(purpose)
    expired = False
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        payload = signing.loads(token, salt=salt)
        expired = True
    except (signing.BadSignature, ValueError, UnicodeError):
        raise InvalidToken(token) from None
    try:
        subscriber_id, key, extra = payload
        subscriber = Subscriber.objects.get(pk=int(subscriber_id))
    except (TypeError, ValueError, Subscriber.DoesNotExist):
        raise InvalidToken(token) from None
    if not constant_time_compare(str(key), subscriber.token_key):
        raise InvalidToken(token)
    if expired:
        raise ExpiredToken(subscriber, extra)
    return Link(subscriber=subscriber, extra=extra)
