"""A newsroom at work, for bench/run: `manage.py simulate_newsroom --seconds 60 [--watch http://127.0.0.1:8765]`.

A reporter and an editor (staff users in the Reporter and Editor groups) do what a newsroom does all day, through
the workflow's own methods, so the page cache is purged exactly as it is when people work in the admin: the
reporter saves a draft every second, a story goes through review and is published every 30 seconds, the editor
fixes a live story every 10 seconds and adds a correction now and then. Each kind of work first happens early in
the run (a fix at 2 s, a publication at 3 s, a correction at 7 s) and then at its interval, so even a short run sees
each once. It stops by itself after ``--seconds`` and prints what it did as JSON on its last line.

With ``--watch``, after each publication it polls that site's home page and RSS feed until the new headline is on
them, and reports how long each took, counted from the call to ``publish`` (its commit and purges included).
"""

import argparse
import heapq
import json
import random
import secrets
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

import reversion
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db.models import Count
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Author, Byline, Category, Correction

WORDS = (
    "council budget talks river bridge election hospital school strike harbour storm market court minister report "
    "water power border trade workers police festival museum rail airport drought harvest vote inquiry"
).split()
SLUG_PREFIX = "newsroom-at-work-"
DRAFTS = 3
# The live stories an editor fixes or corrects: the newest ones, which is where mistakes are found and fixed.
FIXED_AMONG = 20
CORRECTED_AMONG = 100
WATCHED = ("/", "/feed/")
WATCH_SECONDS = 30
# Often enough to time a one-second target; seldom enough that the watching itself is no load on the site.
WATCH_INTERVAL = 0.1


def _site_url(value):
    if not value.startswith(("http://", "https://")):
        raise argparse.ArgumentTypeError("--watch takes an http:// or https:// URL")
    return value.rstrip("/")


class Command(BaseCommand):
    help = "Simulate a newsroom at work for a while (drafts, publications, fixes, corrections); print a JSON summary."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, required=True, help="how long to work; it stops by itself")
        parser.add_argument("--draft-every", type=float, default=1.0)
        parser.add_argument("--publish-every", type=float, default=30.0)
        parser.add_argument("--fix-every", type=float, default=10.0)
        parser.add_argument("--correct-every", type=float, default=60.0)
        parser.add_argument(
            "--watch", type=_site_url, help="base URL of the site readers use: time each new headline's arrival"
        )
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args, **options):
        newsroom = Newsroom(rng=random.Random(options["seed"]), watch=options["watch"])
        self.stdout.write("ready")
        self.stdout.flush()
        summary = newsroom.work(
            seconds=options["seconds"],
            beats=[
                ("drafts", options["draft_every"], min(0.5, options["draft_every"]), newsroom.save_draft),
                ("published", options["publish_every"], min(3.0, options["publish_every"]), newsroom.publish_story),
                ("fixes", options["fix_every"], min(2.0, options["fix_every"]), newsroom.fix_live_story),
                ("corrections", options["correct_every"], min(7.0, options["correct_every"]), newsroom.correct_story),
            ],
        )
        self.stdout.write(json.dumps(summary))


def _words(rng, count):
    return " ".join(rng.choice(WORDS) for _ in range(count))


@dataclass
class Newsroom:
    rng: random.Random
    watch: str | None = None
    freshness: list = field(default_factory=list)
    publishing: list = field(default_factory=list)  # seconds each publish() took: its commit and purges
    watchers: list = field(default_factory=list)  # [(thread, when it gives up)]

    def __post_init__(self):
        User = get_user_model()
        self.reporter = self._staff(User, "bench-reporter", "Reporter")
        self.editor = self._staff(User, "bench-editor", "Editor")
        self.author, _ = Author.objects.get_or_create(
            user=self.reporter, defaults={"name": "Reporter at Work", "slug": f"{SLUG_PREFIX}reporter"}
        )
        self.sections = list(Category.objects.navigation()) or list(Category.objects.all())
        # Stories are tagged the way the readers' listings are: with the most used tags.
        self.tags = list(Tag.objects.annotate(uses=Count("taggit_taggeditem_items")).order_by("-uses", "pk")[:40])
        self.drafts = list(
            Article.objects.filter(
                created_by=self.reporter, status=Article.Status.DRAFT, slug__startswith=f"{SLUG_PREFIX}draft-"
            ).values_list("pk", flat=True)[:DRAFTS]
        )
        while len(self.drafts) < DRAFTS:
            self.drafts.append(self._new_story(f"{SLUG_PREFIX}draft-{secrets.token_hex(4)}").pk)
        self.saved = 0

    @staticmethod
    def _staff(User, username, group):
        user, _ = User.objects.get_or_create(
            username=username, defaults={"is_staff": True, "first_name": "Bench", "last_name": group}
        )
        user.groups.add(Group.objects.get(name=group))
        return User.objects.get(pk=user.pk)  # afresh: permissions are cached on the instance

    def work(self, *, seconds, beats):
        """Run each beat (name, every, first, action) on its schedule until ``seconds`` have passed."""
        started, cpu_started = time.monotonic(), time.process_time()
        counts = {name: 0 for name, *_ in beats}
        errors = []
        queue = [(first, index) for index, (_, _, first, _) in enumerate(beats)]
        heapq.heapify(queue)
        while queue:
            at, index = heapq.heappop(queue)
            if at >= seconds:
                continue
            name, every, _, action = beats[index]
            time.sleep(max(0.0, started + at - time.monotonic()))
            try:
                action()
                counts[name] += 1
            except Exception as error:  # a failed step is reported, and the newsroom carries on as people would
                errors.append(f"{name}: {type(error).__name__}: {error}")
            heapq.heappush(queue, (at + every, index))
        for watcher, deadline in self.watchers:
            watcher.join(timeout=max(0.0, deadline - time.monotonic()) + 1)
        return counts | {
            "seconds": round(time.monotonic() - started, 2),
            # This process's own CPU time (its watchers included): the newsroom's share of the machine.
            "cpu_seconds": round(time.process_time() - cpu_started, 2),
            "errors": errors,
            "publishing": self.publishing,
            "freshness": self.freshness,
        }

    # ---- the work

    def _new_story(self, slug, headline=None):
        """A story as a reporter creates it in the admin: their draft, with their byline, filed and tagged."""
        now = timezone.now()
        with reversion.create_revision():
            reversion.set_user(self.reporter)
            article = Article.objects.create(
                headline=headline or _words(self.rng, 7).capitalize(),
                slug=slug,
                dek=_words(self.rng, 18).capitalize() + ".",
                body="".join(f"<p>{_words(self.rng, 40).capitalize()}.</p>" for _ in range(8)),
                category=self.rng.choice(self.sections),
                status=Article.Status.DRAFT,
                created_by=self.reporter,
                edited_by=self.reporter,
                edited_at=now,
            )
            Byline.objects.create(article=article, author=self.author, order=0)
            if self.tags:
                article.tags.set(self.rng.sample(self.tags, min(3, len(self.tags))))
            reversion.add_to_revision(article)
        return article

    def _edit(self, article, by, **changes):
        with reversion.create_revision():
            reversion.set_user(by)
            for name, value in changes.items():
                setattr(article, name, value)
            article.save_edit(by=by, expected_version=article.version)
            reversion.add_to_revision(article)

    def save_draft(self):
        """The reporter's draft, saved again with a new paragraph (an autosave or a Save click)."""
        self.saved += 1
        article = Article.objects.get(pk=self.drafts[self.saved % len(self.drafts)])
        paragraphs = article.body.split("</p>")[-9:-1]
        self._edit(article, self.reporter, body="</p>".join(paragraphs) + f"</p><p>{_words(self.rng, 30)}.</p>")

    def publish_story(self):
        """A new story: written, submitted by the reporter, published by the editor."""
        token = secrets.token_hex(4)
        headline = f"{_words(self.rng, 6).capitalize()} {token}"
        article = self._new_story(f"{SLUG_PREFIX}{token}", headline)
        article.submit(by=self.reporter)
        started = time.monotonic()
        article.publish(by=self.editor)
        self.publishing.append(round(time.monotonic() - started, 3))
        if self.watch:
            watcher = threading.Thread(target=self._watch, args=(headline, started), daemon=True)
            watcher.start()
            self.watchers.append((watcher, started + WATCH_SECONDS))

    def fix_live_story(self):
        """The editor fixes a typo in one of the newest live stories (its standfirst, shown on listings too)."""
        article = self.rng.choice(list(Article.objects.published().order_by("-published_at")[:FIXED_AMONG]))
        self._edit(article, self.editor, dek=_words(self.rng, 18).capitalize() + ".")

    def correct_story(self):
        article = self.rng.choice(list(Article.objects.published().order_by("-published_at")[:CORRECTED_AMONG]))
        article.add_correction(
            by=self.editor,
            kind=Correction.Kind.CORRECTION,
            text=f"An earlier version of this story misstated the {self.rng.choice(WORDS)}.",
        )

    def _watch(self, headline, started):
        pending = [f"{self.watch.rstrip('/')}{path}" for path in WATCHED]
        while pending and time.monotonic() < started + WATCH_SECONDS:
            for url in list(pending):
                try:
                    # The URL is the benchmark's own site, from --watch (http or https only: _site_url).
                    with urllib.request.urlopen(url, timeout=WATCH_SECONDS) as response:  # noqa: S310  # nosec B310
                        found = headline in response.read().decode()
                except (urllib.error.URLError, OSError):
                    found = False
                if found:
                    self.freshness.append({"url": url, "seconds": round(time.monotonic() - started, 3)})
                    pending.remove(url)
            time.sleep(WATCH_INTERVAL)
        self.freshness.extend({"url": url, "seconds": None} for url in pending)
