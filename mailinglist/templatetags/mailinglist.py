from django import template

from mailinglist import services
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


@register.inclusion_tag("admin/mailinglist/_notice_cap_alert.html", takes_context=True)
def notice_cap_alert(context):
    """On the admin index and the subscriber list: the site-wide cap on confirmation emails was reached lately."""
    request = context.get("request")
    if request is None or not request.user.has_perm("mailinglist.view_subscriber"):
        return {}
    return {"alert": services.notice_cap_alert()}
