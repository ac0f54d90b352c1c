"""A sending process killed with SIGKILL in the middle of an issue, then run again: real processes (`manage.py
send_issue`), the PostgreSQL test database they share with this test, and an aiosmtpd server counting messages."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from newsletters import sending, services
from newsletters.models import Delivery, Issue

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def worker_env(smtp) -> dict:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))}
    return env | {
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        # Enqueued tasks go nowhere: this test is about the command's own batches.
        "NEWSROOM_TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "DJANGO_EMAIL_HOST": smtp.hostname,
        "DJANGO_EMAIL_PORT": str(smtp.port),
        "NEWSLETTER_LEASE_SECONDS": "2",
    }


def send_issue(issue, env, **popen):
    return subprocess.Popen(
        [sys.executable, "manage.py", "send_issue", str(issue.pk), "--batch-size", "50", "--no-progress"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        **popen,
    )


def kill_on_message(inbox, number: int, *, after_acceptance: bool):
    """Make the SMTP server SIGKILL the sending process while message `number` is being handed over: before the
    server accepted it (the process waits for the reply and dies), or after accepting it and before the
    process could record that (the window that remains; see docs/sending.md)."""
    state = {"seen": 0, "process": None}
    lock = threading.Lock()

    def on_data(envelope):
        with lock:
            state["seen"] += 1
            if state["seen"] != number or state["process"] is None:
                return None
            if after_acceptance:
                inbox.envelopes.append(envelope)
            os.kill(state["process"].pid, signal.SIGKILL)
            state["process"].wait(timeout=30)
            return "451 4.3.0 Sender went away"

    inbox.on_data = on_data
    return state


@pytest.mark.parametrize("kill_at", [130, 51])
def test_a_killed_sender_run_again_gives_every_subscriber_exactly_one_message(
    counting_smtp, make_issue, add_subscribers, kill_at
):
    issue = make_issue()
    subscribers = add_subscribers(issue.mailing_list, 300)
    env = worker_env(counting_smtp)
    state = kill_on_message(counting_smtp.inbox, kill_at, after_acceptance=False)

    state["process"] = first = send_issue(issue, env)
    first.wait(timeout=120)

    assert first.returncode == -signal.SIGKILL
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENDING
    assert Delivery.objects.filter(issue=issue, status=Delivery.Status.SENT).count() == kill_at - 1
    assert Delivery.objects.filter(issue=issue, status=Delivery.Status.SENDING).exists()  # the dead worker's claim

    counting_smtp.inbox.on_data = None
    second = send_issue(issue, env)
    output, _ = second.communicate(timeout=120)

    assert second.returncode == 0, output.decode()
    received = Counter(counting_smtp.inbox.recipients())
    assert received == Counter({subscriber.email: 1 for subscriber in subscribers})
    issue.refresh_from_db()
    assert (issue.status, issue.sent_count) == (Issue.Status.SENT, 300)


def test_a_kill_after_the_server_accepted_leaves_a_duplicate_that_carries_the_same_message_id(
    counting_smtp, make_issue, add_subscribers
):
    """The one window no sender can close over SMTP: the server has the message, the process dies before it
    writes that down. We resend, and the copy has the same Message-ID, so it can be told apart."""
    issue = make_issue()
    add_subscribers(issue.mailing_list, 120)
    env = worker_env(counting_smtp)
    state = kill_on_message(counting_smtp.inbox, 70, after_acceptance=True)

    state["process"] = first = send_issue(issue, env)
    first.wait(timeout=120)
    counting_smtp.inbox.on_data = None
    second = send_issue(issue, env)
    second.communicate(timeout=120)

    received = Counter(counting_smtp.inbox.recipients())
    assert len(received) == 120
    [(twice, count)] = [(address, n) for address, n in received.items() if n > 1]
    assert count == 2
    ids = {message["Message-ID"] for message in counting_smtp.inbox.messages if message["To"] == twice}
    assert len(ids) == 1
    assert ids == {Delivery.objects.get(issue=issue, subscriber__email=twice).message_id}
    assert len({message["Message-ID"] for message in counting_smtp.inbox.messages}) == 120


def test_two_senders_at_once_share_the_issue_without_sending_anyone_two(counting_smtp, make_issue, add_subscribers):
    """Claims with SKIP LOCKED: two processes draining the same issue take disjoint batches."""
    issue = make_issue()
    subscribers = add_subscribers(issue.mailing_list, 400)
    env = worker_env(counting_smtp)
    sending.start(issue)

    senders = [send_issue(issue, env) for _ in range(2)]
    outputs = [sender.communicate(timeout=180)[0].decode() for sender in senders]

    assert [sender.returncode for sender in senders] == [0, 0], outputs
    assert Counter(counting_smtp.inbox.recipients()) == Counter({subscriber.email: 1 for subscriber in subscribers})
    issue.refresh_from_db()
    assert (issue.status, issue.sent_count) == (Issue.Status.SENT, 400)


# ---- The same through the task worker (`manage.py db_worker`) and the database task backend.


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email", "images"]}
    }
    settings.NEWSLETTER_LEASE_SECONDS = 2


def db_worker(env, **popen):
    env = env | {"NEWSROOM_TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--queue-name", "email"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        **popen,
    )


def task_worker(env, **popen):
    """The worker as production runs it (`make worker`): long-running, polling every 0.2 s."""
    env = env | {"NEWSROOM_TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}
    return subprocess.Popen(
        [sys.executable, "manage.py", "task_worker", "--queue-name", "*", "--no-reload", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        **popen,
    )


def wait_until_sent(issue, *, timeout: float):
    deadline = time.monotonic() + timeout
    while Issue.objects.get(pk=issue.pk).status == Issue.Status.SENDING and time.monotonic() < deadline:
        time.sleep(0.1)


def test_a_killed_task_worker_restarted_finishes_the_issue_through_the_watchdog(
    counting_smtp, database_tasks, make_issue, add_subscribers
):
    issue = make_issue()
    subscribers = add_subscribers(issue.mailing_list, 1200)
    env = worker_env(counting_smtp)
    state = kill_on_message(counting_smtp.inbox, 700, after_acceptance=False)
    services.send_now(issue=issue)  # enqueues the first batch and the watchdog in the task table

    state["process"] = first = db_worker(env)
    first.wait(timeout=180)
    assert first.returncode == -signal.SIGKILL
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SENDING

    counting_smtp.inbox.on_data = None
    # A long-running worker, as in production: one in --batch mode would leave as soon as nothing is due this
    # instant, and the watchdog's next look is always a little later.
    second = task_worker(env)
    try:
        wait_until_sent(issue, timeout=240)  # a cap: about 20 s on an idle machine
    finally:
        second.terminate()
        output, _ = second.communicate(timeout=60)

    assert Counter(counting_smtp.inbox.recipients()) == Counter({subscriber.email: 1 for subscriber in subscribers})
    issue.refresh_from_db()
    assert (issue.status, issue.sent_count) == (Issue.Status.SENT, 1200), output.decode()[-3000:]


def test_a_scheduled_issue_goes_out_when_its_time_comes_without_a_cron(
    counting_smtp, database_tasks, make_issue, add_subscribers
):
    from datetime import timedelta

    from django.utils import timezone

    issue = make_issue()
    add_subscribers(issue.mailing_list, 30)
    env = worker_env(counting_smtp)
    # Far enough ahead that a worker started at once finishes before it even on a loaded machine.
    at = timezone.now() + timedelta(seconds=10)
    services.schedule(issue=issue, at=at)

    early = db_worker(env)
    early.communicate(timeout=120)
    assert timezone.now() < at, "the early worker took longer than the margin: the test proves nothing"
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SCHEDULED
    assert counting_smtp.inbox.envelopes == []

    time.sleep(max(0.0, (at - timezone.now()).total_seconds()))
    on_time = db_worker(env)
    on_time.communicate(timeout=120)

    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    assert len(counting_smtp.inbox.envelopes) == 30


def test_a_worker_killed_mid_send_is_taken_over_by_another_running_worker_within_a_minute(
    counting_smtp, database_tasks, settings, make_issue, add_subscribers
):
    """No restart: the second worker was already running. Its watchdog finds the dead worker's claim once the
    lease (no longer renewed by the dead worker's heartbeat) runs out, and starts a new batch chain."""
    settings.NEWSLETTER_LEASE_SECONDS = 3
    issue = make_issue()
    subscribers = add_subscribers(issue.mailing_list, 600)
    env = worker_env(counting_smtp) | {"NEWSLETTER_LEASE_SECONDS": "3", "NEWSLETTER_BATCH_SIZE": "100"}
    killed = {}

    def kill_first_worker(envelope):
        if len(counting_smtp.inbox.envelopes) == 200:
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
            killed["at"] = time.monotonic()
            counting_smtp.inbox.on_data = None
            return "451 4.3.0 Sender went away"
        return None

    services.send_now(issue=issue)
    first = task_worker(env)
    deadline = time.monotonic() + 60
    while len(counting_smtp.inbox.envelopes) < 50 and time.monotonic() < deadline:
        time.sleep(0.05)
    second = task_worker(env)  # up before the first one dies
    counting_smtp.inbox.on_data = kill_first_worker
    try:
        while "at" not in killed and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "at" in killed, "the first worker was never killed"
        while len(counting_smtp.inbox.envelopes) == 200 and time.monotonic() < killed["at"] + 60:
            time.sleep(0.05)
        resumed_after = time.monotonic() - killed["at"]
        assert len(counting_smtp.inbox.envelopes) > 200, "sending did not resume within 60 s"
        wait_until_sent(issue, timeout=120)
    finally:
        second.terminate()
        output, _ = second.communicate(timeout=60)

    assert first.returncode == -signal.SIGKILL
    assert resumed_after < 60
    assert Counter(counting_smtp.inbox.recipients()) == Counter({subscriber.email: 1 for subscriber in subscribers})
    issue.refresh_from_db()
    assert (issue.status, issue.sent_count) == (Issue.Status.SENT, 600), output.decode()[-3000:]
