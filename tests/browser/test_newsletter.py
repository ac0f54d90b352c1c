import re

import pytest
from django.core import mail
from django.core.management import call_command

from mailinglist.models import Subscriber

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED_PATH = "/2020/01/17/civilian-killings-mount-in-idlib-as-cease-fire-breaks-down/"


@pytest.fixture
def demo_site(live_server, settings):
    settings.DEBUG = False
    settings.MAILINGLIST_MIN_FILL_SECONDS = 0
    settings.SITE_URL = live_server.url
    for command in ("load_demo", "load_mailinglist_demo"):
        call_command(command, stdout=open("/dev/null", "w"))  # noqa: SIM115
    return live_server.url


def confirm_link():
    [message] = mail.outbox
    return re.search(r"https?://\S+/newsletter/confirm/\S+/", message.body).group(0)


def test_footer_form_fits_a_phone(page, demo_site, screenshot):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(demo_site + "/")
    form = page.locator(".site-footer .signup-form")
    assert form.bounding_box()["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, "nothing overflows sideways"
    form.scroll_into_view_if_needed()
    screenshot("newsletter-footer-phone")


def test_reader_joins_from_the_story_footer_and_confirms(page, demo_site, screenshot):
    page.goto(demo_site + SEED_PATH)
    footer = page.locator(".site-footer")
    assert footer.get_by_role("heading", name="Join the mailing list").is_visible()
    assert footer.get_by_label("Daily briefing").is_checked()
    footer.get_by_label("Email address").fill("reader@example.com")
    footer.get_by_label("WMD alerts").check()
    footer.get_by_role("button", name="Join").click()
    status = footer.locator("[data-signup-status]")
    status.get_by_text("Check your inbox").wait_for()
    assert page.url == demo_site + SEED_PATH, "the enhanced form answers in place"
    screenshot("newsletter-footer-answered")

    page.goto(confirm_link())
    assert page.get_by_role("heading", name="Confirm your subscription").is_visible()
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    screenshot("newsletter-confirm")
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="You are subscribed").wait_for()
    screenshot("newsletter-confirmed")
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.ACTIVE
    assert sorted(subscriber.lists.values_list("name", flat=True)) == ["Daily briefing", "WMD alerts"]

    assert page.get_by_role("link", name="change what you get").count() == 0, "preferences come from the inbox"
    [message] = mail.outbox
    page.goto(re.search(r"https?://\S+/newsletter/preferences/\S+/", message.body).group(0))
    page.get_by_role("heading", name="Your newsletter preferences").wait_for()
    screenshot("newsletter-preferences")


def test_the_form_works_without_javascript(browser, demo_site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(demo_site + "/")
        footer = page.locator(".site-footer")
        footer.get_by_label("Email address").fill("no-js@example.com")
        footer.get_by_role("button", name="Join").click()
        page.wait_for_url(re.compile(r"/newsletter/\?from="))
        assert page.get_by_text("Check your inbox").is_visible()
        assert page.get_by_role("link", name="Back to where you were").get_attribute("href") == "/"
        assert "/newsletter/confirm/" in confirm_link()
    finally:
        context.close()


def test_a_bad_address_is_explained_next_to_the_form(page, demo_site, screenshot):
    page.goto(demo_site + "/newsletter/")
    # The browser's own check lets "reader@example" through; the server explains what is missing.
    page.get_by_label("Email address").fill("reader@example")
    page.get_by_role("button", name="Join").click()
    status = page.locator("[data-signup-status]")
    status.get_by_text("Enter a complete email address").wait_for()
    assert page.get_by_label("Email address").get_attribute("aria-invalid") == "true"
    screenshot("newsletter-page-error")
    assert mail.outbox == []
