"""The article body field: edited with django-prose-editor, sanitised with nh3 whenever it is stored.

The editor's extensions below are the allow-list: django-prose-editor derives the nh3 rules from them, so
what the editor can produce is exactly what survives sanitising. Allowed tags: p, br, h2, h3, h4, strong,
em, u, s, sub, sup, ul, ol (start, type), li, blockquote, hr, a (href, title, rel, target; http, https
and mailto URLs only). Everything else (script, style, iframe, event handlers, javascript: and data: URLs)
is removed.
"""

from django_prose_editor.fields import ProseEditorField, create_sanitizer

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
}

sanitize_body = create_sanitizer(BODY_EXTENSIONS)


class SanitizedHTMLField(ProseEditorField):
    """A ProseEditorField that sanitises on every write, not only when a form is cleaned.

    Imports, shell sessions, data migrations and API writes go through ``pre_save``/``get_prep_value``
    too, so no path stores unsanitised HTML.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("extensions", BODY_EXTENSIONS)
        kwargs.setdefault("sanitize", True)
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
