"""The Newsletter manager role's share of the mailing list: every permission of this app (lists, subscribers, the
consent record, suppressions). Its share of issues and sending, and the Editor's, are in newsletters/roles.py;
newsroom/roles.py keeps the groups in step after every migrate."""

from newsroom.roles import ALL

NEWSLETTER_MANAGER = "Newsletter manager"

GRANTS = {NEWSLETTER_MANAGER: ALL}
