from django import template

from mailinglist.consent import SIGNUP_WORDING
from mailinglist.forms import HONEYPOT_FIELD, form_started_token
from mailinglist.models import LISTS_KEY, MailingList
from newsroom import pagecache

register = template.Library()


@register.simple_tag
def signup_state(signup_form=None):
    """What a signup form needs to draw itself: the public lists, which boxes are ticked, and a signed start time
    for the minimum-fill-time check (on a cached page, the time the page was made)."""
    lists = MailingList.objects.for_signup_form()
    pagecache.add_keys(LISTS_KEY)
    if getattr(signup_form, "is_bound", False):
        chosen = set(signup_form.data.getlist("lists"))
        email = signup_form.data.get("email", "")
    else:
        chosen = {str(item["id"]) for item in lists if item["default_checked"]}
        email = ""
    return {
        "lists": [item | {"checked": str(item["id"]) in chosen} for item in lists],
        "started": form_started_token(),
        "email": email,
        "wording": SIGNUP_WORDING,
        "honeypot": HONEYPOT_FIELD,
    }
