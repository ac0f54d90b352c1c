"""The benchmark dataset generator stays working: small sizes here, the real size in bench/."""

import gzip
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from argparse import Namespace
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.machinery import SourceFileLoader
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from taggit.models import Tag

from articles.models import Article, Author, Byline, Category, Correction
from mailinglist.models import MailingList, Subscriber, Subscription
from newsroom import views
from photos.models import Image
from wpimport.importer import import_export

pytestmark = pytest.mark.django_db


def generate(**sizes):
    options = {
        "articles": 40, "authors": 6, "categories": 15, "tags": 25, "corrections": 25, "subscribers": 90, "seed": 7,
        "batch": 16,
    } | sizes  # fmt: skip
    call_command("generate_dataset", *[f"--{k}={v}" for k, v in options.items()], stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_dataset_has_the_requested_sizes_and_shape():
    generate()
    assert Article.objects.published().filter(slug__startswith="bench-").count() == 40
    assert Author.objects.filter(slug__startswith="bench-").count() == 6
    assert Category.objects.filter(slug__startswith="bench-").count() == 15
    assert Category.objects.filter(slug__startswith="bench-", parent__isnull=False).count() == 3
    assert Tag.objects.filter(slug__startswith="bench-").count() == 25
    assert Byline.objects.filter(article__slug__startswith="bench-").count() >= 40
    article = Article.objects.filter(slug__startswith="bench-").first()
    assert article.body.count("<p>") >= 6 and article.tags.count() >= 2
    assert 0 < Correction.objects.filter(article__slug__startswith="bench-").count() < 40
    assert Subscriber.objects.active().filter(email__endswith="@bench.example").count() == 90
    assert MailingList.objects.public().filter(slug__startswith="bench-").count() == 3
    assert Subscription.objects.filter(subscriber__email__endswith="@bench.example").count() >= 90


def test_corrections_come_after_publication_and_show_on_the_article(client):
    generate(corrections=100)
    correction = Correction.objects.select_related("article").filter(article__slug__startswith="bench-").first()
    assert Correction.objects.filter(article__slug__startswith="bench-").count() == 40
    assert correction.created_at > correction.article.published_at
    assert correction.article.modified_at == correction.created_at
    assert correction.text in client.get(correction.article.get_absolute_url()).content.decode()


def test_subscribers_are_confirmed_and_on_at_least_one_list():
    generate()
    subscribers = Subscriber.objects.filter(email__endswith="@bench.example")
    assert not subscribers.filter(subscriptions__isnull=True).exists()
    assert not subscribers.filter(confirmed_at__isnull=True).exists()
    assert subscribers.filter(subscriptions__isnull=False).distinct().count() == 90


def test_dataset_is_reproducible_from_the_seed():
    def sample():
        return (
            list(Article.objects.order_by("slug").values_list("slug", "headline", "dek", "category__slug")[:10]),
            list(Correction.objects.order_by("article__slug").values_list("article__slug", "kind", "text")),
            list(Subscriber.objects.order_by("email").values_list("email", "name", "token_key")[:10]),
        )

    with transaction.atomic():
        generate()
        first = sample()
        transaction.set_rollback(True)
    generate()
    assert sample() == first


def test_generated_articles_render_and_are_searchable(client):
    generate()
    article = Article.objects.filter(slug__startswith="bench-").first()
    assert client.get(article.get_absolute_url()).status_code == 200
    response = client.get("/search/", {"q": f'"{article.headline}"'})
    assert response.status_code == 200
    assert article.get_absolute_url() in response.content.decode()


def test_generating_twice_into_one_database_is_refused():
    generate()
    with pytest.raises(CommandError):
        generate()


def load_demo():
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_the_dataset_adds_to_a_database_with_the_demo():
    load_demo()
    demo_articles = Article.objects.count()

    generate()
    load_demo()  # and the demo still loads (adding nothing) afterwards

    assert Article.objects.filter(slug__startswith="bench-").count() == 40
    assert Article.objects.exclude(slug__startswith="bench-").count() == demo_articles
    world = Category.objects.get(name="World")
    assert world.slug == "world"  # the demo's section, which the dataset writes into
    assert Article.objects.filter(slug__startswith="bench-", category=world).exists()


def test_the_demo_loads_after_the_dataset(client):
    generate()

    load_demo()

    seed = Article.objects.get(slug="civilian-killings-mount-in-idlib-as-cease-fire-breaks-down")
    assert seed.category.name == "Weapons of Mass Destruction (WMD)"
    assert Category.objects.filter(name="World").count() == 1
    assert client.get(seed.get_absolute_url()).status_code == 200
    assert Article.objects.filter(slug__startswith="bench-").count() == 40


# ---- a newsroom at work (bench/run --only work)


def load_script(name):
    """A script of bench/ (no .py suffix) loaded as a module, to test its pieces."""
    path = Path(__file__).resolve().parent.parent / "bench" / name
    loader = SourceFileLoader(f"bench_{name}", str(path))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(f"bench_{name}", loader))
    loader.exec_module(module)
    return module


bench_run = load_script("run")


def reader_mix(*options):
    output = io.StringIO()
    call_command("reader_mix", *options, stdout=output)
    return json.loads(output.getvalue())


def test_reader_mix_names_the_newest_stories_a_sample_of_the_archive_and_the_listings(client):
    generate()
    groups = reader_mix("--newest", "10", "--archive", "5", "--tags", "3")
    newest = Article.objects.published().order_by("-published_at", "-id")
    assert groups["newest"] == [article.get_absolute_url() for article in newest[:10]]
    assert len(set(groups["archive"])) == 5 and not set(groups["archive"]) & set(groups["newest"])
    assert groups["home"] == ["/"]
    sections = [
        section
        for section in Category.objects.filter(slug__startswith="bench-")
        if Article.objects.published().in_category(section).exists()  # an empty one answers 404
    ]
    assert sections
    assert {section.get_absolute_url() for section in sections} <= set(groups["listings"])
    assert len([url for url in groups["listings"] if url.startswith("/tag/")]) == 3
    assert "/feed/" in groups["feeds"] and "/feed/atom/" in groups["feeds"]
    for url in {url for urls in groups.values() for url in urls}:
        assert client.get(url).status_code == 200, url


def test_reader_mix_is_the_same_for_the_same_seed():
    generate()
    sample = ("--newest", "10", "--archive", "5")
    assert reader_mix(*sample, "--seed", "3") == reader_mix(*sample, "--seed", "3")
    assert reader_mix(*sample, "--seed", "3")["archive"] != reader_mix(*sample, "--seed", "4")["archive"]


def test_reader_requests_follow_the_mix_and_favour_the_newest_stories():
    groups = {
        "newest": [f"/new/{rank}/" for rank in range(300)],
        "archive": [f"/old/{rank}/" for rank in range(1000)],
        "home": ["/"],
        "listings": ["/category/world/", "/tag/vote/"],
        "feeds": ["/feed/"],
    }
    paths = bench_run.reader_requests(groups, size=20_000)
    assert len(paths) == 20_000
    shares = Counter(next(group for group, urls in groups.items() if path in urls) for path in paths)
    for group, share in bench_run.MIX.items():
        assert shares[group] == round(20_000 * share)
    counts = Counter(paths)
    newest_ten = sum(counts[f"/new/{rank}/"] for rank in range(10))
    oldest_ten = sum(counts[f"/new/{rank}/"] for rank in range(290, 300))
    assert newest_ten > 2.5 * oldest_ten
    assert paths[:100] != sorted(paths[:100])  # shuffled: a run's first seconds are not all one group
    assert bench_run.reader_requests(groups, size=1000) == bench_run.reader_requests(groups, size=1000)


def test_reader_requests_skip_an_empty_group():
    paths = bench_run.reader_requests({"newest": ["/a/"], "home": ["/"], "feeds": []}, size=1000)
    assert Counter(paths) == {"/a/": 600, "/": 100}


def test_cache_counts_are_read_from_the_readers_script_output():
    output = "  12 requests in 1.00s\nX-Cache counts: HIT=7 STALE=2 MISS=1 none=1 other=1 non-200=3\n"
    counts = bench_run.parse_cache_counts(output)
    assert counts == {"HIT": 7, "STALE": 2, "MISS": 1, "none": 1, "other": 1, "non-200": 3}
    assert bench_run.hit_ratio(counts) == 9 / 12
    assert bench_run.parse_cache_counts("Requests/sec: 10.0\n") is None


class CacheAnswers(BaseHTTPRequestHandler):
    """A site whose answers say HIT, STALE or MISS (or nothing) by their path, keeping connections open as wrk does."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # or each answer waits for the client's delayed acknowledgement
    seen: Counter

    def do_GET(self):
        self.seen[self.path] += 1
        body = b"x" * 100
        self.send_response(404 if self.path == "/missing" else 200)
        if self.path.strip("/") in ("HIT", "STALE", "MISS", "ELSE"):
            self.send_header("X-Cache", self.path.strip("/"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_readers_script_requests_the_mix_and_counts_answers_by_x_cache(tmp_path):
    """The real wrk with the real script against a small server."""
    assert shutil.which("wrk"), "wrk is needed (apt-get install wrk; .ci/run installs it)"
    CacheAnswers.seen = Counter()
    server = ThreadingHTTPServer(("127.0.0.1", 0), CacheAnswers)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        paths = ["/HIT/"] * 4 + ["/STALE/", "/MISS/", "/plain/", "/ELSE/", "/missing"]
        script = bench_run.readers_script(paths, tmp_path)
        args = Namespace(threads=1, connections=2, duration=1, wrk_timeout=5)
        run = bench_run.wrk(args, f"http://127.0.0.1:{server.server_port}/", script=script)
    finally:
        server.shutdown()
    counts = run["cache"]
    answered = int(re.search(r"(\d+) requests in", run["raw"]).group(1))
    assert sum(counts[name] for name in ("HIT", "STALE", "MISS", "none", "other")) == answered > 200
    assert counts["HIT"] > counts["STALE"] > 0 and counts["MISS"] > 0 and counts["other"] > 0
    # The server may have answered a request or two that wrk, stopping, did not wait for.
    assert 0 <= CacheAnswers.seen["/plain/"] + CacheAnswers.seen["/missing"] - counts["none"] <= args.connections
    assert 0 <= CacheAnswers.seen["/missing"] - counts["non-200"] <= args.connections and counts["non-200"] > 0
    assert set(CacheAnswers.seen) == set(paths)
    assert CacheAnswers.seen["/HIT/"] > 2 * CacheAnswers.seen["/MISS/"]


def test_docs_keep_the_part_a_run_did_not_measure():
    text = (
        "intro\n<!-- bench:start -->\n### A newsroom at work\n\nold work\n\n### One endpoint at a time\n\n"
        "old endpoints\n<!-- bench:end -->\noutro\n"
    )
    updated = bench_run.updated_docs(text, {"A newsroom at work": "new work"})
    assert updated == (
        "intro\n<!-- bench:start -->\n### A newsroom at work\n\nnew work\n\n### One endpoint at a time\n\n"
        "old endpoints\n<!-- bench:end -->\noutro\n"
    )
    assert "old" not in bench_run.updated_docs(updated, {"A newsroom at work": "w", "One endpoint at a time": "e"})


def test_cpu_time_counts_a_process_and_its_children():
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\ntime.sleep(5)",
        ]
    )  # noqa: E501
    try:
        time.sleep(1.5)
        assert bench_run.tree_cpu_seconds(os.getpid()) >= bench_run.tree_cpu_seconds(child.pid) >= 0.2
    finally:
        child.kill()
        child.wait()


def simulate(*options):
    output = io.StringIO()
    call_command("simulate_newsroom", *options, stdout=output)
    lines = output.getvalue().splitlines()
    assert lines[0] == "ready"
    return json.loads(lines[-1])


def test_the_simulated_newsroom_works_through_the_workflow_as_staff(settings):
    generate()
    summary = simulate(
        "--seconds", "2.5", "--draft-every", "0.25", "--publish-every", "1", "--fix-every", "1", "--correct-every", "1"
    )  # fmt: skip
    assert summary["errors"] == []
    assert summary["drafts"] >= 8 and summary["published"] >= 2 and summary["fixes"] >= 2
    assert summary["corrections"] >= 2 and len(summary["publishing"]) == summary["published"]
    User = get_user_model()
    reporter, editor = User.objects.get(username="bench-reporter"), User.objects.get(username="bench-editor")
    assert reporter.groups.filter(name="Reporter").exists() and editor.groups.filter(name="Editor").exists()
    published = Article.objects.published().filter(slug__startswith="newsroom-at-work-", created_by=reporter)
    assert published.count() == summary["published"]
    story = published.first()
    assert story.bylines.get().author.user == reporter and story.tags.count() == 3
    assert list(story.transitions.order_by("at", "pk").values_list("to_status", "actor")) == [
        ("review", reporter.pk),
        ("published", editor.pk),
    ]
    drafts = Article.objects.filter(slug__startswith="newsroom-at-work-draft-", status=Article.Status.DRAFT)
    assert drafts.count() == 3 and sum(draft.version - 1 for draft in drafts) == summary["drafts"]
    assert Article.objects.filter(edited_by=editor, slug__startswith="bench-").exists()  # live stories fixed
    assert Correction.objects.filter(created_by=editor).count() == summary["corrections"]
    # A second run picks up the same staff and drafts.
    assert simulate("--seconds", "0.9", "--draft-every", "0.25", "--publish-every", "9")["drafts"] == 3
    assert drafts.count() == 3


@pytest.mark.django_db(transaction=True)  # purges are sent once the workflow's transactions commit
def test_drafts_purge_nothing_and_a_publication_reaches_the_home_page(client, settings, role):
    role("Editor"), role("Reporter")  # the roles' groups, which an earlier transactional test's flush may have removed
    generate()
    settings.NEWSROOM_PAGE_CACHE = True
    # The generator purges every page as it ends; a page rendered within the page cache's clock margin of a purge
    # is never taken for fresh.
    time.sleep(0.5)
    client.get("/")
    assert client.get("/")["X-Cache"] == "HIT"
    quiet = {"--publish-every": "99", "--fix-every": "99", "--correct-every": "99"}
    simulate("--seconds", "1", "--draft-every", "0.2", *(part for pair in quiet.items() for part in pair))
    assert client.get("/")["X-Cache"] == "HIT"
    simulate("--seconds", "3.5", "--draft-every", "9", "--publish-every", "9", "--fix-every", "99")
    home = client.get("/")
    assert home["X-Cache"] == "MISS"
    assert Article.objects.published().get(slug__startswith="newsroom-at-work-").headline in home.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_simulated_newsroom_times_new_headlines_on_the_home_page_and_feed(live_server, settings, role):
    role("Editor"), role("Reporter")  # as above
    generate()
    settings.NEWSROOM_PAGE_CACHE = True
    time.sleep(0.5)  # past the clock margin of the generator's purge, as above
    urllib.request.urlopen(live_server.url + "/").read()  # cached before the publication  # noqa: S310
    summary = simulate("--seconds", "3.5", "--draft-every", "9", "--fix-every", "99", "--watch", live_server.url)
    assert summary["published"] == 1
    arrivals = {entry["url"]: entry["seconds"] for entry in summary["freshness"]}
    assert set(arrivals) == {live_server.url + "/", live_server.url + "/feed/"}
    assert all(seconds is not None and 0 < seconds < 30 for seconds in arrivals.values())


def test_bench_static_body_is_a_cacheable_body_of_the_size_asked(rf):
    response = views.bench_static(rf.get("/_bench/static/5000"), size=5000)
    assert response.status_code == 200 and len(response.content) == 5000
    assert "public" in response["Cache-Control"] and "s-maxage" in response["Cache-Control"]
    assert len(gzip.compress(response.content)) > 5000  # nothing for a proxy to compress
    assert views.bench_static(rf.get("/"), size=5000).content == response.content
    assert views.bench_static(rf.get("/"), size=0).status_code == 400
    assert views.bench_static(rf.get("/"), size=views.BENCH_STATIC_MAX_BYTES + 1).status_code == 400


# ---- staying up when parts fail (bench/faults): what it reads from its measures, not its timings

faults = load_script("faults")
Answer = faults.Answer
STOP, BACK = 100.0, 100.6


class SheddingSite(BaseHTTPRequestHandler):
    """Every third answer a 503 saying when to come back, every fifth a 500, the rest 200."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    count = 0
    lock = threading.Lock()

    def do_GET(self):
        with self.lock:
            SheddingSite.count += 1
            number = SheddingSite.count
        status = 503 if number % 3 == 0 else 500 if number % 5 == 0 else 200
        self.send_response(status)
        if status == 503:
            self.send_header("Retry-After", "5")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def test_wrk_counts_answers_by_status_and_the_503s_that_say_when_to_come_back(tmp_path):
    """The real wrk with the real script against a small server."""
    assert shutil.which("wrk"), "wrk is needed (apt-get install wrk; .ci/run installs it)"
    server = ThreadingHTTPServer(("127.0.0.1", 0), SheddingSite)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    script = tmp_path / "statuses.lua"
    script.write_text(faults.STATUS_LUA)
    try:
        args = Namespace(threads=1, connections=2, duration=1, wrk_timeout=5)
        run = faults.bench.wrk(args, f"http://127.0.0.1:{server.server_port}/", script=str(script))
    finally:
        server.shutdown()
    statuses, retry_after = faults.parse_statuses(run["raw"])
    assert set(statuses) == {200, 500, 503}
    assert statuses[200] > statuses[503] > statuses[500] > 0
    assert retry_after == statuses[503]
    assert sum(statuses.values()) == int(re.search(r"(\d+) requests in", run["raw"]).group(1))
    assert 0 < faults.parse_max_latency(run["raw"]) < 5


def test_wrk_output_without_the_script_has_no_tally():
    output = "  Thread Stats   Avg      Stdev     Max   +/- Stdev\n    Latency   168.00ms  201.3ms   3.78s    91.02%\n"
    assert faults.parse_statuses(output) == ({}, 0)
    assert faults.parse_max_latency(output) == pytest.approx(3.78)
    assert faults.parse_max_latency("Requests/sec: 1.0\n") is None


def test_percentiles_are_nearest_rank():
    assert faults.percentile(range(1, 101), 99) == 99
    assert faults.percentile(range(1, 101), 50) == 50
    assert faults.percentile([7], 99) == 7
    assert faults.percentile([], 50) is None


def every(start, end, step, **answer):
    """Answers to requests begun every `step` seconds from `start` to `end`, each taking 20 ms."""
    count = round((end - start) / step)
    return [Answer(start + n * step, start + n * step + 0.02, **answer) for n in range(count)]


def restart_result(**changes):
    uncached = every(97, STOP, 0.1, status=200, cache="MISS")
    uncached += every(STOP, BACK, 0.1, status=500)  # the database away
    uncached += every(BACK + 0.05, 105, 0.1, status=200, cache="MISS")
    uncached.append(Answer(98.51, 98.53, 503, retry_after=True))  # turned away busy: not the outage
    result = {
        "answers": {
            "cached pages": every(97, 105, 0.05, status=200, cache="HIT"),
            "uncached pages": uncached,
            "/healthz": every(97, STOP, 0.1, status=200)
            + every(STOP, BACK, 0.1, status=503)
            + every(BACK + 0.05, 105, 0.1, status=200),
        },
        "down": (STOP, BACK),
        "began": 92.0,
        "worker": {
            "alive": True,
            "before": ("SUCCESSFUL", 0.3),
            "after": ("SUCCESSFUL", 0.4),
            "went away": True,
            "back after": ["0.5"],
        },
        "load": (0.4, 1.2),
    }
    return result | changes


def test_errors_while_the_database_is_down_only_meet_the_target():
    result = restart_result()
    summary = faults.outage_summary(result["answers"]["uncached pages"], result["down"])
    assert (summary["failed"], summary["outside"], summary["busy"]) == (6, 0, 1)
    assert summary["first"] == pytest.approx(0) and summary["last"] == pytest.approx(0.52)
    assert summary["cache"] == {"HIT": 0, "STALE": 0, "MISS": 74}
    verdicts = faults.restart_verdicts(result)
    assert len(verdicts) == 3 and all("(met:" in verdict for verdict in verdicts), verdicts
    assert verdicts[0].startswith("errors for 0.52 s, 0 outside the 0.60 s")


def test_an_error_once_the_database_is_back_misses_the_target():
    result = restart_result()
    result["answers"]["uncached pages"].append(Answer(BACK + 1, BACK + 1.1, 500))
    summary = faults.outage_summary(result["answers"]["uncached pages"], result["down"])
    assert summary["after back"] == summary["outside"] == 1
    assert "(missed:" in faults.restart_verdicts(result)[0]


def test_an_error_on_a_cached_page_or_a_worker_gone_misses_the_target():
    result = restart_result()
    result["answers"]["cached pages"].append(Answer(STOP + 0.1, STOP + 0.2, 0))  # no answer at all
    result["worker"] |= {"alive": False, "after": ("READY", None)}
    verdicts = faults.restart_verdicts(result)
    assert "(missed:" in verdicts[1] and "(missed:" in verdicts[2]
    assert "the task worker exited and ran a task queued after the restart (READY)" in verdicts[2]


def test_answers_are_counted_in_the_second_they_ended():
    answers = [Answer(98.5, 99.2, 200), Answer(99.9, 100.1, 500), Answer(100.2, 100.3, 503, retry_after=True)]
    assert faults.by_second(answers, STOP, range(-1, 2)) == {-1: (1, 0, 0), 0: (0, 1, 1), 1: (0, 0, 0)}


def test_the_restart_report_has_a_row_per_reader_and_per_second():
    args = Namespace(restart_at=8, seconds=20, down=0)
    report = faults.render_restart(args, {"count": 10_000}, restart_result())
    assert "down 0.60 s" in report
    assert "| cached pages | 160 | 0 | 0 |  |  | 160 / 0 / 0 |" in report
    assert "| uncached pages | 81 | 6 | 0 | 0.00 / 0.52 | 1 | 0 / 0 / 74 |" in report
    assert "| +0 | 20 / 0 / 0 | 4 / 6 / 0 | 4 / 6 / 0 |" in report
    assert "/healthz (1 thread, up to 10 requests a second)" in report
    assert "logged the database going away and back after 0.5 s" in report


def overload_result(healthz_seconds=0.03):
    return {
        "wrk": {
            "rps": 1000.0,
            "p50": 150.0,
            "p99": 900.0,
            "max": 2.5,
            "statuses": {200: 100, 503: 19_900},
            "retry_after": 19_900,
            "socket_errors": "",
        },  # fmt: skip
        "healthz": [Answer(n, n + healthz_seconds, 200) for n in range(100)],
        "search": [Answer(n, n + 0.05, 503, retry_after=True) for n in range(60)] + [Answer(99, 100.5, 200)],
        "load": (0.5, 3.0),
        "limits": {"process": 3, "machine": 4},
    }


def test_the_overload_report_reads_wrk_and_the_probes():
    args = Namespace(search="government")
    run_args = Namespace(workers=5, threads=2, connections=200, duration=20)
    report = faults.render_overload(args, run_args, {"count": 10_000}, overload_result())
    assert (
        "| search, wrk's 200 connections | 20,000 (1000/s) | 100 | 19,900 (19,900) |  | 150 | 900 | 2,500 |" in report
    )
    assert "| `/healthz`, the load balancer's probe | 100 | 100 | 0 |  | 30.0 | 30.0 | 30.0 |" in report
    assert "| search, a newcomer: turned away | 60 | 0 | 60 |  | 50.0 | 50.0 | 50.0 |" in report
    assert (
        "3 at once per process (`NEWSROOM_BUSY_LIMIT`) and 4 on the machine (`NEWSROOM_BUSY_MACHINE_LIMIT` 4)" in report
    )
    assert report.count("(met: under 1 s)") == 2


def test_a_slow_or_unanswered_health_check_misses_the_target():
    assert "(missed: under 1 s)" in faults.overload_verdicts(overload_result(healthz_seconds=1.5))[0]
    result = overload_result()
    result["healthz"][-2:] = [Answer(0, 10, 0), Answer(1, 11, 0)]  # timed out
    assert faults.overload_verdicts(result)[0] == "`/healthz` p99 no answer ms (missed: under 1 s)"


def test_the_docs_get_this_part_between_its_own_markers():
    text = (
        "intro\n<!-- bench:start -->\n### A newsroom at work\n\nwork\n<!-- bench:end -->\nmiddle\n"
        "<!-- faults:start -->\n### 200 connections on search\n\nold search\n\n"
        "### PostgreSQL restarted under load\n\nold restart\n<!-- faults:end -->\noutro\n"
    )
    updated = faults.bench.updated_docs(text, {faults.RESTART_TITLE: "new restart"}, marks=faults.MARKS,
                                        order=faults.SECTIONS)  # fmt: skip
    assert updated == text.replace("old restart", "new restart")


# ---- the WordPress import (bench/wpimport)


def test_the_import_benchmarks_export_imports_as_a_newsroom_site(tmp_path):
    bench = load_script("wpimport")
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    summary = bench.write_export(tmp_path / "export.xml", uploads, 100, seed=3)
    report = import_export(tmp_path / "export.xml", uploads=uploads)
    assert not report.failures
    assert report.counts["post created"] == Article.objects.count() > 90  # private and trashed posts are not
    assert report.counts["attachment created"] == Image.objects.count() == summary["pictures"] > 5
    assert 0 < Article.objects.filter(lead_image__isnull=False).count() <= summary["pictures"]
    assert Article.objects.filter(body__contains='data-file="').exists()  # inline pictures became library figures
    assert not Article.objects.filter(body__contains="[pullquote]").exists()
    assert not Article.objects.filter(body__contains="wp:paragraph").exists()
    assert Category.objects.filter(parent__isnull=False).exists() and Tag.objects.exists()
    assert report.skipped["pages"] and report.skipped["comments"]
