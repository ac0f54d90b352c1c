"""Load shedding (newsroom/overload.py): slow requests beyond the limits (per process, per machine) are turned away at
once, health checks never."""

import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from newsroom import overload
from newsroom.overload import LoadShedMiddleware, MachineSlots

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_site(settings):
    """A middleware in front of a view that holds its thread until released, with room for two at once."""
    settings.NEWSROOM_BUSY_LIMIT = 2
    release, entered = threading.Event(), threading.Semaphore(0)

    def slow_view(request):
        entered.release()
        release.wait(10)
        return HttpResponse("done")

    middleware = LoadShedMiddleware(slow_view)
    workers = []

    def occupy(count):
        for _ in range(count):
            thread = threading.Thread(target=middleware, args=(RequestFactory().get("/search/?q=war"),))
            thread.start()
            workers.append(thread)
            assert entered.acquire(timeout=10)

    yield middleware, occupy
    release.set()
    for thread in workers:
        thread.join(10)


@pytest.fixture
def machine_full(settings):
    """Every place of a machine-wide limit of one held, as by another worker, until the test ends; no waiting for
    it."""
    settings.NEWSROOM_BUSY_MACHINE_LIMIT = 1
    settings.NEWSROOM_BUSY_WAIT = 0
    place = MachineSlots(settings.NEWSROOM_BUSY_DIR, 1).take()
    assert place is not None
    yield
    MachineSlots.give_back(place)


def test_requests_beyond_the_limit_get_503_at_once(busy_site):
    middleware, occupy = busy_site
    occupy(2)
    response = middleware(RequestFactory().get("/search/?q=peace"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Cache-Control"] == "no-store"


def test_health_checks_pass_when_the_worker_is_full(busy_site):
    middleware, occupy = busy_site
    occupy(2)
    # The view here would block; a health check must never reach the queue of slow requests at all.
    middleware.get_response = lambda request: HttpResponse("ok")
    for path in ("/healthz", "/readyz"):
        assert middleware(RequestFactory().get(path)).status_code == 200


def test_a_freed_slot_is_taken_again(settings):
    settings.NEWSROOM_BUSY_LIMIT = 1
    middleware = LoadShedMiddleware(lambda request: HttpResponse("done"))
    for _ in range(5):
        assert middleware(RequestFactory().get("/search/?q=war")).status_code == 200


def test_pages_served_from_the_cache_are_never_turned_away(client, settings, make_article, request):
    settings.NEWSROOM_PAGE_CACHE = True
    settings.NEWSROOM_BUSY_MACHINE_LIMIT = 1  # read when the client makes its handler, at its first request
    make_article()
    client.get("/")
    request.getfixturevalue("machine_full")  # then another worker takes the only place
    assert client.get("/")["X-Cache"] == "HIT"
    assert client.get("/search/?q=anything").status_code == 503


def test_readiness_reports_each_dependency(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    report = response.json()
    assert report["database"] == "ok" and report["cache"] == "ok" and report["ready"] is True
    assert "task_backlog_seconds" in report


# ---- the machine-wide limit, shared by every worker process


def hold_places(folder, count):
    """Another process (a gunicorn worker, say) holding `count` places until it is killed."""
    code = (
        "import sys, time; from pathlib import Path; from newsroom.overload import MachineSlots\n"
        f"slots = MachineSlots(Path(sys.argv[1]), {count})\n"
        f"held = [slots.take() for _ in range({count})]\n"
        "assert None not in held; print('held', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(folder)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )  # fmt: skip
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_the_machine_limit_counts_the_requests_of_every_process(settings, tmp_path):
    settings.NEWSROOM_BUSY_MACHINE_LIMIT = 2
    settings.NEWSROOM_BUSY_WAIT = 0.1
    middleware = LoadShedMiddleware(lambda request: HttpResponse("done"))
    holder = hold_places(settings.NEWSROOM_BUSY_DIR, 2)
    try:
        response = middleware(RequestFactory().get("/search/?q=war"))
        assert response.status_code == 503 and response["Retry-After"] == "5"
        assert middleware(RequestFactory().get("/healthz")).status_code == 200
    finally:
        holder.kill()  # SIGKILL: no chance to give its places back; the kernel drops its locks
        holder.wait(10)
    assert middleware(RequestFactory().get("/search/?q=war")).status_code == 200


def test_a_slow_request_waits_a_moment_for_a_place_given_back(settings):
    settings.NEWSROOM_BUSY_MACHINE_LIMIT = 1
    settings.NEWSROOM_BUSY_WAIT = 30  # far longer than the other request takes
    other = MachineSlots(settings.NEWSROOM_BUSY_DIR, 1)
    place = other.take()
    threading.Timer(0.2, other.give_back, args=(place,)).start()  # the other request ends
    middleware = LoadShedMiddleware(lambda request: HttpResponse("done"))
    assert middleware(RequestFactory().get("/search/?q=war")).status_code == 200


def test_threads_of_one_process_take_places_of_their_own(tmp_path):
    slots = MachineSlots(tmp_path, 2)
    held = [slots.take(), slots.take()]
    assert None not in held
    assert slots.take() is None
    slots.give_back(held.pop())
    held.append(slots.take())
    assert held[-1] is not None
    for place in held:
        slots.give_back(place)


def test_a_place_is_given_back_when_the_request_fails(settings):
    settings.NEWSROOM_BUSY_MACHINE_LIMIT = 1

    def failing(request):
        raise RuntimeError("the view broke")

    middleware = LoadShedMiddleware(failing)
    for _ in range(3):
        with pytest.raises(RuntimeError):
            middleware(RequestFactory().get("/search/?q=war"))
    place = MachineSlots(settings.NEWSROOM_BUSY_DIR, 1).take()
    assert place is not None
    MachineSlots.give_back(place)


def test_a_folder_removed_meanwhile_is_made_again(settings):
    settings.NEWSROOM_BUSY_MACHINE_LIMIT = 1
    middleware = LoadShedMiddleware(lambda request: HttpResponse("done"))
    shutil.rmtree(settings.NEWSROOM_BUSY_DIR)
    assert middleware(RequestFactory().get("/search/?q=war")).status_code == 200
    assert settings.NEWSROOM_BUSY_DIR.is_dir()


def test_a_folder_that_cannot_be_used_serves_rather_than_refuses(settings, caplog):
    settings.NEWSROOM_BUSY_MACHINE_LIMIT = 1
    middleware = LoadShedMiddleware(lambda request: HttpResponse("done"))
    shutil.rmtree(settings.NEWSROOM_BUSY_DIR)
    settings.NEWSROOM_BUSY_DIR.write_text("a file where the folder was")
    for _ in range(3):
        assert middleware(RequestFactory().get("/search/?q=war")).status_code == 200
    assert caplog.text.count("No machine-wide limit on slow requests") == 1


def test_turned_away_requests_are_reported_once_a_while_not_logged_each(client, machine_full, caplog, monkeypatch):
    monkeypatch.setattr(overload, "turned_away", overload._TurnedAway())
    for _ in range(20):
        assert client.get("/search/?q=peace").status_code == 503
    assert not [record for record in caplog.records if record.name == "django.request"]
    reports = [record.getMessage() for record in caplog.records if record.name == "newsroom.overload"]
    assert len(reports) == 1 and reports[0].startswith("Busy: turning slow requests away with 503")


def test_the_count_of_turned_away_requests_follows_a_minute_later(caplog):
    tally = overload._TurnedAway()
    for _ in range(5):  # the first is said at once, the next four counted
        tally.add()
    tally.said_at -= 61  # a minute later
    for _ in range(3):
        tally.add()
    reports = [record.getMessage() for record in caplog.records if record.name == "newsroom.overload"]
    assert len(reports) == 2 and reports[1] == "Busy: 5 slow requests turned away with 503 in the last 61 s."
