"""The admin of issues, deliveries and the mail server moved from /admin/mailinglist/ to /admin/newsletters/ (issue
14): the old addresses lead to the same pages."""

import pytest

from newsletters.models import MailServer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/mailinglist/issue/", "/admin/newsletters/issue/"),
        ("/admin/mailinglist/issue/?status__exact=sent&q=Gaza", "/admin/newsletters/issue/?status__exact=sent&q=Gaza"),
        ("/admin/mailinglist/issue/7/change/", "/admin/newsletters/issue/7/change/"),
        ("/admin/mailinglist/issue/7/preview/?format=text", "/admin/newsletters/issue/7/preview/?format=text"),
        ("/admin/mailinglist/issue/alert/12/", "/admin/newsletters/issue/alert/12/"),
        ("/admin/mailinglist/delivery/?issue__id__exact=3", "/admin/newsletters/delivery/?issue__id__exact=3"),
        ("/admin/mailinglist/mailserver/1/change/", "/admin/newsletters/mailserver/1/change/"),
        ("/admin/mailinglist/issue", "/admin/newsletters/issue"),
        ("/admin/mailinglist/issue/%C3%A9t%C3%A9/", "/admin/newsletters/issue/%C3%A9t%C3%A9/"),
    ],
)
def test_the_old_admin_addresses_of_issues_lead_to_the_new_ones_for_good(client, old, new):
    response = client.get(old)

    assert response.status_code == 301
    assert response["Location"] == new


def test_a_form_posted_to_an_old_address_is_posted_again_to_the_new_one(client):
    response = client.post("/admin/mailinglist/issue/7/send/", {"confirmed": "abc"})

    assert response.status_code == 308
    assert response["Location"] == "/admin/newsletters/issue/7/send/"


@pytest.mark.parametrize(
    "path", ["/admin/mailinglist/subscriber/", "/admin/mailinglist/mailinglist/", "/admin/mailinglist/"]
)
def test_the_mailing_list_admin_stays_where_it_is(admin_client, path):
    assert admin_client.get(path).status_code == 200


def test_an_old_bookmark_reaches_the_page_once_signed_in(admin_client):
    MailServer.objects.current()

    response = admin_client.get("/admin/mailinglist/mailserver/", follow=True)

    assert response.redirect_chain == [("/admin/newsletters/mailserver/", 301)]
    assert response.status_code == 200 and "working" in response.content.decode()
