"""The mailing list as the operator meets it: demo content, the role, housekeeping, concurrency."""

import os
import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from mailinglist import services
from mailinglist.consent import Consent
from mailinglist.models import MailingList, Subscriber


def quiet(command):
    call_command(command, stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.mark.django_db
def test_demo_lists_load_idempotently(settings):
    settings.DEBUG = False
    quiet("load_mailinglist_demo")
    quiet("load_mailinglist_demo")
    assert list(MailingList.objects.values_list("name", "default_checked")) == [
        ("Daily briefing", True),
        ("WMD alerts", False),
    ]
    assert not get_user_model().objects.exists(), "no demo account when debug is off"


@pytest.mark.django_db
def test_demo_newsletter_manager_is_created_once_with_debug_on(settings, capsys):
    settings.DEBUG = True
    call_command("load_mailinglist_demo")
    call_command("load_mailinglist_demo")
    out = capsys.readouterr().out
    assert out.count("newsletter /") == 1
    user = get_user_model().objects.get(username="newsletter")
    assert user.is_staff and not user.is_superuser
    assert user.has_perm("mailinglist.export_subscribers")
    assert not user.has_perm("articles.change_article")


@pytest.mark.django_db
def test_purge_unconfirmed_deletes_only_expired_pending_signups(make_subscriber, make_mailing_list, settings):
    old = timezone.now() - timedelta(seconds=settings.MAILINGLIST_CONFIRM_MAX_AGE + 60)
    make_subscriber(email="stale@example.com", created_at=old)
    make_subscriber(email="fresh@example.com")
    make_subscriber(email="active@example.com", created_at=old, lists=[make_mailing_list()])
    quiet("purge_unconfirmed")
    assert sorted(Subscriber.objects.values_list("email", flat=True)) == ["active@example.com", "fresh@example.com"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_signups_for_one_address_make_one_subscriber_and_one_email(make_mailing_list):
    daily = make_mailing_list(default_checked=True)
    barrier = threading.Barrier(4)
    errors = []

    def sign_up():
        try:
            barrier.wait()
            services.sign_up(email="race@example.com", list_ids=[daily.pk], consent=Consent(source="/"))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Subscriber.objects.count() == 1
    assert Subscriber.objects.get().consent_events.count() == 4
    assert len(mail.outbox) == 1
