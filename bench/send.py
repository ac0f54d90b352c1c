#!/usr/bin/env python
"""Newsletter sending benchmark: one issue to N subscribers through a local aiosmtpd sink (in its own process),
next to a bare smtplib loop sending the same messages over one connection. Not a test: it reports figures.

    createdb -h 127.0.0.1 -U postgres newsroom_send_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_send_bench .venv/bin/python bench/send.py \\
        --subscribers 100000 --update-docs

It migrates the database, replaces the benchmark's own list and subscribers (slug "bench-send"), sends with
`newsletters.sending.drain` (the code the task worker and `send_issue` run: claims, one SMTP connection per batch,
a committed "sent" mark per message) and reports messages per second, SMTP connections the sink saw, and the
ratio to the bare loop. With --update-docs it rewrites the send-bench block of docs/performance.md.
"""

import argparse
import multiprocessing
import os
import re
import smtplib
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_sink(port, messages, connections, ready):
    """An SMTP server that accepts and counts everything (its own process, so it does not share our GIL)."""
    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_EHLO(self, server, session, envelope, hostname, responses):
            with connections.get_lock():
                connections.value += 1
            session.host_name = hostname
            return responses

        async def handle_DATA(self, server, session, envelope):
            with messages.get_lock():
                messages.value += 1
            return "250 OK"

    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--update-docs", action="store_true")
    parser.add_argument(
        "--fast-marks", action="store_true", help="NEWSLETTER_DURABLE_MARKS=0: asynchronous commits on PostgreSQL"
    )
    args = parser.parse_args()

    port = free_port()
    messages = multiprocessing.Value("i", 0)
    connections = multiprocessing.Value("i", 0)
    ready = multiprocessing.Event()
    sink = multiprocessing.Process(target=run_sink, args=(port, messages, connections, ready), daemon=True)
    sink.start()
    ready.wait(30)

    os.environ.update(
        {
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "DJANGO_EMAIL_HOST": "127.0.0.1",
            "DJANGO_EMAIL_PORT": str(port),
            "NEWSROOM_TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "NEWSLETTER_DURABLE_MARKS": "0" if args.fast_marks else "1",
        }
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from articles.models import Article, Category
    from mailinglist.models import MailingList, Subscriber, Subscription
    from newsletters import sending
    from newsletters.models import Issue

    call_command("migrate", verbosity=0)
    batch_size = args.batch_size or settings.NEWSLETTER_BATCH_SIZE
    n = args.subscribers

    print(f"Setting up {n:,} subscribers on {connection.vendor} …", flush=True)
    Issue.objects.filter(mailing_list__slug="bench-send").delete()
    MailingList.objects.filter(slug="bench-send").delete()
    Subscriber.objects.filter(email__endswith="@bench-send.example").delete()
    mailing_list = MailingList.objects.create(name="Bench briefing", slug="bench-send", is_public=False)
    category, _ = Category.objects.get_or_create(slug="bench-send", defaults={"name": "Bench send"})
    article, _ = Article.objects.get_or_create(
        slug="bench-send-story",
        defaults={
            "headline": "Civilian killings mount in Idlib as cease-fire breaks down",
            "dek": "The United Nations says civilians are again paying the price.",
            "body": "<p>Body.</p>",
            "category": category,
            "status": Article.Status.PUBLISHED,
            "published_at": timezone.now(),
        },
    )
    for start in range(0, n, 10_000):
        created = Subscriber.objects.bulk_create(
            [
                Subscriber(email=f"reader{i}@bench-send.example", status=Subscriber.Status.ACTIVE)
                for i in range(start, min(n, start + 10_000))
            ]
        )
        if any(subscriber.pk is None for subscriber in created):
            created = list(Subscriber.objects.filter(email__in=[subscriber.email for subscriber in created]).only("pk"))
        Subscription.objects.bulk_create(
            [Subscription(subscriber=subscriber, mailing_list=mailing_list) for subscriber in created]
        )
    issue = Issue.objects.create(mailing_list=mailing_list, subject="Bench briefing")
    issue.set_articles([article])

    # 1. The newsroom's sender, as the worker runs it.
    connections.value = messages.value = 0
    started = time.perf_counter()
    sending.start(issue)
    setup_seconds = time.perf_counter() - started
    started = time.perf_counter()
    result = sending.drain(issue, size=batch_size)
    send_seconds = time.perf_counter() - started
    sent_by_newsroom, newsroom_connections = messages.value, connections.value
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT and issue.sent_count == n, (issue.status, issue.sent_count)

    # 2. A bare smtplib loop over one connection, with the same messages built beforehand (not timed).
    rendered = sending.render_issue(issue)
    subscribers = list(Subscriber.objects.filter(subscriptions__mailing_list=mailing_list).order_by("pk"))
    payloads = []
    for delivery_id, subscriber in enumerate(subscribers, start=1):
        message = sending.build_message(rendered=rendered, issue=issue, subscriber=subscriber, delivery_id=delivery_id)
        payloads.append((subscriber.email, message.message().as_bytes(linesep="\r\n")))
    from_address = settings.NEWSLETTER_FROM_EMAIL
    connections.value = messages.value = 0
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for to, payload in payloads:
            smtp.sendmail(from_address, [to], payload)
    bare_seconds = time.perf_counter() - started
    sent_bare, bare_connections = messages.value, connections.value
    sink.terminate()

    newsroom_rate = sent_by_newsroom / send_seconds
    bare_rate = sent_bare / bare_seconds
    rows = [
        (
            f"Newsroom sender (`sending.drain`, {'asynchronous' if args.fast_marks else 'durable'} marks)",
            sent_by_newsroom,
            send_seconds,
            newsroom_rate,
            newsroom_connections,
        ),
        ("Bare smtplib loop, one connection", sent_bare, bare_seconds, bare_rate, bare_connections),
    ]
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {connection.vendor}, {n:,} subscribers, batches of {batch_size}, "
        f"a local aiosmtpd sink in its own process; {os.cpu_count()} CPU cores shared with other work.",
        "",
        "| sender | messages | seconds | messages/s | SMTP connections |",
        "| --- | ---: | ---: | ---: | ---: |",
        *[
            f"| {name} | {count:,} | {seconds:.1f} | {rate:,.0f} | {conns} |"
            for name, count, seconds, rate, conns in rows
        ],
        "",
        f"The newsroom sender reaches {newsroom_rate / bare_rate:.0%} of the bare loop's rate. Creating the "
        f"{n:,} delivery rows when sending starts took {setup_seconds:.1f} s. Expected connections: "
        f"{-(-n // batch_size)} (one per batch); failures during the run: {result.failed + result.bounced}.",
    ]
    report = "\n".join(lines)
    print(report)
    if args.update_docs:
        path = ROOT / "docs" / "performance.md"
        text = path.read_text()
        name = "send-bench-fast" if args.fast_marks else "send-bench"
        block = f"<!-- {name}:start -->\n{report}\n<!-- {name}:end -->"
        text, found = re.subn(rf"<!-- {name}:start -->.*?<!-- {name}:end -->", block, text, flags=re.S)
        if not found:
            raise SystemExit(f"docs/performance.md has no {name} block")
        path.write_text(text)
        print("Updated docs/performance.md")


if __name__ == "__main__":
    main()
