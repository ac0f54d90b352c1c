import functools
import ipaddress
import logging
from base64 import b64encode
from hashlib import sha256

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from whitenoise.middleware import WhiteNoiseMiddleware

# The editor (Tiptap, inside django-prose-editor) injects one fixed <style> element with its base CSS. Allowed by
# its hash; if an upgrade changes that CSS, tests/browser/test_csp.py fails and prints the new hash.
ADMIN_INLINE_STYLE_HASHES = ("'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='",)


@functools.cache
def admin_inline_script_hashes() -> tuple[str, ...]:
    """CSP hashes of the one inline script the admin needs: the rich-text editor's import map.

    It is rendered from static paths, so its hash is fixed per deployment (hashed file names included); allowing
    exactly that text keeps 'unsafe-inline' out of the admin's policy too.
    """
    from django_prose_editor.widgets import importmap

    html = str(importmap.render())
    body = html[html.index(">") + 1 : html.rindex("</script>")]
    return (f"'sha256-{b64encode(sha256(body.encode()).digest()).decode()}'",)


class CSPMiddleware(BaseCSPMiddleware):
    """The site's policy everywhere; under /admin/ it also allows the rich-text editor's import map and base
    styles, each by its hash, so not even the admin needs 'unsafe-inline'."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and request.path_info.startswith("/admin/"):
            update = dict(parts.update or {})
            update["script-src"] = [*update.get("script-src", []), *admin_inline_script_hashes()]
            update["style-src"] = [*update.get("style-src", []), *ADMIN_INLINE_STYLE_HASHES]
            parts.update = update
        return parts


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, minus the manifest. `staticfiles.json` maps every collected file to its hashed name: an inventory
    of the whole front end (admin included) that no page needs, so it is not served."""

    def _is_manifest(self, url: str) -> bool:
        name = getattr(staticfiles_storage, "manifest_name", "staticfiles.json")
        return url == f"{self.static_prefix}{name}"

    def add_file_to_dictionary(self, url, path, stat_cache=None):
        if not self._is_manifest(url):
            super().add_file_to_dictionary(url, path, stat_cache=stat_cache)

    def find_file(self, url):
        return None if self._is_manifest(url) else super().find_file(url)


class OneLine(logging.Filter):
    """For loggers that report what strangers send (a bad Host header on every scanner's request): one short line
    each, without the traceback, so the log stays readable and its size bounded."""

    limit = 300

    def filter(self, record):
        message = " ".join(record.getMessage().split())
        record.msg = message if len(message) <= self.limit else f"{message[: self.limit - 1]}…"
        record.args = ()
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the entry our own proxies added to X-Forwarded-For
    (NEWSROOM_TRUSTED_PROXY_COUNT). Signup rate limits, consent records and sign-in lockouts all count by it."""
    hops = settings.NEWSROOM_TRUSTED_PROXY_COUNT
    candidate = request.META.get("REMOTE_ADDR", "")
    if hops > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None
