import csv
import io
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from mailinglist import services
from mailinglist.consent import Consent
from mailinglist.models import ConsentEvent, Subscriber, Subscription, Suppression
from tests.conftest import _role

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/mailinglist/subscriber/import/"
EXPORT_URL = "/admin/mailinglist/subscriber/export/"


@pytest.fixture
def manager(client, make_user):
    """A staff member whose only role is Newsletter manager, logged in."""
    user = make_user(is_staff=True)
    user.groups.add(_role("Newsletter manager"))
    client.force_login(user)
    return user


@pytest.fixture
def daily(make_mailing_list):
    return make_mailing_list(name="Daily briefing", slug="daily-briefing")


def upload(text: str, name: str = "readers.csv", encoding: str = "utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def import_csv(client, text, lists, **fields):
    data = {"file": upload(text, **fields), "lists": [m.pk for m in lists], "consent_note": "Paper form at the fair"}
    data["confirmed"] = "on"
    return client.post(IMPORT_URL, data)


def test_newsletter_manager_has_the_mailing_list_and_newsletter_permissions_and_nothing_else():
    app_labels = set(_role("Newsletter manager").permissions.values_list("content_type__app_label", flat=True))
    assert app_labels == {"mailinglist", "newsletters"}
    perms = set(_role("Newsletter manager").permissions.values_list("content_type__app_label", "codename"))
    assert {
        ("mailinglist", "export_subscribers"),
        ("mailinglist", "import_subscribers"),
        ("mailinglist", "erase_subscriber"),
        ("mailinglist", "view_consentevent"),
        ("newsletters", "send_issue"),
        ("newsletters", "change_issue"),
        ("newsletters", "view_delivery"),
    } <= perms


def test_manager_sees_subscribers_with_counts_per_list_and_status(client, manager, daily, make_subscriber):
    make_subscriber(email="a@example.com", lists=[daily], source="/category/wmd/")
    make_subscriber(email="b@example.com")
    response = client.get("/admin/mailinglist/subscriber/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "a@example.com" in html and "/category/wmd/" in html and "Daily briefing" in html
    assert '<th scope="row">Active</th><td>1</td>' in html
    assert '<th scope="row">Pending confirmation</th><td>1</td>' in html
    assert '<th scope="row">Daily briefing</th><td>1</td><td>1</td>' in html
    assert "Import CSV" in html and "Export CSV" in html


def test_changelist_filters_and_search(client, manager, daily, make_subscriber):
    make_subscriber(email="alpha@example.com", lists=[daily])
    make_subscriber(email="beta@example.com")
    html = client.get("/admin/mailinglist/subscriber/", {"status__exact": "pending"}).content.decode()
    assert "beta@example.com" in html and "alpha@example.com" not in html
    html = client.get("/admin/mailinglist/subscriber/", {"q": "alpha"}).content.decode()
    assert "alpha@example.com" in html and "beta@example.com" not in html


def test_changelist_query_count_does_not_grow_with_rows(
    client, manager, daily, make_subscriber, django_assert_max_num_queries
):
    for _ in range(3):
        make_subscriber(lists=[daily])
    with django_assert_max_num_queries(30) as few:
        client.get("/admin/mailinglist/subscriber/")
    for _ in range(30):
        make_subscriber(lists=[daily])
    with django_assert_max_num_queries(30) as many:
        client.get("/admin/mailinglist/subscriber/")
    assert len(few) == len(many)


def test_subscriber_page_shows_the_consent_record(client, manager, daily, make_subscriber):
    subscriber = make_subscriber(lists=[daily])
    subscriber.record(
        ConsentEvent.Kind.SIGNED_UP, Consent(source="/story/", ip_address="198.51.100.4", wording="We will email you")
    )
    html = client.get(f"/admin/mailinglist/subscriber/{subscriber.pk}/change/").content.decode()
    assert "Consent record" in html and "198.51.100.4" in html and "/story/" in html and "We will email you" in html


def test_subscribers_cannot_be_added_or_deleted_by_hand(client, manager, make_subscriber):
    subscriber = make_subscriber()
    assert client.get("/admin/mailinglist/subscriber/add/").status_code == 403
    assert client.get(f"/admin/mailinglist/subscriber/{subscriber.pk}/delete/").status_code == 403


def test_erase_action_asks_then_erases(client, manager, daily, make_subscriber):
    subscriber = make_subscriber(email="bye@example.com", lists=[daily])
    data = {"action": "erase_selected", "_selected_action": [subscriber.pk]}
    confirm = client.post("/admin/mailinglist/subscriber/", data)
    assert confirm.status_code == 200 and "Yes, erase them" in confirm.content.decode()
    assert Subscriber.objects.exists()
    client.post("/admin/mailinglist/subscriber/", data | {"confirm_erase": "yes"})
    assert not Subscriber.objects.exists()
    assert Suppression.objects.covering("bye@example.com").exists()
    assert ConsentEvent.objects.get().source == f"admin: erased by {manager.username}"


def test_unsubscribe_action_records_who(client, manager, daily, make_subscriber):
    subscriber = make_subscriber(lists=[daily])
    client.post(
        "/admin/mailinglist/subscriber/", {"action": "unsubscribe_selected", "_selected_action": [subscriber.pk]}
    )
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert subscriber.consent_events.get().source == f"admin: unsubscribed by {manager.username}"


def test_staff_without_the_role_cannot_export_or_import(client, make_user):
    client.force_login(make_user(is_staff=True))
    assert client.get(EXPORT_URL).status_code == 403
    assert client.get(IMPORT_URL).status_code == 403


# Import


def test_import_reports_every_row_it_refused_or_skipped(client, manager, daily, make_subscriber):
    make_subscriber(email="left@example.com", status=Subscriber.Status.UNSUBSCRIBED)
    services.erase(subscriber=make_subscriber(email="erased@example.com"), consent=Consent(source="t"))
    text = (
        "Email,Name\n"
        "new@example.com,New Reader\n"
        "not-an-address,Broken\n"
        ",No address\n"
        "NEW@example.com,Again\n"
        "left@example.com,Left us\n"
        "erased@example.com,Erased\n"
        f"long@example.com,{'x' * 201}\n"
        "\n"
        "second@example.com\n"
    )
    response = import_csv(client, text, [daily])
    html = response.content.decode()
    assert response.status_code == 200
    assert "Imported 2, skipped 2, refused 4." in html
    report = {row.number: (row.outcome, row.reason) for row in response.context["report"].rows}
    assert report == {
        2: ("imported", ""),
        3: ("refused", "not a valid email address"),
        4: ("refused", "no email address"),
        5: ("skipped", "duplicate of row 2"),
        6: ("skipped", "already on file (unsubscribed)"),
        7: ("refused", "erased at the subscriber's request"),
        8: ("refused", "name longer than 200 characters"),
        10: ("imported", ""),
    }
    left = Subscriber.objects.get(email="left@example.com")
    assert left.status == Subscriber.Status.UNSUBSCRIBED, "an import never re-subscribes someone who left"
    new = Subscriber.objects.get(email="new@example.com")
    assert (new.name, new.status, list(new.lists.all())) == ("New Reader", Subscriber.Status.ACTIVE, [daily])
    event = new.consent_events.get()
    assert event.kind == ConsentEvent.Kind.IMPORTED
    assert event.source == f"CSV import “readers.csv” by {manager.username}"
    assert event.wording == "Paper form at the fair"
    assert new.source == "CSV import “readers.csv”"


def test_import_accepts_semicolons_and_a_byte_order_mark(client, manager, daily):
    response = import_csv(client, "\ufeffname;email\nAnna;anna@example.com\n", [daily])
    assert response.context["report"].imported == 1
    assert Subscriber.objects.get().name == "Anna"


@pytest.mark.parametrize(
    ("text", "encoding", "message"),
    [
        ("name\nAnna\n", "utf-8", "one of them must be “email”"),
        ("", "utf-8", "The submitted file is empty."),
        ("email\nmüller@example.com\n", "latin-1", "not UTF-8"),
    ],
)
def test_unusable_files_import_nothing(client, manager, daily, text, encoding, message):
    response = import_csv(client, text, [daily], encoding=encoding)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Subscriber.objects.exists()


def test_import_requires_the_consent_declaration(client, manager, daily):
    response = client.post(
        IMPORT_URL, {"file": upload("email\na@example.com\n"), "lists": [daily.pk], "consent_note": "x"}
    )
    assert response.status_code == 400
    assert "Import only people who agreed" in response.content.decode()
    assert not Subscriber.objects.exists()


# Export


def test_export_is_a_csv_of_the_filtered_list(client, manager, daily, make_subscriber):
    make_subscriber(email="a@example.com", name="=HYPERLINK(1)", lists=[daily])
    make_subscriber(email="b@example.com")
    response = client.get(EXPORT_URL, {"status__exact": "active"})
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["email", "name", "status", "lists", "signed_up", "signup_source", "confirmed", "unsubscribed"]
    assert [row[:4] for row in rows[1:]] == [["a@example.com", "'=HYPERLINK(1)", "active", "daily-briefing"]]


def test_export_streams_100k_rows_in_bounded_memory(client, manager, daily):
    now = timezone.now()
    subscribers = Subscriber.objects.bulk_create(
        (Subscriber(email=f"reader{n}@example.com", status="active", created_at=now) for n in range(100_000)),
        batch_size=5000,
    )
    if subscribers[0].pk is None:
        subscribers = Subscriber.objects.order_by("pk")
    Subscription.objects.bulk_create(
        (Subscription(subscriber_id=subscriber.pk, mailing_list=daily) for subscriber in subscribers), batch_size=5000
    )
    del subscribers
    response = client.get(EXPORT_URL)
    assert response.streaming
    lines = 0
    size = 0
    tracemalloc.start()
    try:
        for chunk in response.streaming_content:
            lines += chunk.count(b"\n")
            size += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert lines == 100_001
    # The CSV itself is several MB; holding it, or 100,000 model instances, would take far more than this.
    assert size > 8_000_000
    assert peak < 6_000_000, f"peak {peak:,} bytes"
