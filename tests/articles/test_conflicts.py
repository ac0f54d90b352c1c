import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.test import Client

from articles.models import Article
from articles.workflow import EditConflict
from tests.articles.workflow_helpers import change_form_data


@pytest.fixture
def two_editors(make_editor):
    return make_editor(first_name="Eddie", last_name="Editor"), make_editor(first_name="Erin", last_name="Second")


def change_url(article):
    return f"/admin/articles/article/{article.pk}/change/"


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_stale_save_is_refused_and_changes_nothing(make_article, two_editors):
    first, second = two_editors
    article = make_article(headline="Original")
    mine, theirs = Article.objects.get(pk=article.pk), Article.objects.get(pk=article.pk)
    theirs.headline = "Theirs"
    theirs.save_edit(by=first, expected_version=1)
    mine.headline = "Mine"
    with pytest.raises(EditConflict) as conflict:
        mine.save_edit(by=second, expected_version=1)
    assert conflict.value.current.edited_by == first
    saved = Article.objects.get(pk=article.pk)
    assert (saved.headline, saved.version) == ("Theirs", 2)


@pytest.mark.django_db
def test_second_admin_save_shows_who_when_and_their_changes_and_keeps_my_input(make_article, two_editors):
    first, second = two_editors
    article = make_article(headline="Civilian killings mount", body="<p>Original paragraph.</p>")
    first_client, second_client = logged_in(first), logged_in(second)
    # Both open the article for editing at version 1.
    opened = change_form_data(article)
    assert first_client.get(change_url(article)).status_code == 200
    assert second_client.get(change_url(article)).status_code == 200

    saved = first_client.post(change_url(article), {**opened, "headline": "Civilian deaths mount in Idlib"})
    assert saved.status_code == 302

    refused = second_client.post(change_url(article), {**opened, "body": "<p>My careful rewrite.</p>"})
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "Eddie Editor saved this article at" in html
    assert "<del>killings</del>" in html and "<ins>deaths</ins>" in html
    assert "My careful rewrite." in html  # the second person's input is still in the form
    current = Article.objects.get(pk=article.pk)
    assert current.headline == "Civilian deaths mount in Idlib"
    assert "My careful rewrite" not in current.body


@pytest.mark.django_db
def test_after_seeing_the_conflict_the_second_person_can_keep_their_version(make_article, two_editors):
    first, second = two_editors
    article = make_article(headline="Original")
    opened = change_form_data(article)
    logged_in(first).post(change_url(article), {**opened, "headline": "First"})
    second_client = logged_in(second)
    assert second_client.post(change_url(article), {**opened, "headline": "Second"}).status_code == 200
    response = second_client.post(change_url(article), {**opened, "headline": "Second", "overwrite_version": "2"})
    assert response.status_code == 302
    current = Article.objects.get(pk=article.pk)
    assert (current.headline, current.version, current.edited_by) == ("Second", 3, second)


@pytest.mark.django_db
def test_keeping_my_version_is_refused_again_if_a_third_save_came_in_between(make_article, two_editors):
    first, second = two_editors
    article = make_article(headline="Original")
    opened = change_form_data(article)
    first_client = logged_in(first)
    first_client.post(change_url(article), {**opened, "headline": "First"})
    first_client.post(change_url(article), {**opened, "expected_version": 2, "headline": "First again"})
    response = logged_in(second).post(change_url(article), {**opened, "headline": "Second", "overwrite_version": "2"})
    assert response.status_code == 200
    assert Article.objects.get(pk=article.pk).headline == "First again"


@pytest.mark.django_db
def test_a_workflow_step_since_opening_also_counts_as_a_change(make_article, two_editors):
    first, second = two_editors
    article = make_article(status=Article.Status.REVIEW)
    opened = change_form_data(article)
    article.publish(by=first)
    html = logged_in(second).post(change_url(article), {**opened, "headline": "Late edit"}).content.decode()
    assert "Eddie Editor published this article at" in html
    assert "did not change the headline" in html


@pytest.mark.django_db
def test_opening_an_article_someone_else_is_editing_shows_a_notice(make_article, two_editors):
    first, second = two_editors
    article = make_article()
    logged_in(first).get(change_url(article))
    second_client = logged_in(second)
    html = second_client.get(change_url(article)).content.decode()
    assert "Eddie Editor opened this article for editing" in html
    # Coming back, the first person hears about the second, never about themselves.
    again = logged_in(first).get(change_url(article)).content.decode()
    assert "Erin Second opened this article for editing" in again
    assert "Eddie Editor opened" not in again


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_on_postgres_one_wins_the_other_is_refused(make_article, two_editors):
    """The second UPDATE waits on the first's row lock, then finds the version moved on: nothing is overwritten."""
    first, second = two_editors
    article = make_article(headline="Original")
    a_copy, b_copy = Article.objects.get(pk=article.pk), Article.objects.get(pk=article.pk)
    a_copy.headline, b_copy.headline = "Written by A", "Written by B"
    a_updated, release_a = threading.Event(), threading.Event()
    outcome = {}

    def save_a():
        try:
            with transaction.atomic():
                a_copy.save_edit(by=first, expected_version=1)
                a_updated.set()
                release_a.wait(timeout=30)  # hold the row lock until B is waiting on it
            outcome["a"] = "saved"
        finally:
            connections.close_all()

    def save_b():
        try:
            a_updated.wait(timeout=30)
            b_copy.save_edit(by=second, expected_version=1)
            outcome["b"] = "saved"
        except EditConflict as conflict:
            outcome["b"] = conflict
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save_a), threading.Thread(target=save_b)]
    for thread in threads:
        thread.start()
    assert a_updated.wait(timeout=30)
    with connection.cursor() as cursor:
        for _ in range(600):  # bounded: until B's UPDATE is blocked on A's lock
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the second save never waited on the first one's row lock")
    release_a.set()
    for thread in threads:
        thread.join(timeout=30)

    assert outcome["a"] == "saved"
    assert isinstance(outcome["b"], EditConflict)
    assert outcome["b"].current.edited_by == first
    saved = Article.objects.get(pk=article.pk)
    assert (saved.headline, saved.version, saved.edited_by) == ("Written by A", 2, first)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_admin_saves_on_postgres_keep_exactly_one_and_refuse_the_rest(make_article, make_editor):
    article = make_article(headline="Original")
    opened = change_form_data(article)
    editors = [make_editor(first_name=f"Editor{n}") for n in range(4)]
    start = threading.Barrier(len(editors))
    responses = {}

    def save(user):
        try:
            client = logged_in(user)
            start.wait(timeout=30)
            responses[user.first_name] = client.post(
                change_url(article), {**opened, "headline": f"Headline by {user.first_name}"}
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(user,)) for user in editors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    winners = [name for name, response in responses.items() if response.status_code == 302]
    losers = [response for response in responses.values() if response.status_code == 200]
    assert len(winners) == 1 and len(losers) == len(editors) - 1
    saved = Article.objects.get(pk=article.pk)
    assert saved.headline == f"Headline by {winners[0]}" and saved.version == 2
    for response in losers:
        html = response.content.decode()
        assert f"{winners[0]} saved this article at" in html
        assert "Headline by Editor" in html  # each loser's own headline is still in their form


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_save_that_loses_the_race_after_its_form_was_checked_is_shown_the_conflict(
    make_article, two_editors, monkeypatch
):
    """A competing save commits between the form check and the UPDATE: the admin rolls back and shows the conflict."""
    first, second = two_editors
    article = make_article(headline="Original")
    opened = change_form_data(article)
    real_save_edit = Article.save_edit
    raced = []

    def competing_save():
        try:
            theirs = Article.objects.get(pk=article.pk)
            theirs.headline = "Saved by Eddie in between"
            real_save_edit(theirs, by=first, expected_version=1)
        finally:
            connections.close_all()

    def save_edit_after_a_competitor(self, **kwargs):
        if not raced:
            raced.append(True)
            competitor = threading.Thread(target=competing_save)
            competitor.start()
            competitor.join(timeout=30)
        return real_save_edit(self, **kwargs)

    monkeypatch.setattr(Article, "save_edit", save_edit_after_a_competitor)
    response = logged_in(second).post(change_url(article), {**opened, "headline": "Erin's headline"})
    html = response.content.decode()
    assert raced and response.status_code == 200
    assert "Eddie Editor saved this article at" in html
    assert "Erin&#x27;s headline" in html or "Erin's headline" in html
    saved = Article.objects.get(pk=article.pk)
    assert (saved.headline, saved.version) == ("Saved by Eddie in between", 2)


@pytest.mark.django_db
def test_no_notice_about_someone_whose_copy_is_already_stale(make_article, two_editors):
    first, second = two_editors
    article = make_article()
    logged_in(first).get(change_url(article))
    article.withdraw(by=second, comment="Legal")
    html = logged_in(second).get(change_url(article)).content.decode()
    assert "opened this article for editing" not in html


def keep_mine(client, article, form):
    """The second save: refused with the conflict shown, then saved again with "Save my version" ticked."""
    refused = client.post(change_url(article), form)
    assert refused.status_code == 200
    version = refused.context["adminform"].form.conflict.version
    return refused, client.post(change_url(article), {**form, "overwrite_version": str(version)})


@pytest.mark.django_db
def test_keeping_my_version_keeps_what_only_they_changed(make_article, two_editors):
    first, second = two_editors
    article = make_article(headline="Original headline", dek="Original dek")
    opened = change_form_data(article)
    logged_in(first).post(change_url(article), {**opened, "headline": "Eddie's headline"})

    refused, saved = keep_mine(logged_in(second), article, {**opened, "dek": "Erin's dek"})

    assert saved.status_code == 302
    current = Article.objects.get(pk=article.pk)
    assert (current.headline, current.dek) == ("Eddie's headline", "Erin's dek")
    html = refused.content.decode()
    assert "only they changed it; their change is kept" in html
    assert "Save my changes together with theirs" in html


@pytest.mark.django_db
def test_keeping_my_version_replaces_only_the_fields_we_both_changed(make_article, two_editors, make_category):
    first, second = two_editors
    article = make_article(headline="Original headline", dek="Original dek", body="<p>Original body.</p>")
    opened = change_form_data(article)
    world = make_category(name="World")
    logged_in(first).post(
        change_url(article),
        {**opened, "headline": "Eddie's headline", "dek": "Eddie's dek", "category": world.pk, "tags": "Idlib"},
    )

    refused, saved = keep_mine(
        logged_in(second), article, {**opened, "headline": "Erin's headline", "body": "<p>Erin's body.</p>"}
    )

    assert saved.status_code == 302
    current = Article.objects.get(pk=article.pk)
    assert (current.headline, current.dek, current.body) == ("Erin's headline", "Eddie's dek", "<p>Erin's body.</p>")
    assert current.category == world and list(current.tags.names()) == ["Idlib"]
    merges = {m.name: m.you_changed for m in refused.context["adminform"].form.conflict.merges}
    assert merges == {"headline": True, "dek": False, "category": False, "tags": False}
    assert "you both changed it; saving your version replaces theirs" in refused.content.decode()
