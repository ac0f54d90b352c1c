"""Fixtures shared by the tests of changes to a live story (test_changes_admin.py, test_pending_versions.py): an
editor, a reporter with a byline, and a story of theirs that has been live for two hours."""

from datetime import timedelta

import pytest
from django.utils import timezone


@pytest.fixture
def editor(make_editor):
    return make_editor(first_name="Eddie", last_name="Editor")


@pytest.fixture
def reporter(make_reporter):
    return make_reporter(first_name="Rita", last_name="Reporter")


@pytest.fixture
def story(make_article, reporter):
    return make_article(
        headline="Talks open in Geneva",
        dek="Delegates meet.",
        body="<p>The talks opened on Monday.</p>",
        authors=[reporter.author],
        created_by=reporter,
        tags=["Diplomacy"],
        published_at=timezone.now() - timedelta(hours=2),
    )
