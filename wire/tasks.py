"""Polling through the Tasks API. Each channel has one chain of polls: a poll schedules the next with ``run_after``
(no cron), and ``Channel.next_poll_at`` is the ticket the scheduled task carries. Rescheduling a channel (saved in the
admin, "Poll now", backed off after a failure) gives it a new ticket, so an older task finds its ticket gone and ends
instead of starting a second chain."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import default_task_backend, task

from wire import polling
from wire.models import Channel

POLLED = [Channel.Kind.FEED, Channel.Kind.FILE]


def schedule_poll(channel, *, at=None):
    """Give the channel's chain a new ticket for ``at`` (now by default) and queue the poll once committed."""
    at = at or timezone.now()
    Channel.objects.filter(pk=channel.pk).update(next_poll_at=at)
    channel.next_poll_at = at
    pk, ticket = channel.pk, at.isoformat()
    if default_task_backend.supports_defer:
        transaction.on_commit(lambda: poll_channel.using(run_after=at).enqueue(pk, ticket))
    elif at <= timezone.now():
        transaction.on_commit(lambda: poll_channel.enqueue(pk, ticket))
    # else: a backend that runs tasks at once (tests) cannot run one later; `wire_poll` polls by hand.


def stop_polling(channel):
    Channel.objects.filter(pk=channel.pk).update(next_poll_at=None)
    channel.next_poll_at = None


@task(queue_name="wire")
def poll_channel(channel_id: int, ticket: str) -> str:
    # While it polls, the ticket becomes a lease: the time by which the poll has surely ended. A worker killed
    # mid-poll leaves the lease behind, and `resume_stalled` starts the chain again once it has passed.
    lease = timezone.now() + lease_length()
    claimed = Channel.objects.filter(
        pk=channel_id, enabled=True, kind__in=POLLED, next_poll_at=datetime.fromisoformat(ticket)
    ).update(next_poll_at=lease)
    if not claimed:
        return "stale: the channel was rescheduled, switched off or deleted"
    channel = Channel.objects.get(pk=channel_id)
    try:
        outcome = polling.poll(channel)
    finally:
        channel.refresh_from_db()
        if channel.enabled and channel.next_poll_at == lease:
            schedule_poll(channel, at=timezone.now() + channel.retry_delay())
    return outcome.summary()


def lease_length():
    return timedelta(seconds=2 * settings.NEWSROOM_WIRE_TIMEOUT + 120)


def resume_stalled(*, now=None):
    """Restart the chains of enabled channels whose poll or lease is overdue by far (a worker killed mid-poll, a task
    queue emptied) or that were never scheduled. Returns how many were restarted. The wire pages in the admin call
    it, so a stopped chain does not outlast the next look at the desk."""
    now = now or timezone.now()
    stalled = Channel.objects.filter(enabled=True, kind__in=POLLED).filter(
        Q(next_poll_at__isnull=True) | Q(next_poll_at__lt=now - lease_length())
    )
    count = 0
    for channel in stalled:
        schedule_poll(channel)
        count += 1
    return count
