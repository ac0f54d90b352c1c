"""Domain events of articles, sent once the change is committed, for work that must follow a change readers can see
(the page cache's purges, articles/purges.py). Like Wagtail's page_published, they say what happened, not what to do."""

from django.dispatch import Signal

# A transition or an edit may have changed what readers see of an article. Arguments: ``article_id`` and ``before``,
# the article's ``PublicFacts`` before the change (compare them with ``Article.public_facts()`` now).
article_changed = Signal()
