"""Domain events of articles, sent once the change is committed, for work that must follow a change readers can see
(the page cache's purges, website/purges.py). Like Wagtail's page_published, they say what happened, not what to do."""

from django.dispatch import Signal

# A transition or an edit may have changed what readers see of an article. Arguments: ``article_id`` and ``before``,
# the article's ``PublicFacts`` before the change (compare them with ``Article.public_facts()`` now).
article_changed = Signal()

# Updates of a live story were posted, changed or deleted. Argument: ``article_id``. The story's own facts are
# unchanged, so this is apart from ``article_changed``: only the pages that show its updates change.
live_updates_changed = Signal()
