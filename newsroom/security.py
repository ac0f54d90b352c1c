import functools
from base64 import b64encode
from hashlib import sha256

from csp.middleware import CSPMiddleware as BaseCSPMiddleware

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
