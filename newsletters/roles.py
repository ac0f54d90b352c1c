"""The Newsletter manager role's share of newsletters: every permission of this app (issues, deliveries, the mail
server's status), beside its share of the mailing list (mailinglist/roles.py); and the Editor's share: composing and
sending issues, while subscribers stay with the Newsletter manager. newsroom/roles.py keeps the groups in step."""

from mailinglist.roles import NEWSLETTER_MANAGER
from newsroom.roles import ALL

EDITOR = "Editor"

GRANTS = {
    NEWSLETTER_MANAGER: ALL,
    EDITOR: [
        "view_issue",
        "add_issue",
        "change_issue",
        "send_issue",
        "view_delivery",
        "view_issuearticle",
        "add_issuearticle",
        "change_issuearticle",
        "delete_issuearticle",
    ],
}
# Editors pick the list an issue goes to.
MAILINGLIST_GRANTS = {EDITOR: ["view_mailinglist"]}
