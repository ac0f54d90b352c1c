from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from articles.models import PREVIEW_SALT, Article, PreviewLink

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(make_editor):
    return make_editor()


@pytest.fixture
def draft(make_article):
    return make_article(status=Article.Status.DRAFT, headline="Embargoed budget story")


def assert_private(response):
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert "noindex" in response["X-Robots-Tag"]


def test_staff_preview_shows_the_article_with_a_banner(client, draft, editor):
    client.force_login(editor)
    response = client.get(f"/admin/articles/article/{draft.pk}/preview/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Preview: not published." in html and "Embargoed budget story" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert 'class="story"' in html  # the real article template
    assert_private(response)


def test_staff_preview_needs_change_permission(client, draft, make_user):
    viewer = make_user(is_staff=True)
    client.force_login(viewer)
    assert client.get(f"/admin/articles/article/{draft.pk}/preview/").status_code == 403


def test_share_link_shows_the_draft_to_anyone_until_it_expires(client, draft, editor):
    link = draft.create_preview_link(by=editor)
    assert link.expires_at - timezone.now() > timedelta(hours=47, minutes=59)
    response = client.get(link.get_absolute_url())
    assert response.status_code == 200
    assert "Embargoed budget story" in response.content.decode()
    assert "Preview: not published." in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    with time_machine.travel(timezone.now() + timedelta(hours=48, minutes=1), tick=False):
        expired = client.get(link.get_absolute_url())
    assert expired.status_code == 410
    assert "has expired" in expired.content.decode()
    assert "Embargoed budget story" not in expired.content.decode()
    assert_private(expired)


def test_chosen_lifetime_is_respected(client, draft, editor):
    link = draft.create_preview_link(by=editor, valid_for=timedelta(hours=1))
    with time_machine.travel(timezone.now() + timedelta(minutes=61), tick=False):
        assert client.get(link.get_absolute_url()).status_code == 410


def test_revoked_link_stops_working(client, draft, editor):
    link = draft.create_preview_link(by=editor)
    link.revoke(by=editor)
    response = client.get(link.get_absolute_url())
    assert response.status_code == 410 and "revoked" in response.content.decode()


def test_forged_or_tampered_tokens_are_refused(client, draft, editor):
    link = draft.create_preview_link(by=editor)
    forged_key = signing.Signer(salt=PREVIEW_SALT).sign_object([link.pk, "guessed-key"])
    wrong_salt = signing.Signer(salt="something-else").sign_object([link.pk, link.key])
    unsigned = link.token.rsplit(":", 1)[0] + ":forged"
    malformed = signing.Signer(salt=PREVIEW_SALT).sign_object("x")
    not_an_id = signing.Signer(salt=PREVIEW_SALT).sign_object(["abc", link.key])
    for token in [forged_key, wrong_salt, unsigned, "not-a-token", malformed, not_an_id]:
        response = client.get(f"/preview/{token}/")
        assert response.status_code == 404, token
        assert "not valid" in response.content.decode()
        assert "Embargoed budget story" not in response.content.decode()


def test_reporter_cannot_share_previews(draft, make_reporter):
    with pytest.raises(PermissionDenied):
        draft.create_preview_link(by=make_reporter())


def test_preview_links_are_made_and_revoked_in_the_admin(client, draft, editor):
    client.force_login(editor)
    response = client.post(f"/admin/articles/article/{draft.pk}/previews/add/", {"hours": "24"}, follow=True)
    link = PreviewLink.objects.get()
    assert link.expires_at - timezone.now() < timedelta(hours=24, minutes=1)
    assert link.get_absolute_url() in response.content.decode()
    client.post(f"/admin/articles/article/{draft.pk}/previews/{link.pk}/revoke/")
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_bad_lifetime_is_a_message(client, draft, editor):
    client.force_login(editor)
    response = client.post(f"/admin/articles/article/{draft.pk}/previews/add/", {"hours": "lots"}, follow=True)
    assert "Choose how long" in response.content.decode()
    response = client.post(f"/admin/articles/article/{draft.pk}/previews/add/", {"hours": "100000"}, follow=True)
    assert "thirty days" in response.content.decode()
    assert not PreviewLink.objects.exists()


def test_link_to_an_article_now_live_leads_to_its_public_page(client, draft, editor):
    link = draft.create_preview_link(by=editor)
    draft.submit(by=editor)
    draft.publish(by=editor)
    response = client.get(link.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == draft.get_absolute_url()


def test_link_to_a_withdrawn_article_shows_nothing(client, make_article, editor):
    article = make_article(status=Article.Status.REVIEW, headline="Doomed story")
    link = article.create_preview_link(by=editor)
    article.publish(by=editor, at=timezone.now() + timedelta(hours=1))
    article.withdraw(by=editor, comment="Legal")
    response = client.get(link.get_absolute_url())
    assert response.status_code == 410 and "Doomed story" not in response.content.decode()
