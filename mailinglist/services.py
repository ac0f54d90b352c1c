"""Work that spans several models or leaves the process: signups, notices, erasure, imports."""

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower

from mailinglist import emails, ratelimit, tokens
from mailinglist.consent import Consent
from mailinglist.models import (
    ConsentEvent,
    MailingList,
    Subscriber,
    Subscription,
    Suppression,
    normalise_email,
    validate_address,
)

logger = logging.getLogger(__name__)


def default_lists():
    """What a reader gets who ticks nothing: the lists ticked by default, or else every public list."""
    public = MailingList.objects.public()
    return list(public.filter(default_checked=True)) or list(public)


def lists_from_ids(ids, *, public_only: bool):
    queryset = MailingList.objects.public() if public_only else MailingList.objects.all()
    ids = [int(pk) for pk in ids or () if str(pk).isdigit()]
    return list(queryset.filter(pk__in=ids)) if ids else []


def _subscriber_for(address: str, *, source: str) -> Subscriber:
    """Get or create by address; a concurrent signup for the same address ends up with the same row."""
    existing = Subscriber.objects.with_email(address).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return Subscriber.objects.create(email=address, source=source)
    except IntegrityError:
        return Subscriber.objects.with_email(address).get()


def sign_up(*, email: str, list_ids, consent: Consent) -> str | None:
    """A signup accepted by the form (run by the task worker, so the reader's request does the same work for
    every address). Records the signup and sends at most one notice per address per hour: a confirmation link,
    or for a confirmed reader asking for nothing new, a reminder with their preferences link.
    Returns the kind of notice sent, or None."""
    address = normalise_email(email)
    lists = lists_from_ids(list_ids, public_only=True) or default_lists()
    if not lists:
        return None
    subscriber = _subscriber_for(address, source=consent.source)
    subscriber.record(ConsentEvent.Kind.SIGNED_UP, consent, lists=lists)
    if subscriber.status == Subscriber.Status.COMPLAINED:
        # They marked our mail as spam: a web form filled by anyone must not mail them again.
        return None
    if subscriber.status == Subscriber.Status.ACTIVE and {m.pk for m in lists} <= subscriber.list_ids():
        return "already_subscribed" if send_notice(subscriber=subscriber, kind="already_subscribed") else None
    return "confirm" if send_notice(subscriber=subscriber, kind="confirm", lists=lists) else None


NOTICES = {
    "confirm": ("Confirm your subscription to {site_name}", "mailinglist/email/confirm"),
    "already_subscribed": ("You are already subscribed to {site_name}", "mailinglist/email/already_subscribed"),
    "preferences_link": ("Your {site_name} newsletter preferences", "mailinglist/email/preferences_link"),
}


# The site-wide cap on notice emails (confirmations, reminders, fresh links) and how long the admin shows that it
# was reached.
NOTICE_CAP = "notice-emails"
NOTICE_CAP_ALERT_SECONDS = 24 * 60 * 60


def notice_cap_alert() -> dict | None:
    """When the site-wide cap withheld notice emails in the last day: {"first", "last" (aware datetimes),
    "count", "limit"}, or None."""
    refused = ratelimit.refusals(NOTICE_CAP)
    if not refused or refused["first"] is None:
        return None
    return {
        "first": datetime.fromtimestamp(refused["first"], tz=UTC),
        "last": datetime.fromtimestamp(refused["last"] or refused["first"], tz=UTC),
        "count": refused["count"] or 1,
        "limit": settings.MAILINGLIST_CONFIRMATIONS_PER_HOUR,
    }


def send_notice(*, subscriber: Subscriber, kind: str, lists=()) -> bool:
    """Send one transactional email unless this address already had one within the hour, or the site sent its
    hourly cap of them. The slot is claimed in the database before sending, so double submits and parallel workers
    send one email, not two."""
    if not subscriber.claim_notice():
        logger.info("Notice to subscriber %s withheld: one was sent within the hour.", subscriber.pk)
        return False
    claimed_at = subscriber.last_notice_at
    if not ratelimit.hit(NOTICE_CAP, "site", limit=settings.MAILINGLIST_CONFIRMATIONS_PER_HOUR, window=60 * 60):
        # Per-network and per-address limits yield to a scanner rotating addresses; this one does not. The
        # address gets its slot back, so its owner can try again once the wave has passed.
        subscriber.release_notice(claimed_at=claimed_at)
        ratelimit.note_refusal(NOTICE_CAP, keep=NOTICE_CAP_ALERT_SECONDS)
        logger.warning("Notice to subscriber %s withheld: the site-wide hourly cap is reached.", subscriber.pk)
        return False
    subject, template = NOTICES[kind]
    context = {"lists": lists, "list_names": ", ".join(mailing_list.name for mailing_list in lists)}
    if kind == "confirm":
        context["confirm_url"] = emails.confirm_url(subscriber, lists=lists)
        context["expires_days"] = max(1, settings.MAILINGLIST_CONFIRM_MAX_AGE // 86400)
    try:
        emails.build_message(
            subscriber=subscriber,
            subject=subject.format(site_name=settings.SITE_NAME),
            template=template,
            context=context,
        ).send()
    except Exception:
        subscriber.release_notice(claimed_at=claimed_at)
        raise
    return True


@transaction.atomic
def confirm(*, subscriber: Subscriber, list_ids, consent: Consent, mark: int) -> bool:
    """The POST of a confirmation link sent when `mark` was the subscriber's newest consent record. Raises
    tokens.SpentToken if that signup was answered since (checked under a row lock, so a double submit confirms
    once)."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.confirmation_spent(mark):
        raise tokens.SpentToken(subscriber.pk)
    lists = lists_from_ids(list_ids, public_only=False) or default_lists()
    changed = subscriber.confirm(lists=lists, consent=consent)
    # Coming back after an erasure is a new, explicit consent: the old suppression no longer applies.
    Suppression.objects.covering(subscriber.email).delete()
    return changed


@transaction.atomic
def erase(*, subscriber: Subscriber, consent: Consent) -> Suppression:
    """Delete everything personal; keep a hash of the address so nobody mails it again by accident, and an
    anonymous record that the erasure happened."""
    suppression, _ = Suppression.objects.get_or_create(email_hash=Suppression.hash_email(subscriber.email))
    subscriber.delete()
    ConsentEvent.objects.create(
        kind=ConsentEvent.Kind.ERASED, suppression=suppression, at=consent.when, source=consent.source
    )
    return suppression


def purge_stale_pending() -> int:
    """Delete signups nobody confirmed in time: they never consented, so there is nothing to keep."""
    count, _ = Subscriber.objects.stale_pending().delete()
    return count


@dataclass
class ImportedRow:
    number: int
    email: str
    outcome: str  # "imported", "skipped" or "refused"
    reason: str = ""


@dataclass
class ImportReport:
    rows: list[ImportedRow] = field(default_factory=list)
    error: str = ""

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def imported(self):
        return self.count("imported")

    @property
    def skipped(self):
        return self.count("skipped")

    @property
    def refused(self):
        return self.count("refused")


def import_subscribers(*, records, lists, consent_note: str, filename: str, by) -> ImportReport:
    """Add the valid rows of a CSV as confirmed subscribers of `lists`, with the import as their consent source.
    `records` is (row number, email, name) from csvio.read_import. Addresses already on file are skipped (an
    import never re-subscribes someone who left); erased addresses are refused. All or nothing on errors."""
    report = ImportReport()
    lists = list(lists)
    seen: dict[str, int] = {}
    candidates = []
    for number, raw_email, name in records:
        address = normalise_email(raw_email)
        if not address:
            report.rows.append(ImportedRow(number, raw_email, "refused", "no email address"))
            continue
        try:
            validate_address(address)
        except ValidationError:
            report.rows.append(ImportedRow(number, raw_email, "refused", "not a valid email address"))
            continue
        if len(address) > 254:
            report.rows.append(ImportedRow(number, raw_email, "refused", "address longer than 254 characters"))
            continue
        if len(name) > 200:
            report.rows.append(ImportedRow(number, raw_email, "refused", "name longer than 200 characters"))
            continue
        if address in seen:
            report.rows.append(ImportedRow(number, address, "skipped", f"duplicate of row {seen[address]}"))
            continue
        seen[address] = number
        candidates.append((number, address, name))

    existing = {}
    suppressed = set()
    addresses = [address for _, address, _ in candidates]
    for start in range(0, len(addresses), 1000):
        chunk = addresses[start : start + 1000]
        on_file = Subscriber.objects.alias(email_lower=Lower("email")).filter(email_lower__in=chunk)
        for email, status in on_file.values_list("email", "status"):
            existing[normalise_email(email)] = status
        hashes = {Suppression.hash_email(address): address for address in chunk}
        erased = Suppression.objects.filter(email_hash__in=hashes).values_list("email_hash", flat=True)
        suppressed.update(hashes[email_hash] for email_hash in erased)

    source = f"CSV import “{filename}” by {by.get_username()}"[:500]
    consent = Consent(source=source, wording=consent_note)
    with transaction.atomic():
        for number, address, name in candidates:
            if address in suppressed:
                report.rows.append(ImportedRow(number, address, "refused", "erased at the subscriber's request"))
                continue
            if address in existing:
                status = Subscriber.Status(existing[address]).label.lower()
                report.rows.append(ImportedRow(number, address, "skipped", f"already on file ({status})"))
                continue
            try:
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(
                        email=address,
                        name=name,
                        status=Subscriber.Status.ACTIVE,
                        source=f"CSV import “{filename}”"[:500],
                        confirmed_at=consent.when,
                    )
            except IntegrityError:
                report.rows.append(ImportedRow(number, address, "skipped", "already on file"))
                continue
            Subscription.objects.bulk_create(
                [Subscription(subscriber=subscriber, mailing_list=mailing_list) for mailing_list in lists]
            )
            subscriber.record(ConsentEvent.Kind.IMPORTED, consent, lists=lists)
            report.rows.append(ImportedRow(number, address, "imported"))
    report.rows.sort(key=lambda row: row.number)
    return report
