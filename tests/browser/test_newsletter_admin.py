import pytest
from django.core.management import call_command

from mailinglist.models import Subscriber
from tests.conftest import _role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def manager_page(page, live_server, settings, make_user):
    settings.DEBUG = False
    call_command("load_mailinglist_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    user = make_user(username="nell", is_staff=True, password="a long enough password")
    user.groups.add(_role("Newsletter manager"))
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("nell")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/admin/")
    return page


def test_manager_imports_a_csv_and_reads_the_report(manager_page, live_server, tmp_path, screenshot):
    page = manager_page
    csv_file = tmp_path / "fair.csv"
    csv_file.write_text("email,name\nanna@example.com,Anna\nbroken,Bob\nanna@example.com,Anna again\n")
    page.goto(live_server.url + "/admin/mailinglist/subscriber/")
    page.get_by_role("link", name="Import CSV").click()
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_label("Daily briefing").check()
    page.get_by_label("How these people consented").fill("Paper form at the 2025 book fair")
    page.get_by_label("Every person in this file agreed").check()
    page.get_by_role("button", name="Import").click()
    page.get_by_text("Imported 1, skipped 1, refused 1.").wait_for()
    report = page.locator("#import-report").inner_text()
    assert "not a valid email address" in report and "duplicate of row 2" in report
    screenshot("newsletter-admin-import-report")
    assert Subscriber.objects.get().email == "anna@example.com"

    page.get_by_role("link", name="Back to subscribers").click()
    assert "anna@example.com" in page.locator("#result_list").inner_text()
    assert page.get_by_role("table", name="Subscribers by list").inner_text().count("Daily briefing") == 1
    screenshot("newsletter-admin-changelist")
