"""The article body field: edited with django-prose-editor, sanitised with nh3 whenever it is stored.

The editor's extensions below are the allow-list: django-prose-editor derives the nh3 rules from them, so
what the editor can produce is exactly what survives sanitising. Allowed tags: p, br, h2, h3, h4, strong,
em, u, s, sub, sup, ul, ol (start, type), li, blockquote, hr, a (href, title, rel, target; http, https
and mailto URLs only), figure (class "figure" only), figcaption, img (src, alt, width, height, data-file;
http and https or site-relative URLs only). Everything else (script, style, iframe, event handlers,
javascript: and data: URLs) is removed.

Images come from the photo library: the editor's "Insert figure" dialog has a "Browse..." button that opens
the library picker (`ImageAdmin.picker_view`); the chosen image's id is kept in ``data-file`` and the
public page replaces the <img> with the image's responsive renditions (`photos.templatetags.pictures`).
"""

import re

import nh3
from django.urls import reverse_lazy
from django_prose_editor.config import allowlist_from_extensions, expand_extensions
from django_prose_editor.fields import ProseEditorField

BODY_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "Heading": {"levels": [2, 3, 4]},
    "HardBreak": True,
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "Link": {"enableTarget": True, "protocols": ["http", "https", "mailto"]},
    "Figure": {"pickerUrl": reverse_lazy("admin:photos_image_picker")},
    "Image": True,
    "Caption": True,
}


def body_cleaner():
    """nh3 rules derived from the extensions, with the figure's class narrowed to the one the editor writes."""
    rules = allowlist_from_extensions(expand_extensions(BODY_EXTENSIONS))
    rules["attributes"]["figure"].discard("class")
    rules.setdefault("allowed_classes", {})["figure"] = {"figure"}
    return nh3.Cleaner(**rules)


_cleaner = body_cleaner()


def sanitize_body(html):
    html = _cleaner.clean(html)
    # ProseMirror always leaves one empty block; an empty body should be empty.
    return "" if re.fullmatch(r"<(?P<tag>\w+)></(?P=tag)>", html) else html


class SanitizedHTMLField(ProseEditorField):
    """A ProseEditorField that sanitises on every write, not only when a form is cleaned.

    Imports, shell sessions, data migrations and API writes go through ``pre_save``/``get_prep_value``
    too, so no path stores unsanitised HTML.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("extensions", BODY_EXTENSIONS)
        kwargs.setdefault("sanitize", sanitize_body)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        value = self.sanitize(getattr(model_instance, self.attname) or "")
        setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return self.sanitize(value) if isinstance(value, str) else value

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "articles.fields.SanitizedHTMLField", args, kwargs
