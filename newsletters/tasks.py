"""Sending issues through the Tasks API (newsletters/sending.py does the work). One task is one batch; each batch
enqueues the next, so an issue's batches run one after another and its rate limit holds."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend, task

from newsletters import sending
from newsletters.models import Issue, MailServer


def start_sending(*, issue) -> bool:
    """Create the deliveries and hand the batches to the task worker. Starting twice starts once."""
    issue.check_sendable()
    with transaction.atomic():
        started = sending.start(issue)
        if started:
            transaction.on_commit(lambda: send_issue_batch.enqueue(issue.pk))
            transaction.on_commit(lambda: watch_issue.enqueue(issue.pk, started=True))
    return started


@task(queue_name="email")
def send_issue_batch(issue_id: int) -> dict:
    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None or issue.status != Issue.Status.SENDING:
        return {"claimed": 0}
    result = sending.send_batch(issue)
    if result.wait_until is not None:
        # The mail server is away. This chain ends here and the watchdog starts a new one when the server may be
        # tried again: however many issues wait, they leave one watchdog each in the queue, not a pile of batches.
        return {"claimed": result.claimed, "sent": result.sent, "waiting_until": result.wait_until.isoformat()}
    if result.claimed:
        send_issue_batch.enqueue(issue_id)
    elif not issue.finish():
        due = sending.next_due(issue)
        if due is not None and default_task_backend.supports_defer:
            send_issue_batch.using(run_after=due).enqueue(issue_id)
    return {"claimed": result.claimed, "sent": result.sent, "failed": result.failed + result.bounced}


@task(queue_name="email")
def watch_issue(issue_id: int, *, started: bool = False) -> str:
    """The safety net while an issue is sending: a worker killed mid-batch leaves its task marked running and its
    rows claimed, and no next batch; an outage of the mail server ends batch chains on purpose. Every
    `sending.watch_seconds()` this starts a fresh batch chain if rows are due, no batch has been at work for a
    lease, and the mail server may be tried; then it looks again later. `started`: sending has just begun and
    its first batch is queued beside this, so only schedule the first look. Every interval comes from the
    settings of the worker running this, whichever process queued it."""
    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None or issue.status != Issue.Status.SENDING or issue.finish():
        return "done"
    now = timezone.now()
    server = MailServer.objects.current()
    if not started and server.may_be_tried(now=now):
        due = sending.next_due(issue)
        if due is not None and due <= now and not sending.recently_active(issue, now=now):
            send_issue_batch.enqueue(issue_id)
            issue.refresh_from_db(fields=["status"])
            if issue.status != Issue.Status.SENDING:
                return "done"
    if not default_task_backend.supports_defer:
        # No "later" on a backend that runs tasks at once (it would recurse without end); `send_issue` resumes.
        return "not watching: the task backend cannot run tasks later"
    later = now + timedelta(seconds=sending.watch_seconds())
    if server.is_down and now < server.retry_at < later:
        later = server.retry_at  # be there when the server may be tried again
    watch_issue.using(run_after=later).enqueue(issue_id)
    return "watching"


@task(queue_name="email")
def start_scheduled_issue(issue_id: int, scheduled_for: str) -> str:
    """Enqueued with run_after at the chosen time; does nothing if the issue was rescheduled or cancelled since."""
    issue = Issue.objects.filter(pk=issue_id, status=Issue.Status.SCHEDULED).first()
    if issue is None or issue.scheduled_at is None or issue.scheduled_at.isoformat() != scheduled_for:
        return "stale"
    start_sending(issue=issue)
    return "started"
