"""The demo's mailing lists (the seed page ends with "Join the mailing list") and a local newsletter manager."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from mailinglist.models import MailingList
from mailinglist.roles import NEWSLETTER_MANAGER

DEMO_LISTS = [
    # (name, slug, description, default checked, order)
    ("Daily briefing", "daily-briefing", "The day's top stories, every weekday morning.", True, 10),
    ("WMD alerts", "wmd-alerts", "Breaking news on weapons of mass destruction, when it happens.", False, 20),
]


def load_demo(stdout) -> None:
    created = 0
    for name, slug, description, default_checked, order in DEMO_LISTS:
        _, is_new = MailingList.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "description": description, "default_checked": default_checked, "order": order},
        )
        created += is_new
    stdout.write(f"Demo mailing lists ready ({created} new).")
    if not settings.DEBUG:
        return
    User = get_user_model()
    if User.objects.filter(username="newsletter").exists():
        return
    password = secrets.token_urlsafe(12)
    user = User.objects.create_user(
        username="newsletter", first_name="Nell", email="newsletter@example.com", password=password, is_staff=True
    )
    user.groups.add(Group.objects.get(name=NEWSLETTER_MANAGER))
    stdout.write(f"Demo account (local use only): newsletter / {password}")
