import pytest

from mailinglist.models import Subscriber, Subscription
from newsletters.models import Issue
from tests.mailinglist.conftest import Inbox
from tests.ports import free_port


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
