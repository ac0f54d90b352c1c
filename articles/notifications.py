"""Who hears about a workflow step, and the email they get."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse

from articles.models import Article

SUBMITTED = (Article.Status.DRAFT, Article.Status.REVIEW)
CHANGES_REQUESTED = (Article.Status.REVIEW, Article.Status.DRAFT)
PUBLISHED = (Article.Status.REVIEW, Article.Status.PUBLISHED)

CHANGES_SAVED = "changes_saved"  # changes to a live story, saved for review

TEMPLATES = {
    SUBMITTED: "articles/email/submitted.txt",
    CHANGES_SAVED: "articles/email/changes_saved.txt",
    CHANGES_REQUESTED: "articles/email/changes_requested.txt",
    PUBLISHED: "articles/email/published.txt",
}


def editors():
    return (
        get_user_model()
        # Permissions live in the model backend; axes's backend, listed first, only guards sign-ins.
        .objects.with_perm("articles.publish_article", backend="django.contrib.auth.backends.ModelBackend")
        .filter(is_active=True, is_staff=True)
        .exclude(email="")
    )


def bylined_reporters(article):
    return (
        get_user_model().objects.filter(author__bylines__article=article, is_active=True).exclude(email="").distinct()
    )


def _key(transition):
    """What a transition is, for choosing who hears of it: its step if it has one, else its move."""
    return transition.step or (transition.from_status, transition.to_status)


def recipients_for(transition):
    step = _key(transition)
    if step in (SUBMITTED, CHANGES_SAVED):
        people = editors()
    elif step in (CHANGES_REQUESTED, PUBLISHED):
        people = bylined_reporters(transition.article)
    else:
        return []
    # Nobody needs an email about what they just did themselves.
    return [user for user in people.order_by("pk") if user.pk != transition.actor_id]


def send_for_transition(transition):
    """One email per recipient, so no one sees who else was told. Returns how many were sent."""
    template = TEMPLATES.get(_key(transition))
    recipients = recipients_for(transition)
    if not template or not recipients:
        return 0
    article = transition.article
    context = {
        "article": article,
        "transition": transition,
        "actor_name": (transition.actor.get_full_name() or transition.actor.get_username()) if transition.actor else "",
        "admin_url": settings.SITE_URL + reverse("admin:articles_article_change", args=[article.pk]),
        "public_url": settings.SITE_URL + article.get_absolute_url(),
        "site_name": settings.SITE_NAME,
    }
    subject, _, body = render_to_string(template, context).strip().partition("\n")
    messages = [EmailMessage(subject=subject.strip(), body=body.strip() + "\n", to=[user.email]) for user in recipients]
    return get_connection().send_messages(messages) or 0
