"""Search runs natively on whichever database the suite runs on (SQLite FTS5 locally, PostgreSQL in CI's second
run), so every test here checks both backends."""

from datetime import timedelta

import lxml.html
import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from articles import search
from articles.models import Article

pytestmark = pytest.mark.django_db


def result_headlines(response):
    doc = lxml.html.fromstring(response.content)
    return [h.text_content().strip() for h in doc.cssselect(".search-results .item-headline")]


def test_parse_query_follows_web_search_rules():
    parsed = search.parse_query('Idlib "cease fire" -Moscow refugees or migrants')
    assert parsed.required == [[["idlib"]], [["cease", "fire"]], [["refugees"], ["migrants"]]]
    assert parsed.excluded == [["moscow"]]


def test_parse_query_quotes_every_word_for_fts5():
    # Punctuation inside a bare word joins its parts into a phrase, as PostgreSQL does for "cease-fire".
    parsed = search.parse_query('NEAR(a b) "x" OR y* -z AND')
    assert parsed.to_fts5() == '("near a") AND ("b") AND ("x" OR "y") AND ("and") NOT "z"'


@pytest.mark.parametrize("text", ["", "   ", "-only -negatives", '""', "or", "---", "\x00\x01"])
def test_queries_with_nothing_to_look_for_match_nothing(text):
    assert not search.parse_query(text)


def test_clean_query_drops_control_characters_and_caps_length():
    assert search.clean_query("a\x00b\x1fc\nd") == "a b c d"
    assert len(search.clean_query("x" * 10_000)) == search.MAX_QUERY_LENGTH


def test_search_storage_is_native_to_the_database(db):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'articles_article_search_gin'")
            assert "gin (search_vector)" in cursor.fetchone()[0]
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_article_fts'")
            assert "fts5" in cursor.fetchone()[0].lower()


def test_finds_words_in_headline_dek_and_body(client, make_article):
    make_article(headline="Shelling in Idlib", slug="a")
    make_article(headline="Other", dek="Refugees flee Idlib", slug="b")
    make_article(headline="Third", body="<p>Families left <strong>Idlib</strong> overnight.</p>", slug="c")
    make_article(headline="Unrelated", body="<p>Markets rose.</p>", slug="d")
    response = client.get("/search/", {"q": "idlib"})
    assert response.status_code == 200
    assert set(result_headlines(response)) == {"Shelling in Idlib", "Other", "Third"}


def test_headline_match_outranks_body_match_and_recency_breaks_ties(client, make_article):
    now = timezone.now()
    make_article(headline="Budget talks", body="<p>The ceasefire was discussed.</p>", published_at=now)
    make_article(headline="Ceasefire holds", body="<p>Calm returned.</p>", published_at=now - timedelta(days=3))
    make_article(headline="Ceasefire talks", body="<p>Calm returned.</p>", published_at=now - timedelta(days=1))
    assert result_headlines(client.get("/search/", {"q": "ceasefire"})) == [
        "Ceasefire talks",
        "Ceasefire holds",
        "Budget talks",
    ]


def test_stemming_matches_other_forms_of_a_word(client, make_article):
    make_article(headline="Civilians killed in shelling")
    assert result_headlines(client.get("/search/", {"q": "killing"})) == ["Civilians killed in shelling"]


def test_quoted_phrase_matches_words_in_order(client, make_article):
    make_article(headline="Cease-fire breaks down", slug="in-order")
    make_article(headline="Down the road, a fire and a cease of talks", slug="scattered", body="<p>Calm.</p>")
    assert result_headlines(client.get("/search/", {"q": '"cease fire"'})) == ["Cease-fire breaks down"]


def test_minus_excludes_a_word(client, make_article):
    make_article(headline="Talks in Geneva", body="<p>Moscow sent envoys.</p>")
    make_article(headline="Talks in Ankara")
    assert result_headlines(client.get("/search/", {"q": "talks -moscow"})) == ["Talks in Ankara"]


def test_or_matches_either_word(client, make_article):
    make_article(headline="Geneva meeting")
    make_article(headline="Ankara meeting")
    make_article(headline="Paris meeting")
    assert set(result_headlines(client.get("/search/", {"q": "geneva or ankara"}))) == {
        "Geneva meeting",
        "Ankara meeting",
    }


@pytest.mark.parametrize(
    "status,offset",
    [
        (Article.Status.DRAFT, -1),
        (Article.Status.REVIEW, -1),
        (Article.Status.WITHDRAWN, -1),
        (Article.Status.PUBLISHED, +1),  # embargoed
    ],
)
def test_only_published_articles_are_searched(client, make_article, status, offset):
    make_article(headline="Secret briefing", status=status, published_at=timezone.now() + timedelta(hours=offset))
    make_article(headline="Public briefing")
    assert result_headlines(client.get("/search/", {"q": "briefing"})) == ["Public briefing"]


def test_index_follows_edits(client, make_article):
    article = make_article(headline="Original headline")
    article.headline = "Revised wording"
    article.save()
    assert result_headlines(client.get("/search/", {"q": "revised"})) == ["Revised wording"]
    assert result_headlines(client.get("/search/", {"q": "original"})) == []
    article.delete()
    assert result_headlines(client.get("/search/", {"q": "revised"})) == []


def test_snippet_highlights_matches_and_escapes_the_rest(client, make_article):
    make_article(
        headline="Report", body="<p>Aid convoys &amp; medics reached <em>Idlib</em> at dawn &lt;script&gt;.</p>"
    )
    html = client.get("/search/", {"q": "idlib"}).content.decode()
    snippet = lxml.html.fromstring(html).cssselect(".snippet")[0]
    assert [m.text for m in snippet.cssselect("mark")] == ["Idlib"]
    assert "convoys & medics reached Idlib" in snippet.text_content()
    assert "<script>" not in html.split('class="snippet"')[1].split("</p>")[0]


def test_filters_by_category_including_subcategories(client, make_article, make_category):
    world = make_category(name="World", slug="world")
    mideast = make_category(name="Middle East", slug="middle-east", parent=world)
    make_article(headline="Talks in Syria", category=mideast)
    make_article(headline="Talks in Ohio")
    assert result_headlines(client.get("/search/", {"q": "talks", "category": "world"})) == ["Talks in Syria"]


def test_filters_by_author(client, make_article, make_author):
    lisa = make_author(name="Lisa Schlein", slug="lisa-schlein")
    make_article(headline="Geneva talks", authors=[lisa])
    make_article(headline="Other talks")
    assert result_headlines(client.get("/search/", {"q": "talks", "author": "lisa-schlein"})) == ["Geneva talks"]


def test_filters_by_date_range(client, make_article):
    now = timezone.now()
    make_article(headline="Old talks", published_at=now - timedelta(days=30))
    make_article(headline="New talks", published_at=now - timedelta(hours=1))
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    assert result_headlines(client.get("/search/", {"q": "talks", "since": since})) == ["New talks"]
    until = (timezone.localdate() - timedelta(days=7)).isoformat()
    assert result_headlines(client.get("/search/", {"q": "talks", "until": until})) == ["Old talks"]


@pytest.mark.parametrize(
    "params,message",
    [
        ({"q": "talks", "since": "yesterday"}, "Enter a valid date."),
        ({"q": "talks", "category": "no-such-section"}, "Select a valid choice."),
        ({"q": "talks", "since": "2020-02-01", "until": "2020-01-01"}, "must not be after"),
    ],
)
def test_bad_filters_answer_400_with_a_message(client, make_article, params, message):
    make_article(headline="Talks")
    response = client.get("/search/", params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert result_headlines(response) == []


def test_results_are_paginated_and_keep_the_query(client, make_article, settings):
    settings.NEWSROOM_PAGE_SIZE = 2
    for n in range(5):
        make_article(headline=f"Talks round {n}")
    first = client.get("/search/", {"q": "talks"})
    assert len(result_headlines(first)) == 2
    assert "5 results" in first.content.decode()
    doc = lxml.html.fromstring(first.content)
    next_href = doc.cssselect('.pagination a[rel="next"]')[0].get("href")
    assert next_href == "?q=talks&page=2"
    assert len(result_headlines(client.get("/search/" + next_href))) == 2
    assert client.get("/search/", {"q": "talks", "page": "9"}).status_code == 404


HOSTILE = [
    "",
    " ",
    "'; DROP TABLE articles_article; --",
    '" OR 1=1 --',
    "<script>alert(1)</script>",
    "\x00\x01\x02\x1b[31m",
    "NEAR(idlib talks, 2)",
    "idlib*",
    "^idlib",
    "col:headline idlib",
    '"unbalanced quote',
    "((((",
    "-",
    "!!! & | <-> :*",
    "x" * 10_000,
    "идлиб 伊德利卜 إدلب",
    "a " * 5_000,
]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_get_a_normal_page(client, make_article, query):
    make_article(headline="Idlib talks")
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert Article.objects.count() == 1


def test_search_query_count_does_not_grow_with_results(
    client, make_article, make_author, django_assert_max_num_queries
):
    for n in range(15):
        make_article(headline=f"Talks {n}", authors=[make_author(), make_author()], tags=["a", "b"])
    with django_assert_max_num_queries(12):
        response = client.get("/search/", {"q": "talks"})
    assert len(result_headlines(response)) == 15


def test_demo_story_is_found_by_a_phrase_from_its_body(client, settings):
    settings.DEBUG = False
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    headlines = result_headlines(client.get("/search/", {"q": '"Idlib" -Wuhan'}))
    assert "Civilian Killings Mount in Idlib as Cease-fire Breaks Down" in headlines


def test_paragraphs_stay_apart_in_snippets(client, make_article):
    make_article(headline="Report", body="<p>It ended before it began.</p><p>Officials in Idlib said so.</p>")
    snippet = lxml.html.fromstring(client.get("/search/", {"q": "idlib"}).content).cssselect(".snippet")[0]
    assert "began. Officials" in snippet.text_content()


def test_angle_brackets_in_text_survive_in_snippets(client, make_article):
    make_article(headline="Maths", body="<p>Idlib: when a &lt; b and c &gt; d, nothing is lost.</p>")
    snippet = lxml.html.fromstring(client.get("/search/", {"q": "idlib"}).content).cssselect(".snippet")[0]
    assert "a < b and c > d" in snippet.text_content()


def test_search_index_is_repaired_after_sqlite_rebuilds_the_table(client, make_article):
    """Django rebuilds SQLite tables for many schema changes, which drops their triggers; post_migrate restores
    them and refills the index. PostgreSQL keeps its trigger through ALTER TABLE, so there is nothing to repair."""
    make_article(headline="Before the rebuild")
    if connection.vendor != "sqlite":
        assert search.ensure_sqlite_search() is False
        return
    with connection.cursor() as cursor:
        for name in search.SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
        cursor.execute("DELETE FROM articles_article_fts")
    make_article(headline="During the rebuild")
    assert search.ensure_sqlite_search() is True
    assert search.ensure_sqlite_search() is False
    make_article(headline="After the rebuild")
    assert set(result_headlines(client.get("/search/", {"q": "rebuild"}))) == {
        "Before the rebuild",
        "During the rebuild",
        "After the rebuild",
    }


@pytest.mark.postgres
def test_postgres_search_can_use_the_gin_index(make_article):
    for n in range(30):
        make_article(headline=f"Story {n}")
    queryset = Article.objects.search("story")  # the index alone, without the status and date filters
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        # Finding the newest matches may also walk the date index checking each row (the plan for common words);
        # with plain index scans off, the match itself must come from the GIN index.
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = queryset.explain()
    assert "articles_article_search_gin" in plan
    assert "websearch_to_tsquery" in str(queryset.query)


@pytest.mark.parametrize(
    "raw", ["q=%ff%fe%fd", "q=%00", "q=idlib&q=%27%22", "q=" + "%e2%80%ae" * 50, "q=idlib&page=%00"]
)
def test_undecodable_or_odd_query_strings_never_fail(client, make_article, raw):
    make_article(headline="Idlib talks")
    assert client.get(f"/search/?{raw}").status_code in (200, 404)


def test_only_the_newest_matches_are_ranked_and_the_page_says_so(client, make_article, monkeypatch):
    monkeypatch.setattr(search, "CANDIDATES", 3)
    now = timezone.now()
    old_headline = make_article(headline="Ceasefire ceasefire ceasefire", published_at=now - timedelta(days=400))
    for n in range(4):
        make_article(headline=f"Ceasefire talks {n}", published_at=now - timedelta(days=n))
    response = client.get("/search/", {"q": "ceasefire"})
    assert "The 3 most recent of many results" in response.content.decode()
    assert old_headline.headline not in result_headlines(response)
    assert sorted(result_headlines(response)) == ["Ceasefire talks 0", "Ceasefire talks 1", "Ceasefire talks 2"]


def test_a_filtered_search_ranks_the_newest_matches_within_the_filter(client, make_article, make_category, monkeypatch):
    monkeypatch.setattr(search, "CANDIDATES", 2)
    now = timezone.now()
    sport = make_category(name="Sport", slug="sport")
    make_article(headline="Final whistle in the sport section", category=sport, published_at=now - timedelta(days=9))
    for n in range(3):
        make_article(headline=f"Final talks {n}", published_at=now - timedelta(hours=n))
    response = client.get("/search/", {"q": "final", "category": "sport"})
    assert result_headlines(response) == ["Final whistle in the sport section"]
