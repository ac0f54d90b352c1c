import email
import email.policy
import re
import socket
import time

import pytest
from django.core import signing

from mailinglist.forms import STARTED_SALT
from mailinglist.models import MailingList, Subscriber, Subscription


@pytest.fixture
def make_mailing_list(db):
    counter = iter(range(1, 10_000))

    def make(**fields):
        n = next(counter)
        fields.setdefault("name", f"List {n}")
        fields.setdefault("slug", f"list-{n}")
        return MailingList.objects.create(**fields)

    return make


@pytest.fixture
def make_subscriber(db):
    """A subscriber; `lists=[…]` subscribes them (status defaults to active when lists are given)."""
    counter = iter(range(1, 100_000))

    def make(*, lists=(), **fields):
        n = next(counter)
        fields.setdefault("email", f"reader{n}@example.com")
        fields.setdefault("status", Subscriber.Status.ACTIVE if lists else Subscriber.Status.PENDING)
        subscriber = Subscriber.objects.create(**fields)
        for mailing_list in lists:
            Subscription.objects.create(subscriber=subscriber, mailing_list=mailing_list)
        return subscriber

    return make


@pytest.fixture
def signup_data():
    """Form fields as the footer form posts them, drawn long enough ago to pass the minimum fill time."""

    def make(**fields):
        fields.setdefault("email", "reader@example.com")
        fields.setdefault("source", "/")
        fields.setdefault("started", signing.dumps(int(time.time()) - 60, salt=STARTED_SALT))
        fields.setdefault("homepage", "")
        return fields

    return make


class Inbox:
    """What a real SMTP server received, parsed as a mail client would parse it."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self):
        return [email.message_from_bytes(e.content, policy=email.policy.default) for e in self.envelopes]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    """An aiosmtpd server on a free local port; `.inbox.messages` are the parsed messages it received."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    controller.inbox = inbox
    yield controller
    controller.stop()


@pytest.fixture
def smtp_settings(settings, smtp_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_server.hostname
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return smtp_server


def links_in(text: str) -> list[str]:
    return re.findall(r"https?://[^\s<>\"]+", text)


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


# ---- Sending (issue 7) ---------------------------------------------------------------------------------------


class CountingInbox(Inbox):
    """An SMTP server's handler that counts connections and can refuse chosen recipients: `refuse[address] =
    "550 5.1.1 No such user"` answers that at RCPT; a code starting with 4 is a temporary refusal."""

    def __init__(self):
        super().__init__()
        self.connections = 0
        self.refuse = {}
        self.on_data = None

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answer = self.refuse.get(address)
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.on_data is not None:
            answer = self.on_data(envelope)
            if answer:
                return answer
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def recipients(self) -> list[str]:
        return [address for envelope in self.envelopes for address in envelope.rcpt_tos]


class SmtpServer:
    """A real aiosmtpd server on a port of its own that a test may stop and start again, as an operator would
    restart a mail server: aiosmtpd's Controller cannot start twice, so each start makes a new one."""

    def __init__(self, inbox):
        self.inbox = inbox
        self.hostname, self.port = "127.0.0.1", free_port()
        self.controller = None

    def start(self):
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.inbox, hostname=self.hostname, port=self.port)
        self.controller.start()

    def stop(self):
        controller, self.controller = self.controller, None
        if controller is not None:
            controller.stop()


@pytest.fixture
def counting_smtp(settings):
    """A real aiosmtpd server with a CountingInbox, and the settings pointing Django's SMTP backend at it."""
    server = SmtpServer(CountingInbox())
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.hostname, server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 60
    yield server
    server.stop()


@pytest.fixture
def make_issue(db, make_mailing_list, make_article):
    """A draft issue; `articles=[…]` (default: one new published article), `mailing_list=…`."""

    def make(*, articles=None, **fields):
        from mailinglist.models import Issue

        fields.setdefault("subject", "Your morning briefing")
        if "mailing_list" not in fields:
            fields["mailing_list"] = make_mailing_list()
        issue = Issue.objects.create(**fields)
        issue.set_articles(articles if articles is not None else [make_article()])
        return issue

    return make


@pytest.fixture
def add_subscribers(db):
    """`add_subscribers(mailing_list, 2000)`: that many active subscribers of the list, in bulk."""

    def add(mailing_list, count, *, prefix="sub", status=Subscriber.Status.ACTIVE):
        subscribers = Subscriber.objects.bulk_create(
            [Subscriber(email=f"{prefix}{n}@example.com", status=status) for n in range(count)]
        )
        if connection_lacks_bulk_ids(subscribers):
            subscribers = list(Subscriber.objects.filter(email__startswith=prefix).order_by("pk"))
        Subscription.objects.bulk_create(
            [Subscription(subscriber=subscriber, mailing_list=mailing_list) for subscriber in subscribers]
        )
        return subscribers

    return add


def connection_lacks_bulk_ids(objects) -> bool:
    return any(obj.pk is None for obj in objects)
