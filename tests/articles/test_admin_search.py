"""The admin's article search: the public search's full-text index over every state, plus exact IDs, slugs and
addresses, and author names."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, make_editor):
    client.force_login(make_editor())
    return client


def found(client, query):
    response = client.get("/admin/articles/article/", {"q": query})
    assert response.status_code == 200
    return sorted(article.headline for article in response.context["cl"].result_list)


def test_words_in_headline_dek_or_body_find_stories_in_every_state(editor_client, make_article):
    make_article(headline="Minister resigns", status=Article.Status.DRAFT)
    make_article(headline="Budget passes", dek="The finance minister won the vote.")
    make_article(headline="Talks resume", body="<p>A minister flew to Geneva.</p>", status=Article.Status.REVIEW)
    make_article(headline="Aid convoy arrives")

    assert found(editor_client, "minister") == ["Budget passes", "Minister resigns", "Talks resume"]
    assert found(editor_client, '"finance minister"') == ["Budget passes"]
    assert found(editor_client, "minister -geneva") == ["Budget passes", "Minister resigns"]


def test_an_id_a_slug_or_a_pasted_address_finds_that_story(editor_client, make_article):
    story = make_article(headline="Civilian killings mount", slug="idlib-killings-2020")
    make_article(headline="Other story")

    assert found(editor_client, str(story.pk)) == ["Civilian killings mount"]
    assert found(editor_client, "idlib-killings-2020") == ["Civilian killings mount"]
    assert found(editor_client, f"https://news.example.com{story.get_absolute_url()}") == ["Civilian killings mount"]


def test_an_authors_name_finds_their_stories(editor_client, make_article, make_author):
    make_article(headline="Idlib story", authors=[make_author(name="Lisa Schlein")])
    make_article(headline="Budget story")

    assert found(editor_client, "Schlein") == ["Idlib story"]


@pytest.mark.parametrize("query", ['"', "-", "or", "%00", "'; drop table", "9" * 40, "²", "x" * 500])
def test_odd_searches_answer_with_a_list(editor_client, make_article, query):
    make_article(headline="Minister resigns")
    response = editor_client.get("/admin/articles/article/", {"q": query})
    assert response.status_code == 200


@pytest.mark.postgres
def test_the_admin_search_on_postgres_uses_the_full_text_index_not_a_scan(editor_client, make_article, make_category):
    category = make_category()
    for n in range(300):
        make_article(headline=f"Minister story {n}" if n % 50 == 0 else f"Council story {n}", category=category)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")

    with CaptureQueriesContext(connection) as captured:
        assert len(found(editor_client, "minister")) == 6
    searching = [q["sql"] for q in captured.captured_queries if "websearch_to_tsquery" in q["sql"]]
    assert searching, "the article list did not search through the full-text index"
    assert not [q["sql"] for q in captured.captured_queries if "LIKE" in q["sql"] and "articles_article" in q["sql"]]
    counting = next(sql for sql in searching if "COUNT(" in sql)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {counting}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "articles_article_search_gin" in plan, plan
