import email
import email.policy
import re
import time

import pytest
from django.core import signing

from mailinglist.forms import STARTED_SALT
from tests.ports import free_port


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
