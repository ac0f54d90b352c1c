"""The article table's full-text index and the queries over it: the public search page and the admin's search box
both go through ``ArticleQuerySet.search()`` / ``find()``.

PostgreSQL, with ``django.contrib.postgres.search``: a stored, weighted ``tsvector`` (headline A, dek B, body C) in
``articles_article.search_vector`` with a GIN index, kept current by a trigger; queries are ``SearchQuery(...,
search_type="websearch")``, ranked by ``SearchRank`` (cover density), highlighted by ``SearchHeadline``.
The column is not declared on the model, so listings never load it; `_OnArticle` names it in queries.
SQLite: an FTS5 table ``articles_article_fts`` (porter stemming) kept current by triggers on the article table.
What stays hand-written is only what SQLite needs: FTS5 has no web-search syntax, so ``parse_query`` reads the reader's
query with ``websearch_to_tsquery``'s rules and writes an FTS5 expression, so both databases find the same stories.
Migration ``articles/0002_initial`` freezes the SQL of both. The SQLite triggers call ``newsroom_plain_text()``, a
Python function Django registers on each of its connections, so article rows are written through Django (the
``sqlite3`` shell would answer "no such function").

Reader input is cleaned once (control characters removed, length capped) and parsed with the same web-search rules on
both databases: words are ANDed, ``"quoted phrases"`` match in order, ``-word`` excludes, ``or`` between two terms
means either. A query with nothing positive to look for matches nothing.
"""

import html
import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVectorExact, SearchVectorField
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections, transaction
from django.db.models import F, FloatField, Func, Q, Value
from django.db.models.expressions import Expression, RawSQL
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

SEARCH_CONFIG = "english"
MAX_QUERY_LENGTH = 200
# How many of the newest matches are ranked (and counted): see matching().
CANDIDATES = 500
FTS_TABLE = "articles_article_fts"
# Weights for bm25() in FTS5 column order (headline, dek, body); PostgreSQL's A/B/C weights play the same part.
FTS_WEIGHTS = "10.0, 4.0, 1.0"

# Private-use characters mark highlights inside the database's output, so the text around them can be escaped
# before the marks become <mark> elements.
_MARK_START = "\ue000"
_MARK_END = "\ue001"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ue000\ue001]")
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")
_TAG = re.compile(r"<[^>]*>")


def clean_query(text: str) -> str:
    """The reader's query made safe to store and show: no control characters, single spaces, capped in length."""
    text = _CONTROL.sub(" ", text or "")
    text = " ".join(text.split())
    return text[:MAX_QUERY_LENGTH].strip()


@dataclass
class ParsedQuery:
    """A web-search query: `required` is a list of OR-groups of phrases (each phrase a list of words)."""

    required: list[list[list[str]]] = field(default_factory=list)
    excluded: list[list[str]] = field(default_factory=list)

    def __bool__(self):
        return bool(self.required)

    def to_fts5(self) -> str:
        """The FTS5 MATCH expression. Every word is quoted, so nothing a reader types is read as FTS5 syntax."""

        def phrase(words):
            return '"' + " ".join(words) + '"'

        expression = " AND ".join("(" + " OR ".join(phrase(p) for p in group) + ")" for group in self.required)
        for words in self.excluded:
            expression += f" NOT {phrase(words)}"
        return expression


def parse_query(text: str) -> ParsedQuery:
    """Parse with websearch_to_tsquery's rules; punctuation separates words, as it does there."""
    parsed = ParsedQuery()
    pending_or = False
    for match in _TOKEN.finditer(clean_query(text)):
        negated, quoted, bare = match.groups()
        if bare is not None:
            if bare.lower() == "or":
                pending_or = bool(parsed.required)
                continue
            negated = "-" if bare.startswith("-") else ""
            words = _WORD.findall(bare)
        else:
            words = _WORD.findall(quoted)
        if not words:
            continue
        words = [w.lower() for w in words]
        if negated:
            parsed.excluded.append(words)
        elif pending_or:
            parsed.required[-1].append(words)
        else:
            parsed.required.append([words])
        pending_or = False
    return parsed


def _vendor():
    if connection.vendor not in ("postgresql", "sqlite"):
        raise ImproperlyConfigured(f"Search supports PostgreSQL and SQLite, not {connection.vendor}.")
    return connection.vendor


def matching(queryset, text):
    """Published articles matching the query, best first (recency breaks ties), annotated with `search_rank`.

    Only the newest CANDIDATES matches are ranked: finding them is a short walk down the publication-time index for
    a common word (or a GIN lookup and a small sort for a rare one), so the cost stays flat however many of the
    archive's articles match, and a news reader looking for "election" wants this year's, not the best of ten years'.
    Apply every other filter before this one so the bound counts only what the reader asked for."""
    parsed = parse_query(text)
    if not parsed:
        return queryset.none()
    matches = queryset.filter(match_condition(text))
    if _vendor() == "postgresql":
        rank = SearchRank(_vector(), _query(text), cover_density=True)
    else:
        expression = parsed.to_fts5()
        # bm25() is lower for better matches; negated so both databases sort by descending rank.
        rank = _OnArticle(
            f"(SELECT -bm25({FTS_TABLE}, {FTS_WEIGHTS}) FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH %s AND rowid = {{table}}.id)",
            [expression],
            FloatField(),
        )
    queryset = queryset.filter(pk__in=_newest(matches)).annotate(search_rank=rank)
    return queryset.order_by("-search_rank", "-published_at", "-id")


def match_condition(text):
    """The full-text match as a condition (a ``Q``) that can be combined with others, served by the index; it matches
    nothing when the query has nothing positive to look for. Unranked and unbounded: ``matching()`` ranks."""
    parsed = parse_query(text)
    if not parsed:
        return Q(pk__in=[])
    if _vendor() == "postgresql":
        return Q(SearchVectorExact(_vector(), _query(text)))
    return Q(id__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [parsed.to_fts5()]))


def _query(text):
    return SearchQuery(clean_query(text), search_type="websearch", config=SEARCH_CONFIG)


def _vector():
    """The stored vector (PostgreSQL), a column the model does not declare."""
    return _OnArticle("{table}.search_vector", [], SearchVectorField())


class _OnArticle(Expression):
    """SQL over the article row that reads what the model does not declare (the search column, the FTS5 table).
    `{table}` becomes the article table's name or alias in whichever query compiles it, so the expression stays
    right inside subqueries (pagination and the candidate bound put it there), where Django renames tables."""

    def __init__(self, sql, params, output_field):
        super().__init__(output_field=output_field)
        self.sql, self.params = sql, params

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return self.sql.format(table=table), list(self.params)


def _newest(matches):
    return matches.order_by("-published_at", "-id").values("pk")[:CANDIDATES]


def _highlight(text: str, *, entities: bool) -> SafeString:
    """Database highlight output as safe HTML: `text` is tag-free already; `entities` says it still holds HTML
    entities (PostgreSQL reads the stored HTML, SQLite the plain text its index keeps)."""
    if entities:
        text = html.unescape(text)
    text = escape(" ".join(text.split()))
    return mark_safe(text.replace(_MARK_START, "<mark>").replace(_MARK_END, "</mark>"))  # noqa: S308 - escaped above


def snippets(articles, text) -> dict[int, SafeString]:
    """Highlighted passages from the bodies of `articles` (a queryset of the page being shown), by id; one query."""
    parsed = parse_query(text)
    if not parsed:
        return {}
    if _vendor() == "postgresql":
        # The body's words without its tags; entities are unescaped after highlighting (_highlight).
        words = Func(F("body"), Value("<[^>]*>"), Value(" "), Value("g"), function="regexp_replace")
        headline = SearchHeadline(
            words,
            _query(text),
            config=SEARCH_CONFIG,
            start_sel=_MARK_START,
            stop_sel=_MARK_END,
            max_words=30,
            min_words=12,
            max_fragments=2,
            fragment_delimiter=" … ",
        )
        rows = articles.order_by().annotate(snippet=headline).values_list("pk", "snippet")
        return {pk: _highlight(snippet or "", entities=True) for pk, snippet in rows}
    ids = list(articles.values_list("pk", flat=True))
    if not ids:
        return {}
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid, snippet({FTS_TABLE}, 2, %s, %s, ' … ', 30) FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH %s AND rowid IN ({placeholders})",
            [_MARK_START, _MARK_END, parsed.to_fts5(), *ids],
        )
        return {row[0]: _highlight(row[1] or "", entities=False) for row in cursor.fetchall()}


# SQLite's ALTER TABLE is limited, so Django rebuilds a table for many schema changes, dropping its triggers;
# ensure_sqlite_search() puts them back after every migrate (post_migrate) and refills the index when it does.
SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE IF NOT EXISTS articles_article_fts USING fts5(
        headline, dek, body, tokenize = 'porter unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER IF NOT EXISTS articles_article_fts_insert AFTER INSERT ON articles_article BEGIN
        INSERT INTO articles_article_fts (rowid, headline, dek, body)
        VALUES (new.id, new.headline, new.dek, newsroom_plain_text(new.body));
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS articles_article_fts_update
    AFTER UPDATE OF headline, dek, body ON articles_article BEGIN
        UPDATE articles_article_fts
        SET headline = new.headline, dek = new.dek, body = newsroom_plain_text(new.body)
        WHERE rowid = new.id;
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS articles_article_fts_delete AFTER DELETE ON articles_article BEGIN
        DELETE FROM articles_article_fts WHERE rowid = old.id;
    END
    """,
]
SQLITE_REFILL = [
    "DELETE FROM articles_article_fts",
    """
    INSERT INTO articles_article_fts (rowid, headline, dek, body)
    SELECT id, headline, dek, newsroom_plain_text(body) FROM articles_article
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS articles_article_fts_insert",
    "DROP TRIGGER IF EXISTS articles_article_fts_update",
    "DROP TRIGGER IF EXISTS articles_article_fts_delete",
    "DROP TABLE IF EXISTS articles_article_fts",
]
SQLITE_TRIGGERS = ("articles_article_fts_insert", "articles_article_fts_update", "articles_article_fts_delete")


def ensure_sqlite_search(using="default"):
    """Recreate missing FTS5 triggers and refill the index; a no-op when all are in place. True if it repaired."""
    conn = connections[using]
    if conn.vendor != "sqlite":
        return False
    with conn.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = %s", [FTS_TABLE])
        if not cursor.fetchone():
            return False  # not migrated this far yet
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'articles_article'")
        if set(SQLITE_TRIGGERS) <= {row[0] for row in cursor.fetchall()}:
            return False
        with transaction.atomic(using=using):
            for statement in SQLITE_FORWARD + SQLITE_REFILL:
                cursor.execute(statement)
    return True


def repair_after_migrate(sender, using="default", **kwargs):
    ensure_sqlite_search(using)


def plain_text(value):
    """Body HTML as the words a reader sees; registered as an SQLite function for the FTS5 triggers."""
    if value is None:
        return None
    # Tags become spaces so that the words of neighbouring paragraphs stay apart.
    return " ".join(html.unescape(strip_tags(_TAG.sub(" ", value))).split())


def register_sqlite_functions(sender, connection, **kwargs):
    """The FTS5 triggers call plain_text(); every SQLite connection Django opens gets it."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("newsroom_plain_text", 1, plain_text, deterministic=True)
