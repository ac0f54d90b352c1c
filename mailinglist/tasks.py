from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from mailinglist import services
from mailinglist.consent import Consent


@task(queue_name="email")
def process_signup(email: str, list_ids: list[int], consent: dict) -> str | None:
    """The database work and the email of a signup, out of the request: the reader's answer then takes the same
    time whether the address is new, pending, active or gone."""
    return services.sign_up(email=email, list_ids=list_ids, consent=Consent(**consent))


@task(queue_name="email")
def send_notice(subscriber_id: int, kind: str, list_ids: list[int]) -> bool:
    from mailinglist.models import Subscriber

    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        return False
    lists = services.lists_from_ids(list_ids, public_only=False) or services.default_lists()
    return services.send_notice(subscriber=subscriber, kind=kind, lists=lists)


# ---- Sending issues (mailinglist/sending.py). One task is one batch; each batch enqueues the next, so an issue's
# batches run one after another and its rate limit holds.


def _backend_defers() -> bool:
    from django_tasks import default_task_backend

    return default_task_backend.supports_defer


@task(queue_name="email")
def send_issue_batch(issue_id: int) -> dict:
    from mailinglist import sending
    from mailinglist.models import Issue

    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None or issue.status != Issue.Status.SENDING:
        return {"claimed": 0}
    result = sending.send_batch(issue)
    if result.claimed:
        send_issue_batch.enqueue(issue_id)
    elif not issue.finish():
        due = sending.next_due(issue)
        if due is not None and _backend_defers():
            send_issue_batch.using(run_after=due).enqueue(issue_id)
    return {"claimed": result.claimed, "sent": result.sent, "failed": result.failed + result.bounced}


@task(queue_name="email")
def watch_issue(issue_id: int) -> str:
    """The safety net while an issue is sending: a worker killed mid-batch leaves its task marked running and its
    rows claimed, and no next batch. Every lease period this starts a fresh batch chain if rows are due and no
    batch has been at work for a whole lease, then checks again later."""
    from mailinglist import sending
    from mailinglist.models import Issue

    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None or issue.status != Issue.Status.SENDING or issue.finish():
        return "done"
    due = sending.next_due(issue)
    if due is not None and due <= timezone.now() and not sending.recently_active(issue):
        send_issue_batch.enqueue(issue_id)
        issue.refresh_from_db(fields=["status"])
        if issue.status != Issue.Status.SENDING:
            return "done"
    watch_later(issue_id)
    return "watching"


def watch_later(issue_id: int):
    if _backend_defers():
        later = timezone.now() + timedelta(seconds=lease_period())
        watch_issue.using(run_after=later).enqueue(issue_id)
    else:
        watch_issue.enqueue(issue_id)


def lease_period() -> int:
    from mailinglist import sending

    return sending.lease_seconds(settings.NEWSLETTER_BATCH_SIZE)


@task(queue_name="email")
def start_scheduled_issue(issue_id: int, scheduled_for: str) -> str:
    """Enqueued with run_after at the chosen time; does nothing if the issue was rescheduled or cancelled since."""
    from mailinglist import services
    from mailinglist.models import Issue

    issue = Issue.objects.filter(pk=issue_id, status=Issue.Status.SCHEDULED).first()
    if issue is None or issue.scheduled_at is None or issue.scheduled_at.isoformat() != scheduled_for:
        return "stale"
    services.start_sending(issue=issue)
    return "started"
